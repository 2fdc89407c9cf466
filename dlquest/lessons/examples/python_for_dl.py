"""Example for the lesson "python-for-dl" / 深度学习中的 Python.

Run it with `dlquest run python-for-dl` (or `python dlquest/lessons/examples/python_for_dl.py`).
Plain Python (no torch), offline, deterministic apart from the measured times, well under a second.

1. Comprehensions: a vocabulary, a filter, zip and enumerate.
2. Classes and __call__: a tiny Module whose __call__ runs hooks around forward, as nn.Module does.
3. A pipeline: a callable object that applies its steps in order (the idea of nn.Sequential).
4. Generators: a one-shot generator against an iterable loader that shuffles every epoch.
5. Context managers: a timer that records even when its body raises, and a no_grad-shaped switch.
6. The recorded times as a bar chart in the terminal.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from termplot import heading


def part_comprehensions() -> list[list[str]]:
    heading("Comprehensions", "推导式")
    sentences = ["the cat sat", "the dog ran", "a cat ran"]
    tokens = [sentence.split() for sentence in sentences]
    words = sorted({word for sentence in tokens for word in sentence})
    vocab = {word: i for i, word in enumerate(words)}
    print("tokens / 分词:", tokens)
    print("vocab / 词表:", vocab)
    print("ids / 编号:", [[vocab[w] for w in sentence] for sentence in tokens])
    print("long words / 长词:", [w for w in words if len(w) > 2])
    for step, (sentence, ids) in enumerate(zip(sentences, tokens)):
        print(f"  step {step}: {sentence!r} has {len(ids)} tokens / 个词")
    return tokens


class Module:
    """The shape of nn.Module.__call__: hooks around forward, in plain Python."""

    def __init__(self) -> None:
        self.hooks: list[Callable[[Module, Any, Any], None]] = []

    def __call__(self, x: Any) -> Any:
        out = self.forward(x)
        for hook in self.hooks:            # nn.Module calls its forward hooks like this
            hook(self, x, out)
        return out

    def forward(self, x: Any) -> Any:
        raise NotImplementedError


class Scale(Module):
    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: float) -> float:
        return x * self.factor


class Shift(Module):
    def __init__(self, offset: float) -> None:
        super().__init__()
        self.offset = offset

    def forward(self, x: float) -> float:
        return x + self.offset


def part_call() -> None:
    heading("Classes and __call__", "类与 __call__")
    double = Scale(2)
    double.hooks.append(lambda module, x, out: print(f"  hook: {type(module).__name__}({x}) -> {out}"))
    print("double(21) =", double(21), "(through __call__, the hook ran / 经过 __call__，钩子运行了)")
    print("double.forward(21) =", double.forward(21), "(no hook / 没有钩子)")


class Pipeline:
    """A callable that feeds each step the previous step's result (nn.Sequential, transforms.Compose)."""

    def __init__(self, steps: Iterable[Callable[[Any], Any]]) -> None:
        self.steps = list(steps)

    def __call__(self, x: Any) -> Any:
        for step in self.steps:
            x = step(x)
        return x


def part_pipeline() -> None:
    heading("A pipeline of callables", "由可调用对象组成的流水线")
    clean = Pipeline([str.strip, str.lower, str.split])
    print("clean('  The Cat SAT  ') =", clean("  The Cat SAT  "))
    model = Pipeline([Scale(3), Shift(1), Scale(0.5)])
    print("Pipeline([Scale(3), Shift(1), Scale(0.5)])(5) =", model(5), "= (5 * 3 + 1) * 0.5")
    print("Pipeline([])('x') is 'x':", Pipeline([])("x"))


def batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


class Loader:
    """Iterable over and over: every for-loop calls __iter__ and gets a fresh generator (a new epoch)."""

    def __init__(self, items: Sequence[Any], size: int, seed: int = 0) -> None:
        self.items, self.size = items, size
        self.rng = random.Random(seed)     # made once: a new order every epoch, the same orders every run

    def __iter__(self) -> Iterator[list[Any]]:
        order = list(range(len(self.items)))
        self.rng.shuffle(order)
        for batch in batches(order, self.size):
            yield [self.items[i] for i in batch]

    def __len__(self) -> int:
        return -(-len(self.items) // self.size)


def part_generators() -> None:
    heading("Generators and iterables", "生成器与可迭代对象")
    one_shot = batches(list(range(5)), 2)
    print("first list(generator) / 第一次:", list(one_shot))
    print("second list(generator) / 第二次:", list(one_shot), "(used up / 已经用完)")
    loader = Loader(list("abcdefg"), 3, seed=0)
    print(f"len(loader) = {len(loader)} batches per epoch / 每个 epoch 的批次数")
    for epoch in range(2):
        print(f"  epoch {epoch}:", [batch for batch in loader])


@contextlib.contextmanager
def timer(record: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        record[name] = record.get(name, 0.0) + time.perf_counter() - start


class Switch:
    """The shape of torch.no_grad: remember the state, switch it off, put back what was remembered."""

    enabled = True

    def __enter__(self) -> Switch:
        self.previous = Switch.enabled
        Switch.enabled = False
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # returns None: an exception is never swallowed
        Switch.enabled = self.previous


def part_context_managers() -> dict[str, float]:
    heading("Context managers", "上下文管理器")
    record: dict[str, float] = {}
    with timer(record, "sum of squares"):
        sum(n * n for n in range(50_000))
    with timer(record, "sorting"):
        sorted(random.Random(1).random() for _ in range(20_000))
    try:
        with timer(record, "failing step"):
            sum(range(20_000))
            raise ValueError("a bad batch")
    except ValueError as error:
        print(f"the exception reached the caller / 异常传给了调用者: {error!r}")
    for name, seconds in record.items():
        print(f"  {name:15s} {seconds * 1000:7.2f} ms")
    print("before / 之前: enabled =", Switch.enabled)
    with Switch():
        print("inside / 之内: enabled =", Switch.enabled)
    print("after / 之后: enabled =", Switch.enabled)
    return record


def part_plot(record: dict[str, float]) -> None:
    heading("The recorded times", "记录下的时间")
    import plotext as plt

    fig = plt.figure
    fig.clear()
    fig.plot_size(60, 12)
    fig.title("milliseconds per block (varies from run to run)")
    fig.draw(fig.bar(list(record), [round(seconds * 1000, 2) for seconds in record.values()]))
    fig.show(colorless=not sys.stdout.isatty())


def main() -> None:
    part_comprehensions()
    part_call()
    part_pipeline()
    part_generators()
    part_plot(part_context_managers())


if __name__ == "__main__":
    main()
