"""Reference solution for `sentiment_classifier`."""

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

REQUIRED_ACCURACY = 0.88
TIME_BUDGET_SECONDS = 30


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, num_classes=2, embedding_dim=32, hidden_size=32):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, num_classes)

    def forward(self, tokens, lengths):
        embedded = self.embedding(tokens)
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # h_n: (num_layers, batch, hidden), in the batch's own order
        return self.classifier(h_n[-1])


def build_model(vocab_size, num_classes=2):
    return SentimentLSTM(vocab_size, num_classes)


def train_model(model, tokens, lengths, labels, epochs=6, batch_size=64, lr=0.01):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(labels), generator=shuffle)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            batch_lengths = lengths[batch]
            batch_tokens = tokens[batch, :int(batch_lengths.max())]
            optimizer.zero_grad()
            loss = loss_fn(model(batch_tokens, batch_lengths), labels[batch])
            loss.backward()
            optimizer.step()
    return model
