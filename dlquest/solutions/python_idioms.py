"""Reference solution for `python_idioms`: a generator-based iterable, a callable object and a generator-based
context manager, each the smallest form the contract allows."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any


class Batches:
    def __init__(self, items: Sequence[Any], batch_size: int, shuffle: bool = False, seed: int = 0,
                 drop_last: bool = False) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.items = items
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        # One generator for the object's whole life: every pass draws the next order from it.
        self.rng = random.Random(seed)

    def __iter__(self) -> Iterator[list[Any]]:
        order = list(range(len(self.items)))
        if self.shuffle:
            self.rng.shuffle(order)
        stop = len(self) * self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield [self.items[i] for i in order[start:start + self.batch_size]]

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.items) // self.batch_size
        return -(-len(self.items) // self.batch_size)  # rounded up


class Pipeline:
    def __init__(self, steps: Iterable[Callable[[Any], Any]]) -> None:
        self.steps = list(steps)

    def __call__(self, x: Any) -> Any:
        for step in self.steps:
            x = step(x)
        return x


@contextlib.contextmanager
def timed(record: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        # finally: runs when the body raises too, and the exception then carries on to the caller.
        record[name] = record.get(name, 0.0) + (time.perf_counter() - start)
