"""Exercise `vocabulary`: map tokens to integer ids and back (plain Python).

Implement the class below. The grader checks exactly this contract:

``Vocabulary(texts, min_freq=1)``
- ``texts``: a list of tokenised texts, each a list of str, e.g. [["a", "great", "film"], ["a", "dull", "one"]].
  The special tokens "<PAD>" and "<UNK>" never occur in it.
- Count how often every token occurs over all texts together.
- Build ``self.itos`` ("index to string"), a list of str:
      index 0: "<PAD>"   (the padding token),
      index 1: "<UNK>"   (stands for every token the vocabulary does not know),
      then every token whose count is >= min_freq, ordered by count, highest first; tokens with equal counts
      in the order of their FIRST occurrence (reading the texts in the given order, each from left to right).
- Build ``self.stoi`` ("string to index"), a dict str -> int with stoi[itos[i]] == i for every i
  (it holds "<PAD>" -> 0 and "<UNK>" -> 1 too).
- ``len(vocab)`` is len(self.itos): the kept tokens plus the two special ones.

``encode(tokens)``: a list of str -> a list of int: stoi[token], or 1 (the <UNK> id) for a token not in the
vocabulary (a rare one cut by min_freq, or one never seen). Same length as ``tokens``; [] gives [].

``decode(ids)``: a list of int (or a 1-D integer tensor) -> a list of str: itos[id] for every id, in order,
SKIPPING every 0 (padding is not part of the text); id 1 gives "<UNK>". So decode(encode(tokens)) gives the
tokens back, with "<UNK>" in place of the unknown ones.

Example:
    vocab = Vocabulary([["a", "good", "film"], ["a", "bad", "film"], ["a", "film"]], min_freq=2)
    vocab.itos            -> ["<PAD>", "<UNK>", "a", "film"]     (good and bad occur once: below min_freq)
    vocab.encode(["a", "good", "film"])  -> [2, 1, 3]
    vocab.decode([2, 1, 3, 0, 0])        -> ["a", "<UNK>", "film"]

Check your work with:  dlquest check vocabulary
"""

PAD, UNK = "<PAD>", "<UNK>"


class Vocabulary:
    def __init__(self, texts, min_freq=1):
        # TODO: count the tokens, then fill self.itos (PAD, UNK, then the kept tokens in the stated order)
        #       and self.stoi.
        raise NotImplementedError("Vocabulary.__init__")

    def __len__(self):
        raise NotImplementedError("Vocabulary.__len__")

    def encode(self, tokens):
        # TODO: one id per token; unknown tokens become 1.
        raise NotImplementedError("Vocabulary.encode")

    def decode(self, ids):
        # TODO: one token per id, skipping the padding id 0.
        raise NotImplementedError("Vocabulary.decode")
