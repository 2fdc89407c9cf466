"""Reference solution for `vgg_blocks`: torchvision's make_layers recipe, and a global-average-pool head."""

import torch.nn as nn


def make_vgg_features(config, in_channels=3, batch_norm=False):
    layers = []
    channels = in_channels
    for value in config:
        if value == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(channels, value, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(value))
        layers.append(nn.ReLU(inplace=True))
        channels = value
    return nn.Sequential(*layers)


class TinyVGG(nn.Module):
    def __init__(self, config, num_classes, in_channels=3, batch_norm=False):
        super().__init__()
        last = [value for value in config if value != "M"][-1]
        self.features = make_vgg_features(config, in_channels, batch_norm)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(last, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(x.flatten(1))
