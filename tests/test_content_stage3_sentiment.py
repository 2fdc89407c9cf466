"""Stage 3, unit `sentiment-project`: the review data, the lesson, and every exercise's check discriminates.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations
fail on the test aimed at their mistake with a meaningful feedback code, and correct implementations
written differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py).
Most wrong versions are the reference with one line changed (`variant`), so each shows exactly one mistake.
"""

from __future__ import annotations

import importlib.util
import re
from textwrap import dedent

import pytest

from discrimination import Cases, Wrong, four_way_tests, variant


def reviews_module(course):
    spec = importlib.util.spec_from_file_location("course_reviews_for_tests", course.path("data/reviews/reviews.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# === the shipped data =======================================================================================
def test_shipped_reviews_equal_the_generators_output(course):
    reviews = reviews_module(course)
    shipped = course.path("data/reviews/reviews.csv")
    assert shipped.read_text(encoding="utf-8") == reviews.reviews_csv(), "run dlquest/data/reviews/reviews.py"
    assert shipped.stat().st_size < 2 * 1024 * 1024


def test_shipped_reviews_are_balanced_varied_and_noisy(course):
    data = reviews_module(course).load_reviews()
    train_texts, train_labels = data["train"]
    test_texts, test_labels = data["test"]
    assert (len(train_texts), len(test_texts)) == (2400, 600)
    for labels in (train_labels, test_labels):
        assert set(labels) == {0, 1} and 0.45 < sum(labels) / len(labels) < 0.55
    texts = train_texts + test_texts
    assert len(set(texts)) > 0.99 * len(texts), "reviews are (nearly) all different"
    assert sum("<br />" in text for text in texts) > len(texts) / 4, "HTML line breaks, as in IMDB"
    assert sum(bool(re.search(r"https?://|www\.", text)) for text in texts) > len(texts) / 20, "URLs"
    negations = r"\b(not|never|hardly|isn't|wasn't|didn't)\b"
    assert sum(bool(re.search(negations, text.lower())) for text in texts) > len(texts) / 2, "negations"


def test_generator_is_deterministic_and_seeded(course):
    reviews = reviews_module(course)
    assert reviews.make_reviews(20, seed=5) == reviews.make_reviews(20, seed=5)
    assert reviews.make_reviews(20, seed=5) != reviews.make_reviews(20, seed=6)


def test_stop_words_fall_back_to_the_shipped_list(course, monkeypatch):
    import builtins

    reviews = reviews_module(course)
    real_import = builtins.__import__

    def no_nltk_corpus(name, *args, **kwargs):
        if name.startswith("nltk.corpus"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nltk_corpus)
    words = reviews.stop_words()
    assert len(words) == 179 and {"the", "not", "isn", "t"} <= words
    assert reviews.SENTIMENT_WORDS <= words, "every word kept for sentiment is a stop word to begin with"


def test_the_loader_reads_imdbs_folder_layout(course, tmp_path):
    reviews = reviews_module(course)
    for split in ("train", "test"):
        for name, text in (("pos", "A great film."), ("neg", "Awful.<br />Just awful.")):
            folder = tmp_path / "aclImdb" / split / name
            folder.mkdir(parents=True)
            for i in range(3):
                (folder / f"{i}_{8 if name == 'pos' else 2}.txt").write_text(f"{text} ({i})", encoding="utf-8")
    for path in (tmp_path, tmp_path / "aclImdb"):
        data = reviews.load_reviews(path)
        assert data["train"][1] == [0, 0, 0, 1, 1, 1] and data["test"][0][3] == "A great film. (0)"
    assert reviews.load_reviews(tmp_path, limit=1)["test"][1] == [0, 1]


# === text_cleaning ==========================================================================================
CLEANING = dedent('''
    import re

    from nltk.tokenize import wordpunct_tokenize


    def clean_text(text, stop_words):
        text = text.lower()
        text = re.sub(r"<[^>]*>", " ", text)
        text = re.sub(r"https?://\\S+|www\\.\\S+", " ", text)
        tokens = wordpunct_tokenize(text)
        return [token for token in tokens if token.isalpha() and token not in stop_words]
''')

LOWER = "    text = text.lower()\n"
HTML = '    text = re.sub(r"<[^>]*>", " ", text)\n'
URL = '    text = re.sub(r"https?://\\S+|www\\.\\S+", " ", text)\n'

CLEANING_WRONG = {
    # Deletes tags instead of replacing them with a space: "fun<br />the" becomes one word.
    "tags_deleted_not_spaced": Wrong(
        fails={"test_each_step[html-tags]": "value_differs"},
        source=variant(CLEANING, (HTML, '    text = re.sub(r"<[^>]*>", "", text)\n')),
    ),
    # Removes URLs before lower-casing: "HTTPS://…" survives.
    "urls_before_lower_case": Wrong(
        fails={"test_each_step[upper-case-url]": "value_differs"},
        only=True,
        source=variant(CLEANING, (LOWER + HTML + URL, HTML + URL + LOWER)),
    ),
    # Removes URLs before tags: the URL regex eats the rest of the tag and the link text after it.
    "urls_before_tags": Wrong(
        fails={"test_each_step[url-inside-a-tag]": "value_differs"},
        only=True,
        source=variant(CLEANING, (HTML + URL, URL + HTML)),
    ),
    # The outline's way: strip every non-letter before tokenising ("isn't" -> "isnt", "2nd" -> "nd").
    "non_letters_stripped_first": Wrong(
        fails={"test_each_step[contractions]": "value_differs",
               "test_each_step[numbers-and-mixtures]": "value_differs"},
        source=variant(CLEANING, ("    tokens = wordpunct_tokenize(text)\n",
                                  '    tokens = wordpunct_tokenize(re.sub(r"[^a-z\\s]", "", text))\n')),
    ),
    # Splits on white space: punctuation stays glued to the words.
    "split_on_spaces": Wrong(
        fails={"test_each_step[contractions]": "value_differs", "test_each_step[lower-case]": "value_differs"},
        source=variant(CLEANING, ("    tokens = wordpunct_tokenize(text)\n", "    tokens = text.split()\n")),
    ),
    # Ignores the stop words it is given and uses its own list.
    "own_stop_word_list": Wrong(
        fails={"test_removes_exactly_the_stop_words_it_is_given": "value_differs"},
        source=variant(CLEANING, ("token not in stop_words]", 'token not in {"the", "a", "and", "was", "is"}]')),
    ),
    # Returns a joined string, as the outline does.
    "returns_a_string": Wrong(
        fails={"test_each_step[lower-case]": "type_mismatch"},
        source=variant(CLEANING, ("    return [token for token in tokens if token.isalpha() and token not in "
                                  "stop_words]",
                                  "    return ' '.join(t for t in tokens if t.isalpha() and t not in stop_words)")),
    ),
}

CLEANING_CORRECT = {
    # Compiled patterns (the URL one written another way), the tokenizer's own regex instead of nltk, and a
    # loop that tests membership first.
    "compiled_patterns_and_regexp_tokens": dedent('''
        import re

        TAG = re.compile(r"<[^>]*>")
        LINK = re.compile(r"(?:https?://|www\\.)\\S+")
        TOKEN = re.compile(r"\\w+|[^\\w\\s]+")


        def clean_text(text, stop_words):
            kept = []
            for token in TOKEN.findall(LINK.sub(" ", TAG.sub(" ", text.lower()))):
                if token in stop_words or not token.isalpha():
                    continue
                kept.append(token)
            return kept
    '''),
}


def test_text_cleaning_needs_no_nltk_data(course):
    """wordpunct_tokenize is a plain regex: it works where no nltk data (punkt) is installed."""
    from nltk.tokenize import wordpunct_tokenize

    assert wordpunct_tokenize("it isn't bad...") == ["it", "isn", "'", "t", "bad", "..."]


# === vocabulary =============================================================================================
VOCABULARY = dedent('''
    from collections import Counter

    PAD, UNK = "<PAD>", "<UNK>"


    class Vocabulary:
        def __init__(self, texts, min_freq=1):
            counts = Counter(token for text in texts for token in text)
            kept = [token for token, count in counts.most_common() if count >= min_freq]
            self.itos = [PAD, UNK] + kept
            self.stoi = {token: index for index, token in enumerate(self.itos)}

        def __len__(self):
            return len(self.itos)

        def encode(self, tokens):
            return [self.stoi.get(token, 1) for token in tokens]

        def decode(self, ids):
            return [self.itos[int(index)] for index in ids if int(index) != 0]
''')

VOCAB_ORDER = "test_orders_by_count_then_by_first_occurrence"

VOCABULARY_WRONG = {
    # Breaks ties alphabetically instead of by first occurrence.
    "alphabetical_ties": Wrong(
        fails={VOCAB_ORDER: "value_differs"},
        source=variant(VOCABULARY, ("counts.most_common()", "sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))")),
    ),
    # Keeps only counts strictly above min_freq.
    "strict_min_freq": Wrong(
        fails={"test_keeps_tokens_with_count_at_least_min_freq[2]": "length_mismatch"},
        source=variant(VOCABULARY, ("count >= min_freq", "count > min_freq")),
    ),
    # Unknown tokens become the padding id.
    "unknown_as_padding": Wrong(
        fails={"test_encode_gives_unk_for_unknown_tokens": "value_mismatch",
               "test_builds_encodes_and_decodes_course_reviews": "value_mismatch"},
        only=True,
        source=variant(VOCABULARY, ("self.stoi.get(token, 1)", "self.stoi.get(token, 0)")),
    ),
    # Decodes the padding too.
    "decode_keeps_padding": Wrong(
        fails={"test_decode_skips_padding_and_shows_unk": "length_mismatch"},
        source=variant(VOCABULARY, (" if int(index) != 0]", "]")),
    ),
    # Forgets the special tokens: the first real token gets id 0.
    "no_special_tokens": Wrong(
        fails={"test_pad_is_0_and_unk_is_1": "exception"},  # stoi["<PAD>"] raises KeyError
        source=variant(VOCABULARY, ("self.itos = [PAD, UNK] + kept", "self.itos = kept")),
    ),
}

VOCABULARY_CORRECT = {
    # Counting by hand, an explicit sort key with the first position, tensors handled by .tolist().
    "manual_counts_and_first_positions": dedent('''
        class Vocabulary:
            def __init__(self, texts, min_freq=1):
                counts, first = {}, {}
                position = 0
                for text in texts:
                    for token in text:
                        counts[token] = counts.get(token, 0) + 1
                        first.setdefault(token, position)
                        position += 1
                ordered = sorted((t for t in counts if counts[t] >= min_freq), key=lambda t: (-counts[t], first[t]))
                self.itos = ["<PAD>", "<UNK>", *ordered]
                self.stoi = dict(zip(self.itos, range(len(self.itos))))

            def __len__(self):
                return len(self.stoi)

            def encode(self, tokens):
                return [self.stoi[t] if t in self.stoi else self.stoi["<UNK>"] for t in tokens]

            def decode(self, ids):
                if hasattr(ids, "tolist"):
                    ids = ids.tolist()
                return [self.itos[i] for i in ids if i != self.stoi["<PAD>"]]
    '''),
}


# === padding_collate ========================================================================================
COLLATE = dedent('''
    import torch


    def collate(batch, max_len=None, pad_id=0):
        sequences = [torch.as_tensor(tokens, dtype=torch.int64).reshape(-1) for tokens, _ in batch]
        if max_len is not None:
            sequences = [sequence[:max_len] for sequence in sequences]
        lengths = torch.tensor([len(sequence) for sequence in sequences], dtype=torch.int64)
        width = int(lengths.max())
        padded = torch.full((len(batch), width), pad_id, dtype=torch.int64)
        for row, sequence in enumerate(sequences):
            padded[row, :len(sequence)] = sequence
        labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)
        return padded, lengths, labels
''')

CUT_SHORT = "test_cuts_to_max_len_and_pads_to_the_longest[3]"
CUT_LONG = "test_cuts_to_max_len_and_pads_to_the_longest[10]"

COLLATE_WRONG = {
    # Pads on the left.
    "left_padding": Wrong(
        fails={"test_pads_on_the_right_with_zeros": "value_mismatch",
               "test_pack_padded_sequence_accepts_the_batch": "value_mismatch"},
        source=variant(COLLATE, ("padded[row, :len(sequence)] = sequence", "padded[row, width - len(sequence):] = sequence")),
    ),
    # Sorts the batch by length, longest first (the habit from enforce_sorted=True).
    "sorted_by_length": Wrong(
        fails={"test_keeps_the_batch_order": "value_mismatch"},
        source=variant(COLLATE, ("    sequences = [torch.as_tensor",
                                 "    batch = sorted(batch, key=lambda item: -len(item[0]))\n"
                                 "    sequences = [torch.as_tensor")),
    ),
    # Lengths as floats: pack_padded_sequence wants int64.
    "float_lengths": Wrong(
        fails={"test_pads_on_the_right_with_zeros": "dtype_mismatch"},
        source=variant(COLLATE, ("for sequence in sequences], dtype=torch.int64)",
                                 "for sequence in sequences], dtype=torch.float32)")),
    ),
    # Always pads to max_len, even when every review is shorter.
    "always_max_len_wide": Wrong(
        fails={CUT_LONG: "shape_mismatch"},
        only=True,
        source=variant(COLLATE, ("    width = int(lengths.max())\n",
                                 "    width = int(lengths.max()) if max_len is None else max_len\n")),
    ),
    # Measures the lengths before the cut.
    "lengths_before_the_cut": Wrong(
        fails={CUT_SHORT: "value_mismatch"},
        only=True,
        source=variant(COLLATE, (
            "    if max_len is not None:\n        sequences = [sequence[:max_len] for sequence in sequences]\n"
            "    lengths = torch.tensor([len(sequence) for sequence in sequences], dtype=torch.int64)\n"
            "    width = int(lengths.max())\n",
            "    lengths = torch.tensor([len(sequence) for sequence in sequences], dtype=torch.int64)\n"
            "    if max_len is not None:\n        sequences = [sequence[:max_len] for sequence in sequences]\n"
            "    width = max(len(sequence) for sequence in sequences)\n")),
    ),
}

COLLATE_CORRECT = {
    # pad_sequence does the padding; lengths from the tensors' sizes.
    "pad_sequence": dedent('''
        import torch
        from torch.nn.utils.rnn import pad_sequence


        def collate(batch, max_len=None, pad_id=0):
            tokens, labels = zip(*batch)
            sequences = [torch.tensor(list(map(int, t)))[slice(max_len)] for t in tokens]
            lengths = torch.tensor([s.size(0) for s in sequences])
            padded = pad_sequence(sequences, batch_first=True, padding_value=pad_id).long()
            return padded, lengths, torch.tensor([int(y) for y in labels])
    '''),
}


# === sentiment_classifier ===================================================================================
# The reference with three epochs of training: it passes, and grading a mistake in it stays quick.
CLASSIFIER = dedent('''
    import torch
    import torch.nn as nn
    from torch.nn.utils.rnn import pack_padded_sequence


    class SentimentLSTM(nn.Module):
        def __init__(self, vocab_size, num_classes=2):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, 32, padding_idx=0)
            self.lstm = nn.LSTM(32, 32, batch_first=True)
            self.classifier = nn.Linear(32, num_classes)

        def forward(self, tokens, lengths):
            embedded = self.embedding(tokens)
            packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
            _, (h_n, _) = self.lstm(packed)
            return self.classifier(h_n[-1])


    def build_model(vocab_size, num_classes=2):
        return SentimentLSTM(vocab_size, num_classes)


    def train_model(model, tokens, lengths, labels):
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        model.train()
        for _ in range(3):
            order = torch.randperm(len(labels))
            for start in range(0, len(order), 64):
                batch = order[start:start + 64]
                width = int(lengths[batch].max())
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(tokens[batch, :width], lengths[batch]), labels[batch])
                loss.backward()
                optimizer.step()
''')

PACKING = "        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)\n"
PADDING = "test_padding_does_not_change_the_logits[cpu]"
PACKED = "test_runs_the_lstm_on_a_packed_sequence"
SHAPES = "test_model_gives_one_score_per_class[None]"
ACCURACY = "test_reaches_88_percent_on_held_out_reviews"

CLASSIFIER_WRONG = {
    # Runs the LSTM over the padding: the final state has seen the pad tokens.
    "no_packing": Wrong(
        fails={PADDING: "value_mismatch", PACKED: "assertion"},
        source=variant(CLASSIFIER, (PACKING, "        packed = embedded\n")),
    ),
    # Packs, but with enforce_sorted=True (the default): unsorted batches raise.
    "enforce_sorted": Wrong(
        fails={SHAPES: "exception", PADDING: "exception", ACCURACY: "exception"},
        source=variant(CLASSIFIER, ("batch_first=True, enforce_sorted=False)", "batch_first=True)")),
    ),
    # Unpacks and reads the output at the last column, which is padding for every shorter review (it trains
    # badly too: the shorter reviews of each batch all look alike).
    "last_column_of_the_padded_output": Wrong(
        fails={PADDING: "value_mismatch", ACCURACY: "assertion"},
        source=variant(CLASSIFIER, ("        _, (h_n, _) = self.lstm(packed)\n        return self.classifier(h_n[-1])",
                                    "        output, _ = self.lstm(packed)\n"
                                    "        output, _ = nn.utils.rnn.pad_packed_sequence(output, batch_first=True)\n"
                                    "        return self.classifier(output[:, -1])")),
    ),
    # Mean over every position of the padded output, pads included.
    "mean_over_padding": Wrong(
        fails={PADDING: "value_mismatch"},
        source=variant(CLASSIFIER, ("        _, (h_n, _) = self.lstm(packed)\n        return self.classifier(h_n[-1])",
                                    "        output, _ = self.lstm(packed)\n"
                                    "        output, _ = nn.utils.rnn.pad_packed_sequence(\n"
                                    "            output, batch_first=True, total_length=tokens.shape[1])\n"
                                    "        return self.classifier(output.mean(dim=1))")),
    ),
    # Computes the loss but never steps the optimizer: the model stays untrained.
    "never_steps": Wrong(
        fails={ACCURACY: "assertion"},
        only=True,
        source=variant(CLASSIFIER, ("            optimizer.step()\n", "")),
    ),
}

CLASSIFIER_CORRECT = {
    # A bidirectional LSTM, mean-pooled over the real positions only (a mask from the lengths),
    # batches sorted by length for speed, SGD with momentum.
    "bidirectional_masked_mean": dedent('''
        import torch
        from torch import nn
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


        class Net(nn.Module):
            def __init__(self, vocab_size, classes):
                super().__init__()
                self.emb = nn.Embedding(vocab_size, 24, padding_idx=0)
                self.rnn = nn.LSTM(24, 24, batch_first=True, bidirectional=True)
                self.out = nn.Linear(4 * 24, classes)

            def forward(self, tokens, lengths):
                packed = pack_padded_sequence(self.emb(tokens), lengths.to("cpu"), batch_first=True,
                                              enforce_sorted=False)
                states, (h, _) = self.rnn(packed)
                states, _ = pad_packed_sequence(states, batch_first=True)
                mask = (torch.arange(states.shape[1])[None, :] < lengths[:, None]).to(states.device)
                mean = (states * mask[..., None]).sum(1) / lengths.to(states.device)[:, None]
                last = torch.cat([h[-2], h[-1]], dim=1)
                return self.out(torch.cat([mean, last], dim=1))


        def build_model(vocab_size, num_classes=2):
            return Net(vocab_size, num_classes)


        def train_model(model, tokens, lengths, labels):
            torch.manual_seed(1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
            by_length = torch.argsort(lengths)
            batches = [by_length[i:i + 48] for i in range(0, len(by_length), 48)]
            model.train()
            for epoch in range(4):
                for j in torch.randperm(len(batches)).tolist():
                    b = batches[j]
                    width = int(lengths[b].max())
                    loss = nn.functional.cross_entropy(model(tokens[b, :width], lengths[b]), labels[b])
                    model.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    optimizer.step()
    '''),
}


def test_sentiment_classifier_check_data_holds_no_test_labels_for_the_learner(course):
    """The held-out reviews are drawn fresh from the generator, not read from the file the learner can read."""
    source = course.path(course.exercises["sentiment_classifier"].check).read_text(encoding="utf-8")
    assert "make_reviews(N_HELD_OUT" in source and '["test"]' not in source


# === the grading tests ====================================================================================
CASES = {
    "text_cleaning": Cases(CLEANING_WRONG, CLEANING_CORRECT),
    "vocabulary": Cases(VOCABULARY_WRONG, VOCABULARY_CORRECT),
    "padding_collate": Cases(COLLATE_WRONG, COLLATE_CORRECT),
    "sentiment_classifier": Cases(CLASSIFIER_WRONG, CLASSIFIER_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


# === lesson and manifest ====================================================================================
EXERCISES = ["text_cleaning", "vocabulary", "padding_collate", "sentiment_classifier"]
LESSON = "sentiment-analysis"


# Three hints in both languages and a lesson: tested for the whole course in tests/test_lessons.py.
@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_exercise_is_in_the_project_unit_and_taught_by_its_lesson(course, exercise_id):
    exercise = course.exercises[exercise_id]
    assert exercise.unit == "sentiment-project"
    assert exercise.lesson == LESSON


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_page_is_terminal_markdown(course, lang):
    text = course.path(course.lessons[LESSON].pages[lang]).read_text(encoding="utf-8")
    assert text.startswith("# "), "a page starts with its title"
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 6, "sections for the table of contents"
    assert text.count("```") % 2 == 0, "code fences are closed"
    # HTML may be discussed (reviews contain <br />), but only inside code.
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"^    .*$", "", prose, flags=re.M))  # code blocks and spans
    assert "$" not in prose and "\\frac" not in prose, "no LaTeX: Unicode math or code spans"
    assert not re.search(r"<(div|span|img|br|p|table|sub|sup|b|i)\b", prose), "no HTML outside code"
    assert "![" not in text, "no images"
    for name in ("pack_padded_sequence", "enforce_sorted=False", "padding_idx", "F1", "aclImdb"):
        assert name in text, name
