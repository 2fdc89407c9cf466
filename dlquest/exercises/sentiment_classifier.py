"""Exercise `sentiment_classifier` (unit project): an LSTM that tells positive movie reviews from negative ones.

The grader prepares the course's review data (dlquest/data/reviews/reviews.csv, its "train" split, 2400
reviews) the way the lesson does: every review cleaned as in `text_cleaning` (with the negations such as "not"
kept), encoded with a vocabulary as in `vocabulary` (min_freq=2; id 0 = <PAD>, id 1 = <UNK>) and padded on
the right with 0 as in `padding_collate`. Implement the two functions below. The grader checks exactly this:

``build_model(vocab_size, num_classes=2)`` returns a ``torch.nn.Module`` whose call
``model(tokens, lengths)`` returns the logits: a float tensor of shape (batch, num_classes), one raw score per
class (no softmax needed; the predicted class is the argmax).
- ``tokens``: int64 tensor (batch, width) of ids in [0, vocab_size); row i holds ``lengths[i]`` real tokens,
  then 0s. ``lengths``: int64 tensor (batch,) ON THE CPU, every length >= 1, in no particular order.
- Inside: an ``nn.Embedding(vocab_size, embedding_dim, padding_idx=0)``; then
  ``nn.utils.rnn.pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)``; an
  ``nn.LSTM(..., batch_first=True)`` run on that PackedSequence; and a linear layer on the LSTM's final hidden
  state h_n (for a bidirectional LSTM, both directions' final states side by side). The grader checks that
  the LSTM runs on a packed sequence.
- Padding must not change the result: in eval mode, the logits of a review inside a padded batch equal (to
  within 1e-5) its logits when it is alone in a batch exactly as wide as its length. (Packing guarantees this;
  running the LSTM over the padding, or reading its output at the last column, does not.)
- Parameters are created on the CPU; after ``model.to(device)`` the model must accept tokens on that device
  (lengths stay on the CPU: pack_padded_sequence wants them there).

``train_model(model, tokens, lengths, labels)`` trains ``model`` in place (the return value is ignored).
- ``tokens`` (N, width), ``lengths`` (N,) and ``labels`` (N,) are int64 tensors on the CPU: the training
  reviews, labels 1 = positive, 0 = negative.
- Afterwards the grader calls ``model.eval()`` and, under ``torch.no_grad()``,
  ``model(test_tokens, test_lengths).argmax(dim=1)`` on held-out reviews you never see the labels of: new
  reviews from the course's generator, drawn with a seed you do not know.
- Passes when at least 88% of the held-out predictions are right (``REQUIRED_ACCURACY``).
- Time budget: ``train_model`` should finish within ``TIME_BUDGET_SECONDS`` = 30 seconds on ONE CPU thread
  (the grader runs it with ``torch.set_num_threads(1)`` and stops building, training and predicting together
  after 60 seconds). No GPU, no network, no data of your own: train on what you are given.

Sizes that work: embedding_dim 32, hidden_size 32, one LSTM layer; ``nn.CrossEntropyLoss``;
``torch.optim.Adam`` with lr 0.01; shuffled mini-batches of 64 reviews (cut each batch's width to its longest
review to save time); about 6 epochs. That reaches about 94% in a few seconds. To try it yourself, run the
lesson's example (``dlquest run sentiment-analysis``), which prepares the same data.

Check your work with:  dlquest check sentiment_classifier
"""

import torch
import torch.nn as nn

REQUIRED_ACCURACY = 0.88
TIME_BUDGET_SECONDS = 30


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, num_classes=2, embedding_dim=32, hidden_size=32):
        super().__init__()
        # TODO: an embedding with padding_idx=0, an LSTM with batch_first=True, a linear classifier.
        raise NotImplementedError("SentimentLSTM.__init__")

    def forward(self, tokens, lengths):
        # TODO: embed, pack (enforce_sorted=False, lengths on the CPU), run the LSTM, classify h_n.
        raise NotImplementedError("SentimentLSTM.forward")


def build_model(vocab_size, num_classes=2):
    # TODO: return a fresh SentimentLSTM (or any module that keeps the contract above).
    raise NotImplementedError("build_model")


def train_model(model, tokens, lengths, labels):
    # TODO: a few epochs of shuffled mini-batches: zero_grad, forward, cross-entropy loss, backward, step.
    raise NotImplementedError("train_model")
