"""Example for the lesson "sentiment-analysis" / 文本情感分析实战.

Run it with `dlquest run sentiment-analysis` (or `python dlquest/lessons/examples/sentiment_analysis.py`).
It needs no network access, uses fixed seeds and finishes in about ten seconds on a laptop CPU.

By default it uses the course's own review data set (dlquest/data/reviews/reviews.csv: 2400 training and 600
test reviews, generated, shipped with the course). If you have downloaded the real IMDB data set yourself,
pass its folder and the same code runs on it (at most 2000 reviews per class and split, to stay quick):

    python sentiment_analysis.py /path/to/aclImdb        (folders aclImdb/{train,test}/{pos,neg}/*.txt)

1. Cleaning: lower-case, strip HTML and URLs, tokenise (nltk's wordpunct_tokenize), drop stop words but keep
   the negations.
2. A vocabulary (min_freq=2, <PAD>=0, <UNK>=1), encoding, padding and packing.
3. A bag-of-words baseline (logistic regression): what word counts alone can do.
4. An LSTM classifier on packed sequences; training curves in the terminal.
5. An LSTM with attention (padding masked); metrics: accuracy, precision, recall, F1, confusion matrix.
6. Reading the attention weights of a few reviews, token by token.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from collections import Counter
from pathlib import Path

import torch
from nltk.tokenize import wordpunct_tokenize
from termplot import heading, plot_curves
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

DATA_MODULE = Path(__file__).resolve().parents[2] / "data" / "reviews" / "reviews.py"


def load_data_module():
    """dlquest/data/reviews/reviews.py: the generator, the loaders and stop_words()."""
    spec = importlib.util.spec_from_file_location("course_reviews", DATA_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reviews = load_data_module()


# --------------------------------------------------------------------------------------------
# 1. Cleaning
# --------------------------------------------------------------------------------------------

HTML_TAG = re.compile(r"<[^>]*>")
URL = re.compile(r"https?://\S+|www\.\S+")


def clean_text(text, stop_words):
    """lower-case -> tags to spaces -> URLs to spaces -> wordpunct tokens -> alphabetic, not stop words."""
    text = URL.sub(" ", HTML_TAG.sub(" ", text.lower()))
    return [token for token in wordpunct_tokenize(text) if token.isalpha() and token not in stop_words]


def part_cleaning(texts):
    heading("Cleaning and tokenising", "文本清洗与分词")
    all_stop_words = reviews.stop_words()
    stop_words = all_stop_words - reviews.SENTIMENT_WORDS
    print(f"stop words: {len(all_stop_words)}; kept for sentiment / 为情感分析保留：{len(reviews.SENTIMENT_WORDS)} "
          f"(not, no, isn, didn, but, ...)")
    sample = next(t for t in texts if "<br />" in t and ("not" in t or "n't" in t))
    print(f"raw     / 原文：{sample[:150]}")
    print(f"cleaned / 清洗：{clean_text(sample, stop_words)[:22]}")
    demo = "The acting was NOT bad.<br />I didn't hate it! http://example.com"
    print(f"{demo!r}")
    print(f"  keeping negations  / 保留否定词：{clean_text(demo, stop_words)}")
    print(f"  the full stop list / 完整停用词表：{clean_text(demo, all_stop_words)}  <- the negation is gone / 否定没了")
    return stop_words


# --------------------------------------------------------------------------------------------
# 2. Vocabulary, encoding, padding, packing
# --------------------------------------------------------------------------------------------

class Vocabulary:
    def __init__(self, texts, min_freq=2):
        counts = Counter(token for text in texts for token in text)
        self.itos = ["<PAD>", "<UNK>"] + [t for t, c in counts.most_common() if c >= min_freq]
        self.stoi = {token: index for index, token in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def encode(self, tokens):
        return [self.stoi.get(token, 1) for token in tokens]

    def decode(self, ids):
        return [self.itos[int(i)] for i in ids if int(i) != 0]


def pad(sequences, max_len=None):
    """Right padding with 0; lengths as an int64 CPU tensor, ready for pack_padded_sequence."""
    sequences = [(s[:max_len] if max_len else s) or [1] for s in sequences]
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.int64)
    tokens = torch.zeros(len(sequences), int(lengths.max()), dtype=torch.int64)
    for row, s in enumerate(sequences):
        tokens[row, :len(s)] = torch.tensor(s)
    return tokens, lengths


def part_vocabulary(train_tokens, test_tokens):
    heading("Vocabulary, padding and packing", "词汇表、填充与打包")
    vocab = Vocabulary(train_tokens, min_freq=2)
    lengths = sorted(len(t) for t in train_tokens)
    print(f"vocabulary / 词汇表大小：{len(vocab)} (min_freq=2); most frequent / 最常见：{vocab.itos[2:12]}")
    print(f"tokens per review / 每条评论的词数：median {lengths[len(lengths) // 2]}, max {lengths[-1]}")
    unknown = sum(i == 1 for t in test_tokens for i in vocab.encode(t)) / sum(map(len, test_tokens))
    print(f"test tokens the vocabulary does not know / 测试集中的未登录词：{unknown:.1%}")
    ids = vocab.encode(test_tokens[0][:8] + ["zyzzyva"])
    print(f"encode: {ids}\ndecode: {vocab.decode(ids + [0, 0])}")
    short = [t for t in test_tokens if len(t) <= 10][:4]  # short reviews keep the printout narrow
    batch, batch_lengths = pad([vocab.encode(t) for t in short])
    print(f"a padded batch / 填充后的批次 (lengths {batch_lengths.tolist()}):\n{batch}")
    packed = pack_padded_sequence(batch.unsqueeze(-1).float(), batch_lengths, batch_first=True, enforce_sorted=False)
    print(f"packed batch_sizes / 每个时间步的有效序列数：{packed.batch_sizes.tolist()}  "
          f"(sum {int(packed.batch_sizes.sum())} = {int(batch_lengths.sum())} real tokens, no padding)")
    return vocab


# --------------------------------------------------------------------------------------------
# 3. Metrics, and a bag-of-words baseline
# --------------------------------------------------------------------------------------------

def metrics(predicted, labels):
    """Accuracy, precision, recall, F1 for the positive class (1), and the confusion matrix."""
    predicted, labels = torch.as_tensor(predicted), torch.as_tensor(labels)
    tp = int(((predicted == 1) & (labels == 1)).sum())
    tn = int(((predicted == 0) & (labels == 0)).sum())
    fp = int(((predicted == 1) & (labels == 0)).sum())
    fn = int(((predicted == 0) & (labels == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": (tp + tn) / len(labels), "precision": precision, "recall": recall, "f1": f1,
            "confusion": [[tn, fp], [fn, tp]]}


def show_metrics(name, m):
    (tn, fp), (fn, tp) = m["confusion"]
    print(f"{name}: accuracy {m['accuracy']:.3f}  precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
          f"F1 {m['f1']:.3f}")
    print("    confusion matrix / 混淆矩阵      predicted neg  predicted pos")
    print(f"    true neg / 真实负面          {tn:10d}  {fp:13d}")
    print(f"    true pos / 真实正面          {fn:10d}  {tp:13d}")


def part_baseline(vocab, train_tokens, train_labels, test_tokens, test_labels):
    heading("Baseline: bag of words + logistic regression", "基线：词袋模型 + 逻辑回归")
    from sklearn.linear_model import LogisticRegression

    def bag(texts):  # one row of word counts per review
        return torch.stack([torch.bincount(torch.tensor(vocab.encode(t) or [0], dtype=torch.int64),
                                           minlength=len(vocab)) for t in texts]).float().numpy()

    model = LogisticRegression(max_iter=1000).fit(bag(train_tokens), train_labels)
    m = metrics(model.predict(bag(test_tokens)), test_labels)
    show_metrics("bag of words / 词袋", m)
    print("word counts ignore order: 'not bad' and 'bad' look almost alike / 词袋忽略词序：'not bad' 与 'bad' 几乎一样")
    return m


# --------------------------------------------------------------------------------------------
# 4. An LSTM classifier on packed sequences
# --------------------------------------------------------------------------------------------

class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size, embedding_dim=32, hidden_size=32, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, num_classes)

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # the state after each review's last real token
        return self.classifier(h_n[-1])


class AttentionClassifier(nn.Module):
    """A bidirectional LSTM; attention weights over its outputs (padding masked out) give one summary vector."""

    def __init__(self, vocab_size, embedding_dim=32, hidden_size=24, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True, bidirectional=True)
        self.score = nn.Sequential(nn.Linear(2 * hidden_size, hidden_size), nn.Tanh(), nn.Linear(hidden_size, 1))
        self.classifier = nn.Linear(2 * hidden_size, num_classes)

    def forward(self, tokens, lengths, return_weights=False):
        packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, _ = self.lstm(packed)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=tokens.shape[1])  # (B, T, 2H)
        scores = self.score(outputs).squeeze(-1)  # (B, T)
        padding = torch.arange(tokens.shape[1])[None, :] >= lengths[:, None]
        weights = torch.softmax(scores.masked_fill(padding.to(scores.device), float("-inf")), dim=1)
        context = (weights.unsqueeze(-1) * outputs).sum(dim=1)  # (B, 2H)
        logits = self.classifier(context)
        return (logits, weights) if return_weights else logits


def train(model, train_data, test_data, epochs, lr=0.01, batch_size=64):
    tokens, lengths, labels = train_data
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(0)
    history = {"train loss": [], "test loss": [], "test accuracy": []}
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        order = torch.randperm(len(labels), generator=shuffle)
        for start in range(0, len(order), batch_size):
            b = order[start:start + batch_size]
            width = int(lengths[b].max())  # cut the batch to its longest review
            optimizer.zero_grad()
            loss = loss_fn(model(tokens[b, :width], lengths[b]), labels[b])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item() * len(b)
        test_loss, predicted = evaluate(model, test_data)
        accuracy = float((predicted == test_data[2]).float().mean())
        history["train loss"].append(total / len(labels))
        history["test loss"].append(test_loss)
        history["test accuracy"].append(accuracy)
        print(f"  epoch {epoch}  train loss {total / len(labels):.3f}  test loss {test_loss:.3f}  "
              f"test accuracy {accuracy:.3f}")
    return history


def evaluate(model, data):
    tokens, lengths, labels = data
    model.eval()
    with torch.no_grad():
        logits = model(tokens, lengths)
    return nn.functional.cross_entropy(logits, labels).item(), logits.argmax(dim=1)


def part_lstm(train_data, test_data, vocab):
    heading("An LSTM classifier on packed sequences", "基于打包序列的 LSTM 分类器")
    torch.manual_seed(0)
    model = LSTMClassifier(len(vocab))
    print(f"parameters / 参数个数：{sum(p.numel() for p in model.parameters()):,}")
    history = train(model, train_data, test_data, epochs=5)
    plot_curves("LSTM: loss per epoch / 每轮损失", range(1, 6),
                {"train": history["train loss"], "test": history["test loss"]})
    # Padding does not change the prediction: one review alone vs. inside the padded test batch.
    tokens, lengths, _ = test_data
    with torch.no_grad():
        alone = model(tokens[:1, :int(lengths[0])], lengths[:1])
        in_batch = model(tokens, lengths)[:1]
    print(f"one review alone vs. in the padded batch / 单独输入与批内输入的差异：{(alone - in_batch).abs().max():.1e}")
    _, predicted = evaluate(model, test_data)
    show_metrics("LSTM", metrics(predicted, test_data[2]))
    return model


# --------------------------------------------------------------------------------------------
# 5-6. Attention: train, measure, and read the weights
# --------------------------------------------------------------------------------------------

def bar(weight, width=30):
    return "█" * round(weight * width)


def part_attention(train_data, test_data, vocab, test_tokens, test_texts):
    heading("An LSTM with attention", "带注意力机制的 LSTM")
    torch.manual_seed(0)
    model = AttentionClassifier(len(vocab))
    train(model, train_data, test_data, epochs=4)
    _, predicted = evaluate(model, test_data)
    show_metrics("LSTM + attention", metrics(predicted, test_data[2]))

    heading("Reading the attention weights", "解读注意力权重")
    tokens, lengths, labels = test_data
    with torch.no_grad():
        logits, weights = model(tokens, lengths, return_weights=True)
    probabilities = torch.softmax(logits, dim=1)
    chosen = [i for i in range(len(test_texts)) if 6 <= int(lengths[i]) <= 12][:3]
    wrong = [i for i in range(len(test_texts)) if int(predicted[i]) != int(labels[i])][:1]
    for i in chosen + wrong:
        verdict = "positive / 正面" if int(predicted[i]) == 1 else "negative / 负面"
        truth = "positive" if int(labels[i]) == 1 else "negative"
        print(f"\nreview / 评论：{test_texts[i][:110]}{'…' if len(test_texts[i]) > 110 else ''}")
        print(f"predicted / 预测：{verdict} (p = {probabilities[i].max():.2f}), true label / 真实标签：{truth}"
              f"{'   <- a mistake / 预测错误' if i in wrong else ''}")
        for position in range(int(lengths[i])):
            word = vocab.itos[int(tokens[i, position])]
            shown = word if word != "<UNK>" else f"<UNK:{test_tokens[i][position]}>"
            print(f"  {shown:>18s} {float(weights[i, position]):.2f} {bar(float(weights[i, position]))}")
    print("\nthe weights sum to 1 over the real tokens; padding gets exactly 0 / 权重在真实词上求和为 1，填充位置为 0："
          f" {float(weights[chosen[0]].sum()):.3f}, {float(weights[chosen[0], int(lengths[chosen[0]]):].sum()):.1f}")


def main():
    start = time.time()
    torch.set_num_threads(1)  # models this small run fastest on one thread
    torch.manual_seed(0)
    path = sys.argv[1] if len(sys.argv) > 1 else None
    data = reviews.load_reviews(path, limit=2000 if path else None)
    print(f"data / 数据：{'IMDB at ' + path if path else 'the course reviews (dlquest/data/reviews/reviews.csv)'}; "
          f"{len(data['train'][0])} train, {len(data['test'][0])} test")
    train_texts, train_labels = data["train"]
    test_texts, test_labels = data["test"]
    stop_words = part_cleaning(train_texts)
    train_tokens = [clean_text(t, stop_words) for t in train_texts]
    test_tokens = [clean_text(t, stop_words) for t in test_texts]
    vocab = part_vocabulary(train_tokens, test_tokens)
    max_len = 200 if path else None  # IMDB reviews are long: keep the first 200 tokens
    train_data = (*pad([vocab.encode(t) for t in train_tokens], max_len), torch.tensor(train_labels))
    test_data = (*pad([vocab.encode(t) for t in test_tokens], max_len), torch.tensor(test_labels))
    part_baseline(vocab, train_tokens, train_labels, test_tokens, test_labels)
    part_lstm(train_data, test_data, vocab)
    part_attention(train_data, test_data, vocab, test_tokens, test_texts)
    print(f"\ndone in {time.time() - start:.1f} s / 用时 {time.time() - start:.1f} 秒")


if __name__ == "__main__":
    main()
