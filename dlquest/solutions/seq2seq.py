"""Reference solution for `seq2seq`."""

import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)

    def forward(self, src):
        return self.rnn(self.embedding(src))


class Decoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def forward(self, token, hidden):
        embedded = self.embedding(token.unsqueeze(1))  # (batch, 1, emb_dim)
        output, hidden = self.rnn(embedded, hidden)
        return self.fc(output.squeeze(1)), hidden


class Seq2Seq(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, src, tgt, teacher_forcing_ratio=0.5, generator=None):
        batch, tgt_len = tgt.shape
        fc = self.decoder.fc
        outputs = torch.zeros(batch, tgt_len, fc.out_features, dtype=fc.weight.dtype, device=fc.weight.device)
        _, hidden = self.encoder(src)
        token = tgt[:, 0]
        for t in range(1, tgt_len):
            logits, hidden = self.decoder(token, hidden)
            outputs[:, t] = logits
            teacher = torch.rand(1, generator=generator).item() < teacher_forcing_ratio
            token = tgt[:, t] if teacher else logits.argmax(dim=1)
        return outputs
