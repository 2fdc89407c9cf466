"""What a check module uses, besides the fixtures `learner`, `reference`, `device` and `seed`.

A check is a pytest module. Its tests hand *probes* to the fixtures: a probe is a plain function
`probe(module, *args)` that calls into the exercise's module and returns plain data (numbers, strings,
lists, dicts, numpy arrays, tensors). `learner.run(probe, ...)` runs it in the sandbox against the learner's
file, `reference.run(probe, ...)` against the solution; `expect_same` does both and compares:

    def forward(module, x, weight):
        return module.conv2d(x, weight)

    def test_forward(learner, reference, device):
        x, weight = torch.randn(2, 3, 5, 5, dtype=torch.float64), torch.randn(4, 3, 3, 3, dtype=torch.float64)
        expect_same(learner, reference, forward, x, weight, device=device, what="output")

Probes run inside the learner's process and may be tampered with there; that is fine, because only the
data they return counts, and it is judged here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlquest.grader.compare import Value, assert_same
from dlquest.grader.rules import (
    ATTENTION_OPS,
    CONVOLUTION_OPS,
    LOSS_OPS,
    NORMALISATION_OPS,
    POOLING_OPS,
    RECURRENT_OPS,
    Rule,
)
from dlquest.grader.sandbox import ForbiddenCall

if TYPE_CHECKING:
    from dlquest.grader.plugin import SandboxedModule

__all__ = ["assert_same", "expect_same", "forbid_ops", "scrub", "to_device", "ForbiddenCall", "Rule",
           "ATTENTION_OPS", "CONVOLUTION_OPS", "LOSS_OPS", "NORMALISATION_OPS", "POOLING_OPS", "RECURRENT_OPS",
           "SCIKIT_LEARN_DATA", "held_out_hidden"]


def expect_same(learner: SandboxedModule, reference: SandboxedModule, probe: Callable[..., object], *args: object,
                what: str = "result", rtol: float | None = None, atol: float | None = None, check_dtype: bool = False,
                device: str = "cpu", **kwargs: object) -> None:
    """Run `probe` on the learner's code, then on the reference, and compare the results.

    The learner runs first on purpose: its process is forked from this one, so a reference result already
    computed here would be in its memory, for code that walks the stack to find it. For the same reason the
    reference's result is scrubbed once compared. Checks that call `reference.run` themselves should do both.
    """
    got = learner.run(probe, *args, device=device, **kwargs)
    expected = reference.run(probe, *args, device=device, **kwargs)
    try:
        notes = assert_same(got, expected, what=what, rtol=rtol, atol=atol, check_dtype=check_dtype)
    finally:
        # A failure's traceback keeps `expected` alive, and a later child forked from this process could find
        # it there (the same inputs come back in another test, or in a regrade). Leave nothing worth finding.
        scrub(expected)
    learner.note(*notes)


def scrub(value: Value) -> None:
    """Zero every array and tensor inside `value` and empty its lists and dicts, in place."""
    if isinstance(value, dict):
        for item in value.values():
            scrub(item)
        value.clear()
    elif isinstance(value, (list, tuple)):
        for item in value:
            scrub(item)
        if isinstance(value, list):
            value.clear()
    elif hasattr(value, "fill_") and hasattr(value, "shape"):
        value.detach().fill_(0)
    elif hasattr(value, "fill") and hasattr(value, "flags") and value.flags.writeable:
        value.fill(0)


def to_device(device: str, *values: object) -> object:
    """Inside a probe: move tensors to `device` (leaves everything else alone)."""
    moved = tuple(v.to(device) if hasattr(v, "to") and hasattr(v, "device") else v for v in values)
    return moved if len(moved) != 1 else moved[0]


@contextlib.contextmanager
def forbid_ops(pattern: str, label: str) -> Iterator[None]:
    """Inside a probe: fail with ForbiddenCall if a torch function whose Python name matches `pattern` runs.

    A courtesy check, not a guard: learner code switches a TorchFunctionMode off in one line
    (`torch._C.DisableTorchFunction()`), and raw operators never reach it. To forbid something, declare
    `RULE = Rule(...)` in the check module (rules.py, docs/authoring.md): its operators and built-ins cannot
    run at all in the learner's child. This stays for courses written before rules; it costs microseconds.
    A learner who catches the exception is still caught: the violation is raised again on exit.
    """
    from torch.overrides import TorchFunctionMode

    regex = re.compile(pattern)
    seen: list[str] = []

    class Guard(TorchFunctionMode):
        def __torch_function__(self, func: Callable[..., Any], types: Sequence[type], args: Sequence[Any] = (),
                               kwargs: dict[str, Any] | None = None) -> Any:
            name = getattr(func, "__name__", "") or str(func)
            if regex.search(name):
                seen.append(name)
                raise ForbiddenCall(label)
            return func(*args, **(kwargs or {}))

    with Guard():
        yield
    if seen:
        raise ForbiddenCall(label)


def _scikit_learn_data() -> tuple[Path, ...]:
    """scikit-learn's bundled data sets (load_digits, load_iris, …) and its download folder, found without
    importing it (~1.5 s)."""
    import importlib.util
    import os

    folders = [Path(os.environ.get("SCIKIT_LEARN_DATA", str(Path("~/scikit_learn_data").expanduser())))]
    spec = importlib.util.find_spec("sklearn")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folders += [Path(location) / "datasets" / name for name in ("data", "images", "descr")]
    return tuple(folders)


SCIKIT_LEARN_DATA = _scikit_learn_data()


def held_out_hidden(learner: SandboxedModule) -> bool:
    """Whether the check's HELD_OUT_DATA is hidden from the learner's child (by its mount namespace). Where it
    is not, a check perturbs the held-out inputs it passes, so that looking them up in a copy fails."""
    return bool(learner.protections.get("hidden_data"))
