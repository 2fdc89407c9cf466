"""Exercise `python_idioms`: the Python that PyTorch code is made of: an iterable of batches, a callable
pipeline and a timing context manager (pure Python, no torch).

Implement the three pieces below. The grader checks exactly this contract:

``Batches(items, batch_size, shuffle=False, seed=0, drop_last=False)``, an iterable of batches, like a
small ``DataLoader``:

- ``items`` is a sequence (a list, tuple or range: it has ``len`` and indexing); never modify it.
  ``batch_size`` below 1 raises ``ValueError`` when the object is made.
- Iterating yields the batches of one *pass* over the items: each batch is a new ``list`` of ``batch_size``
  items, the last one shorter when ``len(items)`` is not a multiple of ``batch_size``. With
  ``drop_last=True`` that shorter last batch is left out. No items: no batches.
- Every ``for batch in batches`` (every call of ``iter``) starts a new pass from the beginning: the object
  can be iterated again and again, like a data loader over epochs (write ``__iter__`` as a generator).
- ``shuffle=False``: items in their order. ``shuffle=True``: make ONE ``random.Random(seed)`` in
  ``__init__``; at the start of every pass, shuffle a new list of the indices ``list(range(len(items)))``
  with that generator's ``shuffle`` method and take the items in that order. So each pass has a different
  order, and the same seed gives the same sequence of passes.
- ``len(batches)`` is the number of batches one pass yields (without iterating).

Example: ``list(Batches([1, 2, 3, 4, 5], 2))`` is ``[[1, 2], [3, 4], [5]]``; with ``drop_last=True`` it is
``[[1, 2], [3, 4]]``; ``len(Batches(range(5), 2))`` is 3.

``Pipeline(steps)``, a callable object, the way ``nn.Sequential`` is:

- ``steps`` is an iterable of callables (a list, or a generator). The pipeline keeps its own list of them:
  changing the list you passed afterwards changes nothing, and a generator is read once, at construction.
- ``pipeline(x)`` calls the first step on ``x``, the second on that result, and so on, and returns the last
  result; with no steps it returns ``x`` itself. A pipeline can be called any number of times.

Example: ``Pipeline([str.strip, str.lower])("  Hello ")`` is ``"hello"``.

``timed(record, name)``, a context manager (``with timed(record, "forward"): ...``):

- ``record`` is a dict. When the ``with`` body ends, add the seconds it took (a float from
  ``time.perf_counter()``) to ``record[name]``, starting from 0.0 when ``name`` is not there yet; timing the
  same name twice adds both times. Leave every other key alone.
- When the body raises, the time is still recorded, and the same exception goes on to the caller: never
  swallow it.

Check your work with:  dlquest check python_idioms
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any


class Batches:
    def __init__(self, items: Sequence[Any], batch_size: int, shuffle: bool = False, seed: int = 0,
                 drop_last: bool = False) -> None:
        # TODO: check batch_size, keep the arguments, and make one random.Random(seed) for the shuffled passes.
        raise NotImplementedError("Batches.__init__")

    def __iter__(self) -> Iterator[list[Any]]:
        # TODO: a generator: the order of this pass (shuffled or not), then one list per slice of it.
        raise NotImplementedError("Batches.__iter__")

    def __len__(self) -> int:
        # TODO: the number of batches of one pass, with and without drop_last.
        raise NotImplementedError("Batches.__len__")


class Pipeline:
    def __init__(self, steps: Iterable[Callable[[Any], Any]]) -> None:
        # TODO: keep a list of your own.
        raise NotImplementedError("Pipeline.__init__")

    def __call__(self, x: Any) -> Any:
        # TODO: feed each step the previous step's result.
        raise NotImplementedError("Pipeline.__call__")


def timed(record: dict[str, float], name: str):
    # TODO: a context manager (contextlib.contextmanager with try/finally, or a class with __enter__/__exit__).
    raise NotImplementedError("timed")
