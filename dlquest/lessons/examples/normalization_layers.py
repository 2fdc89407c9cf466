"""Example for the lesson "normalization-layers" / 归一化层：BatchNorm、LayerNorm、InstanceNorm 与 GroupNorm.

Run it with `dlquest run normalization-layers` (or `python dlquest/lessons/examples/normalization_layers.py`).
Offline, fixed seeds, a few seconds on a laptop CPU.

1. Batch normalisation by hand on a tiny batch, checked against nn.BatchNorm2d.
2. Training mode versus evaluation mode, and how the running statistics move (momentum, unbiased variance).
3. Which axes LayerNorm, InstanceNorm and GroupNorm average over, each checked against PyTorch.
4. An experiment: the same deep network trained with and without BatchNorm on the digits data set.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from termplot import heading, plot_curves

torch.set_num_threads(1)  # small tensors: one thread is faster and the timings are steadier
torch.set_flush_denormal(True)  # the vanishing gradients of part 4 would otherwise crawl through denormal floats


# --------------------------------------------------------------------------------------------
# 1. Batch norm by hand
# --------------------------------------------------------------------------------------------


def part_by_hand() -> None:
    heading("Batch normalisation by hand", "手算批归一化")
    # A batch of 2 images, 2 channels, 1 x 2 pixels: 4 values per channel.
    x = torch.tensor([[[[1.0, 3.0]], [[10.0, 10.0]]],
                      [[[5.0, 7.0]], [[20.0, 40.0]]]])
    print(f"x has shape {tuple(x.shape)} = (N, C, H, W) / 形状 (N, C, H, W)")
    for c in range(2):
        values = x[:, c].flatten()
        mean = values.mean()
        var = ((values - mean) ** 2).mean()  # biased: divide by m
        print(f"channel {c} / 通道 {c}: values {values.tolist()}  μ = {mean:.2f}  σ² = {var:.2f}")
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    x_hat = (x - mean) / torch.sqrt(var + 1e-5)
    print("x̂ for channel 0 / 通道 0 的 x̂：", [round(v, 4) for v in x_hat[:, 0].flatten().tolist()])
    bn = nn.BatchNorm2d(2)  # γ = 1, β = 0 at the start
    print(f"max |mine − nn.BatchNorm2d| / 与 nn.BatchNorm2d 的最大差：{(x_hat - bn(x)).abs().max():.2e}")


# --------------------------------------------------------------------------------------------
# 2. Train and eval, running statistics
# --------------------------------------------------------------------------------------------


def part_running_statistics() -> None:
    heading("Training mode, eval mode and running statistics", "训练模式、评估模式与滑动统计量")
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(1, momentum=0.1)
    data = [5 + 2 * torch.randn(8, 1, 4, 4) for _ in range(30)]  # the true mean is 5, the true variance 4
    means, variances = [], []
    bn.train()
    for batch in data:
        before = bn.running_var.clone()
        bn(batch)
        m = batch.numel()
        unbiased = batch.var(unbiased=True)
        expected = 0.9 * before + 0.1 * unbiased  # torch's convention, with the unbiased batch variance
        assert torch.allclose(bn.running_var, expected)
        means.append(bn.running_mean.item())
        variances.append(bn.running_var.item())
    print(f"after 1 batch / 第 1 批之后：running_mean = {means[0]:.3f}, running_var = {variances[0]:.3f}")
    print(f"after {len(data)} batches / 第 {len(data)} 批之后：running_mean = {means[-1]:.3f}, "
          f"running_var = {variances[-1]:.3f}  (true 5 and 4 / 真值 5 和 4)")
    print(f"num_batches_tracked = {int(bn.num_batches_tracked)};  m = {m} values per channel / 每通道 {m} 个值")
    plot_curves("running statistics / 滑动统计量 (momentum 0.1)", range(1, len(data) + 1),
                {"running_mean": means, "running_var": variances})

    single = torch.full((1, 1, 4, 4), 7.0)
    bn.train()
    print(f"train mode, a constant image of 7 → output mean {bn(single).mean():.3f} "
          "(its own batch statistics: everything becomes β) / 训练模式：输出全为 β")
    bn.eval()
    out = bn(single)
    by_hand = (7.0 - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps)
    print(f"eval mode → {out.mean():.3f} = (7 − running_mean) / √(running_var + ε) = {by_hand.item():.3f} "
          "/ 评估模式使用滑动统计量")


# --------------------------------------------------------------------------------------------
# 3. Which axes?
# --------------------------------------------------------------------------------------------


def normalise(x, dims, eps=1e-5):
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def part_axes() -> None:
    heading("Which axes each normalisation averages over", "各种归一化在哪些维度上求统计量")
    torch.manual_seed(1)
    x = 3 * torch.randn(4, 6, 5, 5) + torch.arange(6.0).reshape(1, 6, 1, 1)
    n, c = x.shape[:2]
    groups = 3
    rows = [
        ("BatchNorm2d", "(N, H, W)", "C", normalise(x, (0, 2, 3)), F.batch_norm(x, None, None, training=True)),
        ("LayerNorm", "(C, H, W)", "N", normalise(x, (1, 2, 3)), F.layer_norm(x, x.shape[1:])),
        ("InstanceNorm2d", "(H, W)", "N × C", normalise(x, (2, 3)), F.instance_norm(x)),
        (f"GroupNorm(G={groups})", "(C/G, H, W)", "N × G",
         normalise(x.reshape(n, groups, -1), (2,)).reshape(x.shape), F.group_norm(x, groups)),
    ]
    print(f"x: shape {tuple(x.shape)}  (N, C, H, W)")
    print(f"{'layer / 层':<18}{'averages over / 统计维度':<26}{'statistics per / 每组统计量':<24}{'max diff / 误差'}")
    for name, axes, per, mine, theirs in rows:
        print(f"{name:<18}{axes:<26}{per:<28}{(mine - theirs).abs().max():.1e}")
    print("GroupNorm with G = 1 is LayerNorm over (C, H, W); with G = C it is InstanceNorm.")
    print("G = 1 时 GroupNorm 等于在 (C, H, W) 上的 LayerNorm；G = C 时等于 InstanceNorm。")


# --------------------------------------------------------------------------------------------
# 4. With and without normalisation
# --------------------------------------------------------------------------------------------


def deep_net(norm: str) -> nn.Sequential:
    layers, width = [], 32
    for i in range(6):
        layers.append(nn.Linear(64 if i == 0 else width, width))
        if norm == "batch":
            layers.append(nn.BatchNorm1d(width))
        elif norm == "layer":
            layers.append(nn.LayerNorm(width))
        layers.append(nn.Sigmoid())
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def train(model, x, y, x_test, y_test, epochs=10, lr=0.2):
    generator = torch.Generator().manual_seed(0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), 32):
            idx = order[start:start + 32]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(x))
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    return losses, accuracy


def part_experiment() -> None:
    heading("Experiment: a deep sigmoid network with and without normalisation", "实验：有无归一化的深层 sigmoid 网络")
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32) / 16.0
    y = torch.tensor(digits.target)
    split = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    train_idx, test_idx = split[:1400], split[1400:]
    curves, summary = {}, []
    for norm, label in [("none", "no norm"), ("batch", "BatchNorm")]:
        torch.manual_seed(0)
        losses, accuracy = train(deep_net(norm), x[train_idx], y[train_idx], x[test_idx], y[test_idx])
        curves[label] = losses
        summary.append((label, losses[-1], accuracy))
    print("6 hidden layers of 32 sigmoid units, SGD lr 0.2, batch 32 / 6 个隐藏层，每层 32 个 sigmoid 单元")
    for label, loss, accuracy in summary:
        print(f"{label:<10} final loss {loss:.3f}  test accuracy {accuracy:.3f}  "
              f"/ 最终损失 {loss:.3f}，测试准确率 {accuracy:.3f}")
    plot_curves("training loss per epoch / 每轮训练损失", range(1, len(curves["no norm"]) + 1), curves)
    print("Without normalisation the loss hardly moves: the signal and its gradient fade through 6 sigmoids.")
    print("没有归一化时损失几乎不动：信号和梯度穿过 6 层 sigmoid 后逐渐衰减。")


def main() -> None:
    part_by_hand()
    part_running_statistics()
    part_axes()
    part_experiment()


if __name__ == "__main__":
    main()
