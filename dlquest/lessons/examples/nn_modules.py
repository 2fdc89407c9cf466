"""Example for the lesson "nn-modules" / nn.Module：用层搭建模型.

Run it with `dlquest run nn-modules` (or `python dlquest/lessons/examples/nn_modules.py`).
Offline, fixed seeds, about a second on a laptop CPU.

1. A model as an nn.Module subclass: registered submodules, named parameters, counting them.
2. The same network three ways: Sequential, ModuleList, ModuleDict — and what a plain list loses.
3. Common layers and their shapes; train() vs eval() with Dropout and BatchNorm.
4. The weights of a Linear layer as a terminal heat map.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from termplot import heading, heat_map
from torch import nn


class TwoLayerNet(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()  # sets up the registries for parameters, buffers and submodules
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


class StackWithModuleList(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


class StackWithPlainList(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]  # NOT registered

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


class TwoHeads(nn.Module):
    """A shared body and a ModuleDict of heads chosen by name at call time."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 16), nn.ReLU())
        self.heads = nn.ModuleDict({"digit": nn.Linear(16, 10), "odd": nn.Linear(16, 2)})

    def forward(self, x, task):
        return self.heads[task](self.body(x))


def count(model, trainable_only=True):
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def part_module():
    heading("A model is an nn.Module", "模型就是一个 nn.Module")
    torch.manual_seed(0)
    model = TwoLayerNet(4, 8, 3)
    print(model)
    for name, p in model.named_parameters():
        print(f"  {name:14s} shape {tuple(p.shape)}  values {p.numel()}")
    print(f"parameters / 参数总数：{count(model)} = (4·8 + 8) + (8·3 + 3)")
    x = torch.randn(5, 4)
    print(f"input {tuple(x.shape)} -> output {tuple(model(x).shape)}")
    model.hidden.weight.requires_grad_(False)
    print(f"after freezing hidden.weight / 冻结 hidden.weight 后可训练参数：{count(model)}  (all / 全部 {count(model, False)})")


def part_containers():
    heading("Sequential, ModuleList, ModuleDict", "三种容器")
    sizes = [4, 16, 8, 3]
    torch.manual_seed(0)
    sequential = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))
    listed = StackWithModuleList(sizes)
    plain = StackWithPlainList(sizes)
    for name, model in [("Sequential", sequential), ("ModuleList", listed), ("plain list", plain)]:
        keys = list(model.state_dict())
        print(f"{name:11s} parameters {count(model):4d}   state_dict keys: {keys if keys else '(none!)'}")
    print("A plain Python list hides the layers: no parameters for the optimizer, nothing saved.")
    print("普通 Python 列表会把层藏起来：优化器拿不到参数，state_dict 也是空的。")
    # Only the names differ: rename Sequential's keys (0, 2, 4 -> layers.0, layers.1, layers.2) and load them.
    renamed = {f"layers.{int(k.split('.')[0]) // 2}.{k.split('.')[1]}": v for k, v in sequential.state_dict().items()}
    listed.load_state_dict(renamed)
    x = torch.randn(2, 4)
    with torch.no_grad():
        print(f"same weights, same outputs / 权重相同则输出相同：{torch.allclose(sequential(x), listed(x))}")
    heads = TwoHeads()
    x = torch.randn(3, 10)
    print(f"ModuleDict heads: digit -> {tuple(heads(x, 'digit').shape)}, odd -> {tuple(heads(x, 'odd').shape)}")


def part_layers():
    heading("Common layers and their shapes", "常用层及其形状")
    torch.manual_seed(0)
    examples = [
        ("nn.Linear(10, 5)", nn.Linear(10, 5), torch.randn(3, 10)),
        ("nn.Conv2d(3, 8, 3, padding=1)", nn.Conv2d(3, 8, 3, padding=1), torch.randn(2, 3, 16, 16)),
        ("nn.MaxPool2d(2)", nn.MaxPool2d(2), torch.randn(2, 8, 16, 16)),
        ("nn.BatchNorm1d(5)", nn.BatchNorm1d(5), torch.randn(4, 5)),
        ("nn.LayerNorm(5)", nn.LayerNorm(5), torch.randn(4, 5)),
        ("nn.Embedding(100, 6)", nn.Embedding(100, 6), torch.randint(0, 100, (2, 7))),
        ("nn.Flatten()", nn.Flatten(), torch.randn(2, 8, 4, 4)),
    ]
    for name, layer, x in examples:
        print(f"  {name:30s} {str(tuple(x.shape)):16s} -> {str(tuple(layer(x).shape)):16s} "
              f"parameters {count(layer)}")

    heading("train() and eval()", "训练模式与评估模式")
    dropout = nn.Dropout(p=0.5)
    x = torch.ones(8)
    torch.manual_seed(1)
    dropout.train()
    print(f"Dropout in train mode / 训练模式：{dropout(x).tolist()}")
    dropout.eval()
    print(f"Dropout in eval mode  / 评估模式：{dropout(x).tolist()}")
    bn = nn.BatchNorm1d(1)
    batch = torch.tensor([[1.0], [2.0], [3.0], [6.0]])
    bn.train()
    print(f"BatchNorm train: batch mean 3, output {[round(v, 3) for v in bn(batch).flatten().tolist()]}")
    print(f"  running_mean after one batch / 一个批次后的滑动均值：{bn.running_mean.item():.2f}  (= 0.9·0 + 0.1·3)")
    bn.eval()
    print(f"BatchNorm eval: uses the running statistics, output {[round(v, 3) for v in bn(batch).flatten().tolist()]}")


def part_weights():
    heading("Weights of a trained Linear layer", "训练后线性层的权重")
    # Learn y = x₀ − x₂ + 2·x₅ with one Linear(8, 3) layer whose three outputs should all learn it.
    torch.manual_seed(0)
    layer = nn.Linear(8, 3)
    X = torch.randn(256, 8)
    y = (X[:, 0] - X[:, 2] + 2 * X[:, 5]).unsqueeze(1).expand(-1, 3)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        F.mse_loss(layer(X), y).backward()
        optimizer.step()
    heat_map(layer.weight.detach(), "weight (3 outputs × 8 inputs); denser character = larger value / 字符越密数值越大")
    print("row 0:", [round(v, 2) for v in layer.weight[0].tolist()])


def main():
    torch.set_num_threads(1)
    part_module()
    part_containers()
    part_layers()
    part_weights()


if __name__ == "__main__":
    main()
