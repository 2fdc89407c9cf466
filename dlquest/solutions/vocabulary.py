"""Reference solution for `vocabulary`."""

from collections import Counter

PAD, UNK = "<PAD>", "<UNK>"


class Vocabulary:
    def __init__(self, texts, min_freq=1):
        counts = Counter(token for text in texts for token in text)
        # most_common sorts by count only, and Python's sort is stable: equal counts keep the Counter's insertion
        # order, which is the order of first occurrence.
        kept = [token for token, count in counts.most_common() if count >= min_freq]
        self.itos = [PAD, UNK] + kept
        self.stoi = {token: index for index, token in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def encode(self, tokens):
        unknown = self.stoi[UNK]
        return [self.stoi.get(token, unknown) for token in tokens]

    def decode(self, ids):
        return [self.itos[int(index)] for index in ids if int(index) != 0]
