"""Example for the lesson "relu-lesson": what ReLU does to a few numbers, and the gradient it passes back.

Run it with `dlquest run relu-lesson`: offline and deterministic. `dlquest run` sets DLQUEST_LANG to the
learner's language, so the example speaks it too.
"""

import os

import torch

zh = os.environ.get("DLQUEST_LANG") == "zh"
x = torch.linspace(-2.0, 2.0, 9, requires_grad=True)
y = torch.where(x > 0, x, torch.zeros_like(x))  # ReLU, written the way the exercise asks
y.sum().backward()  # d(sum relu(x))/dx: 1 where x > 0, else 0

print(f"{'x':>6} {'relu(x)':>8} {'梯度' if zh else 'gradient':>9}")
for value, out, slope in zip(x.tolist(), y.tolist(), x.grad.tolist(), strict=True):
    print(f"{value:6.2f} {out:8.2f} {slope:9.1f}")
print("正的输入原样通过，梯度为 1；其余变为 0，不向回传递梯度。" if zh else
      "Positive inputs pass through with gradient 1; the rest become 0 and pass no gradient back.")
