"""Exercise `seq2seq`: a GRU encoder–decoder trained with teacher forcing (PyTorch).

Implement the three modules below. The grader loads its own weights into them (through ``load_state_dict``,
so the attribute names are fixed) and checks exactly this contract:

``Encoder(vocab_size, emb_dim, hidden_size)`` — an ``nn.Module``:
- ``self.embedding = nn.Embedding(vocab_size, emb_dim)`` and
  ``self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)`` (one layer, one direction, with biases).
- ``forward(src)``: ``src`` holds token ids, shape (batch, src_len). Embed, run the GRU from a zero state,
  and return ``(outputs, hidden)`` exactly as the GRU returns them: outputs (batch, src_len, hidden_size),
  hidden (1, batch, hidden_size).

``Decoder(vocab_size, emb_dim, hidden_size)`` — an ``nn.Module`` that makes ONE step:
- ``self.embedding = nn.Embedding(vocab_size, emb_dim)``,
  ``self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)`` and ``self.fc = nn.Linear(hidden_size, vocab_size)``.
- ``forward(token, hidden)``: ``token`` holds one id per sequence, shape (batch,); ``hidden`` is
  (1, batch, hidden_size). Embed the tokens as a sequence of length 1, run one GRU step from ``hidden``,
  and return ``(logits, new_hidden)``: logits = fc(GRU output), shape (batch, vocab_size); new_hidden
  (1, batch, hidden_size).

``Seq2Seq(encoder, decoder)`` — an ``nn.Module`` that stores them as ``self.encoder`` and ``self.decoder``.
``forward(src, tgt, teacher_forcing_ratio=0.5, generator=None)``: ``tgt`` (batch, tgt_len) starts with the
<sos> token in column 0. Return ``outputs`` of shape (batch, tgt_len, vocab_size) (vocab_size of the decoder),
same dtype and device as the logits, computed as follows:
1. ``outputs[:, 0]`` stays all zeros (nothing is predicted for the <sos> position).
2. Encode ``src``; the encoder's final ``hidden`` is the decoder's first state (the context vector).
3. The first decoder input is ``tgt[:, 0]``. For t = 1, 2, …, tgt_len - 1, in order:
   a. ``logits, hidden = decoder(input, hidden)``; store ``outputs[:, t] = logits``.
   b. Draw ONE coin for the whole batch, exactly like this:
          teacher = torch.rand(1, generator=generator).item() < teacher_forcing_ratio
      (one draw at every step, the last one included; ``generator=None`` uses torch's global generator).
   c. The next input is ``tgt[:, t]`` (the ground truth) if ``teacher`` else ``logits.argmax(dim=1)``
      (the model's own prediction).
   So with ratio 1 every input is the ground truth, with ratio 0 every input is the model's own argmax,
   and with a seeded generator any ratio gives the same outputs as the reference.
- Gradients must flow from ``outputs`` back to every parameter that was used.

Check your work with:  dlquest check seq2seq
"""

import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        # TODO: super().__init__(), then self.embedding and self.rnn as the docstring says.
        raise NotImplementedError("Encoder.__init__")

    def forward(self, src):
        # TODO: embed, run the GRU, return (outputs, hidden).
        raise NotImplementedError("Encoder.forward")


class Decoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        # TODO: super().__init__(), then self.embedding, self.rnn and self.fc.
        raise NotImplementedError("Decoder.__init__")

    def forward(self, token, hidden):
        # TODO: one step: embed token (batch,) as (batch, 1, emb_dim), one GRU step, fc -> (batch, vocab_size).
        raise NotImplementedError("Decoder.forward")


class Seq2Seq(nn.Module):
    def __init__(self, encoder, decoder):
        # TODO: super().__init__(), keep both modules.
        raise NotImplementedError("Seq2Seq.__init__")

    def forward(self, src, tgt, teacher_forcing_ratio=0.5, generator=None):
        # TODO: encode, then decode step by step; one coin per step decides the next input.
        raise NotImplementedError("Seq2Seq.forward")
