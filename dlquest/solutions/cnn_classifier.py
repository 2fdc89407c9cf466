"""Reference solution for `cnn_classifier`: two conv–BN–ReLU blocks, one pooling, a linear head; Adam."""

import torch
import torch.nn as nn

TIME_BUDGET_SECONDS = 20


def build_model():
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),   # (N, 16, 8, 8)
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),  # (N, 32, 8, 8)
        nn.MaxPool2d(2),                                                             # (N, 32, 4, 4)
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),
    )


def train_model(model, X_train, y_train):
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    epochs, batch_size = 12, 64
    steps = epochs * ((len(X_train) + batch_size - 1) // batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=4e-3, total_steps=steps)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_train))
        for start in range(0, len(X_train), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss_fn(model(X_train[batch]), y_train[batch]).backward()
            optimizer.step()
            scheduler.step()
    return model
