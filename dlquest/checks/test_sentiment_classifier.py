"""Check for `sentiment_classifier`: logits of the right shape, padding that changes nothing, an LSTM run on a
packed sequence, and at least 88% accuracy on held-out reviews.

The training data is the course's shipped train split, prepared here as the lesson prepares it (clean, keep
negations, vocabulary with min_freq=2, right padding). The held-out reviews are new ones from the course's
generator, drawn with a seed derived from the session's seed: an instructor's secret seed gives reviews no one
has seen. Only their tokens reach the learner's process; their labels stay here.

The course's data folder (the generator and the shipped reviews) is hidden from the learner's process
(HELD_OUT_DATA), so code cannot make the held-out reviews again and look their labels up. The held-out reviews
come in a fresh random order (the generator alternates positive and negative ones: in its order, 1, 0, 1, 0, …
would score 100%), and where the sandbox cannot hide the data, each with one random token left out, so that an
exact lookup fails (the grading then says that the data was not hidden).
"""

import hashlib
import importlib.util
import re
import secrets
from collections import Counter
from pathlib import Path

import pytest
import torch

from dlquest.grader.checklib import assert_same, held_out_hidden, scrub, to_device
from dlquest.grader.records import CheckFailed, Feedback

REQUIRED_ACCURACY = 0.88
N_HELD_OUT = 600
REVIEWS_PY = Path(__file__).resolve().parents[1] / "data" / "reviews" / "reviews.py"
HELD_OUT_DATA = (REVIEWS_PY.parents[1],)
_DATA = {}
_RESULTS = {}


def _warm_up():
    """Load here, before the probes fork, what the learner's code would otherwise spend its time on loading."""
    lstm = torch.nn.LSTM(2, 2, batch_first=True)
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.ones(2, 3, 2), torch.tensor([3, 1]), batch_first=True,
                                                     enforce_sorted=False)
    optimizer = torch.optim.Adam(lstm.parameters(), lr=0.1)
    lstm(packed)[1][0].sum().backward()
    optimizer.step()


_warm_up()


# --- the data, prepared as the lesson prepares it ------------------------------------------------------------

def reviews_module():
    spec = importlib.util.spec_from_file_location("dlquest_course_reviews_data", REVIEWS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clean(text, stop_words):
    text = re.sub(r"https?://\S+|www\.\S+", " ", re.sub(r"<[^>]*>", " ", text.lower()))
    return [token for token in re.findall(r"\w+|[^\w\s]+", text) if token.isalpha() and token not in stop_words]


def encode(texts, stoi):
    ids = [[stoi.get(token, 1) for token in text] or [1] for text in texts]
    lengths = torch.tensor([len(row) for row in ids], dtype=torch.int64)
    tokens = torch.zeros(len(ids), int(lengths.max()), dtype=torch.int64)
    for row, sequence in enumerate(ids):
        tokens[row, :len(sequence)] = torch.tensor(sequence, dtype=torch.int64)
    return tokens, lengths


def prepared(seed):
    """(vocab_size, train (tokens, lengths, labels), held-out (tokens, lengths), held-out labels)."""
    if seed not in _DATA:
        reviews = reviews_module()
        stop_words = reviews.stop_words() - reviews.SENTIMENT_WORDS
        texts, labels = reviews.load_reviews()["train"]
        train_texts = [clean(text, stop_words) for text in texts]
        counts = Counter(token for text in train_texts for token in text)
        itos = ["<PAD>", "<UNK>"] + [token for token, count in counts.most_common() if count >= 2]
        stoi = {token: index for index, token in enumerate(itos)}
        held_out = reviews.make_reviews(N_HELD_OUT, seed=1_000_003 + seed)
        test_tokens, test_lengths = encode([clean(text, stop_words) for text, _ in held_out], stoi)
        _DATA[seed] = (len(itos), (*encode(train_texts, stoi), torch.tensor(labels, dtype=torch.int64)),
                       (test_tokens, test_lengths), torch.tensor([label for _, label in held_out]))
    return _DATA[seed]


# --- the model's contract ---------------------------------------------------------------------------------------

def small_batch(seed, vocab_size=40, lengths=(5, 2, 7, 1, 4)):
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor(lengths, dtype=torch.int64)
    tokens = torch.zeros(len(lengths), int(lengths.max()), dtype=torch.int64)
    for row, length in enumerate(lengths.tolist()):
        tokens[row, :length] = torch.randint(2, vocab_size, (length,), generator=generator)
    return tokens, lengths


def output_facts(module, seed, vocab_size, num_classes, tokens, lengths):
    torch.manual_seed(seed)
    model = module.build_model(vocab_size) if num_classes is None else module.build_model(vocab_size, num_classes)
    facts = {"is an nn.Module": isinstance(model, torch.nn.Module)}
    model.eval()
    with torch.no_grad():
        logits = model(tokens, lengths)
    facts["is a tensor"] = isinstance(logits, torch.Tensor)
    facts["shape"] = list(logits.shape)
    facts["floating point"] = bool(logits.is_floating_point())
    return facts


@pytest.mark.parametrize("num_classes", [None, 3])
def test_model_gives_one_score_per_class(learner, reference, seed, num_classes):
    tokens, lengths = small_batch(seed)
    what = "build_model(40)" if num_classes is None else f"build_model(40, {num_classes})"
    got = learner.run(output_facts, seed, 40, num_classes, tokens, lengths)
    expected = reference.run(output_facts, seed, 40, num_classes, tokens, lengths)
    assert_same(got, expected, what=f"{what}(tokens, lengths) for a batch of 5")


def padded_and_alone(module, device, seed, tokens, lengths):
    # Full float32 on a GPU: TF32 would make batches of different sizes differ by far more than 1e-5.
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.manual_seed(seed)
    model = module.build_model(40).to(device)
    model.eval()
    wider = torch.cat([tokens, torch.zeros(len(tokens), 3, dtype=tokens.dtype)], dim=1)  # 3 extra pad columns
    with torch.no_grad():
        batch = model(to_device(device, wider), lengths).detach().cpu()
        alone = [model(to_device(device, tokens[i:i + 1, :length]), lengths[i:i + 1]).detach().cpu()
                 for i, length in enumerate(lengths.tolist())]
    return {"batch": batch.double(), "alone": torch.cat(alone).double()}


def test_padding_does_not_change_the_logits(learner, device, seed):
    tokens, lengths = small_batch(seed)
    got = learner.run(padded_and_alone, device, seed, tokens, lengths, device=device)
    assert_same(got["batch"], got["alone"], atol=1e-5, rtol=1e-4,
                what="logits of the padded batch (expected: the logits of each review alone, without padding)")


def lstm_calls(module, seed, tokens, lengths):
    from torch.overrides import TorchFunctionMode

    seen = {"packs the batch": False, "runs an LSTM": False, "runs the LSTM on a packed sequence": False}

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = getattr(func, "__name__", "")
            if name == "_pack_padded_sequence":
                seen["packs the batch"] = True
            elif name == "lstm":
                seen["runs an LSTM"] = True
                # The packed overload is lstm(data, batch_sizes, hx, ...); the padded one is lstm(input, hx, ...).
                if len(args) > 1 and isinstance(args[1], torch.Tensor):
                    seen["runs the LSTM on a packed sequence"] = True
            return func(*args, **(kwargs or {}))

    torch.manual_seed(seed)
    model = module.build_model(40)
    model.eval()
    with torch.no_grad(), Recorder():
        model(tokens, lengths)
    return seen


def test_runs_the_lstm_on_a_packed_sequence(learner, seed):
    tokens, lengths = small_batch(seed)
    seen = learner.run(lstm_calls, seed, tokens, lengths)
    assert seen["packs the batch"], (
        "the model never called nn.utils.rnn.pack_padded_sequence(embedded, lengths, batch_first=True, "
        "enforce_sorted=False)")
    assert seen["runs an LSTM"], "the model never ran an nn.LSTM"
    assert seen["runs the LSTM on a packed sequence"], (
        "the LSTM ran on a padded tensor: pass it the PackedSequence that pack_padded_sequence returns")


# --- training and held-out accuracy -------------------------------------------------------------------------------

def train_and_predict(module, seed, vocab_size, train, test):
    torch.manual_seed(seed)
    model = module.build_model(vocab_size)
    module.train_model(model, *train)
    model.eval()
    with torch.no_grad():
        logits = model(*test)
    return logits.argmax(dim=1) if isinstance(logits, torch.Tensor) else logits


def perturbed(test, labels, drop_a_token):
    """The held-out reviews in a fresh random order; with `drop_a_token`, each with one random token left out."""
    tokens, lengths = test
    generator = torch.Generator().manual_seed(secrets.randbits(63))
    order = torch.randperm(len(lengths), generator=generator)
    tokens, lengths, labels = tokens[order].clone(), lengths[order].clone(), labels[order]
    for row in range(len(lengths) if drop_a_token else 0):
        length = int(lengths[row])
        if length > 1:
            drop = int(torch.randint(length, (1,), generator=generator))
            tokens[row, drop:length - 1] = tokens[row, drop + 1:length].clone()
            tokens[row, length - 1] = 0
            lengths[row] = length - 1
    return (tokens, lengths), labels


def teardown_module():
    """Leave no held-out label in this process's memory: a warm grader forks the next learner's process from it."""
    scrub(_RESULTS)
    scrub(_DATA)


def learner_predictions(learner, seed):
    """Train once per submission and seed; both tests judge the same run."""
    key = (str(learner.path), hashlib.sha256(Path(learner.path).read_bytes()).hexdigest(), seed)
    if key not in _RESULTS:
        exposed = not held_out_hidden(learner)  # asked first: it starts the learner's process if need be
        vocab_size, train, test, labels = prepared(seed)
        test, labels = perturbed(test, labels, drop_a_token=exposed)
        try:
            _RESULTS[key] = (learner.run(train_and_predict, seed, vocab_size, train, test), labels)
        except CheckFailed as failure:
            _RESULTS[key] = (failure, labels)
    predicted, labels = _RESULTS[key]
    if isinstance(predicted, CheckFailed):
        raise CheckFailed(*predicted.feedback)
    if not isinstance(predicted, torch.Tensor) or tuple(predicted.shape) != tuple(labels.shape):
        raise CheckFailed(Feedback("shape_mismatch", {
            "what": "model(test_tokens, test_lengths).argmax(dim=1)", "expected": list(labels.shape),
            "got": list(getattr(predicted, "shape", ()))}))
    return predicted, labels


def test_predicts_one_label_per_held_out_review(learner, seed):
    predicted, _ = learner_predictions(learner, seed)
    assert predicted.min() >= 0 and predicted.max() <= 1, "every prediction must be 0 (negative) or 1 (positive)"


def test_reaches_88_percent_on_held_out_reviews(learner, seed):
    predicted, labels = learner_predictions(learner, seed)
    right = int((predicted == labels).sum())
    accuracy = right / len(labels)
    assert accuracy >= REQUIRED_ACCURACY, (
        f"held-out accuracy {accuracy:.3f} ({right} of {len(labels)} right); at least {REQUIRED_ACCURACY:.2f} "
        f"is needed")
