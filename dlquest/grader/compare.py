"""The grader's one comparison helper.

Values from the learner and the reference arrive as plain data (wire.py). `assert_same` walks both, and for
arrays and tensors applies torch.testing's rule, |got − expected| ≤ atol + rtol·|expected| with NaN only
where the reference has NaN, with torch.testing's default tolerances for the reference's dtype unless the
check gives its own. A mismatch raises CheckFailed with structured feedback: shapes, dtypes, max absolute
and relative error, how many elements differ and the first differing index.

Dtype differences are reported, not fatal, unless the check passes `check_dtype=True` (the contract names
a dtype). Imports numpy only; torch tensors are converted through their own numpy view.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dlquest.grader.records import CheckFailed, Feedback
from dlquest.grader.wire import Foreign

# torch.testing.assert_close's defaults, by dtype (torch/testing/_comparison.py).
DEFAULT_TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}

# What the comparison walks: a value decoded by wire.py, or the reference's own — JSON-like data, numpy arrays,
# torch tensors (not imported here), Foreign. Any, because tensors are reached by duck typing.
Value = Any


def _is_array(value: Value) -> bool:
    return isinstance(value, np.ndarray) or type(value).__module__.startswith("torch") and hasattr(value, "shape")


def _dtype_name(value: Value) -> str:
    dtype = getattr(value, "dtype", None)
    return str(dtype).removeprefix("torch.") if dtype is not None else type(value).__name__


def _as_numpy(value: Value) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    tensor = value.detach().cpu()
    if str(tensor.dtype) == "torch.bfloat16":
        tensor = tensor.float()
    return tensor.numpy()


def _describe(value: Value) -> str:
    if isinstance(value, Foreign):
        return str(value)
    if _is_array(value):
        kind = "tensor" if not isinstance(value, np.ndarray) else "array"
        return f"a {kind} of shape {tuple(value.shape)}"
    return f"a {type(value).__name__}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def assert_same(got: Value, expected: Value, *, what: str = "result", rtol: float | None = None,
                atol: float | None = None, check_dtype: bool = False) -> list[Feedback]:
    """Raise CheckFailed unless `got` matches `expected`. Returns notes (dtype differences) when it does."""
    notes: list[Feedback] = []
    _compare(got, expected, what, rtol, atol, check_dtype, notes)
    return notes


def _compare(got: Value, expected: Value, what: str, rtol: float | None, atol: float | None, check_dtype: bool,
             notes: list[Feedback]) -> None:
    if isinstance(got, Foreign) or isinstance(expected, Foreign):
        if not (isinstance(got, Foreign) and isinstance(expected, Foreign) and got.type_name == expected.type_name):
            raise CheckFailed(Feedback("type_mismatch", {"what": what, "expected": _describe(expected),
                                                         "got": _describe(got)}))
        return
    if _is_array(expected):
        if not _is_array(got):
            raise CheckFailed(Feedback("type_mismatch", {"what": what, "expected": _describe(expected),
                                                         "got": _describe(got)}))
        _compare_arrays(got, expected, what, rtol, atol, check_dtype, notes)
        return
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise CheckFailed(Feedback("type_mismatch", {"what": what, "expected": "a dict", "got": _describe(got)}))
        if set(got) != set(expected):
            raise CheckFailed(Feedback("keys_mismatch", {"what": what, "expected": sorted(expected),
                                                         "got": sorted(got)}))
        for key in expected:
            _compare(got[key], expected[key], f"{what}[{key!r}]", rtol, atol, check_dtype, notes)
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            raise CheckFailed(Feedback("type_mismatch", {"what": what, "expected": f"a {type(expected).__name__}",
                                                         "got": _describe(got)}))
        if len(got) != len(expected):
            raise CheckFailed(Feedback("length_mismatch", {"what": what, "expected": len(expected),
                                                           "got": len(got)}))
        for index, (g, e) in enumerate(zip(got, expected, strict=True)):  # lengths compared above
            _compare(g, e, f"{what}[{index}]", rtol, atol, check_dtype, notes)
        return
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(got) is not type(expected) or got != expected:
            raise CheckFailed(Feedback("value_differs", {"what": what, "expected": _short(expected),
                                                         "got": _short(got)}))
        return
    if isinstance(expected, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)) and not _is_array(got):
            raise CheckFailed(Feedback("type_mismatch", {"what": what, "expected": "a number",
                                                         "got": _describe(got)}))
        got_value = _as_numpy(got) if _is_array(got) else got
        if _is_array(got) and np.asarray(got_value).size != 1:
            raise CheckFailed(Feedback("type_mismatch", {"what": what, "expected": "a number",
                                                         "got": _describe(got)}))
        _compare_arrays(np.asarray(got_value, dtype=np.float64).reshape(()),
                        np.asarray(expected, dtype=np.float64), what, rtol, atol, False, notes)
        return
    raise CheckFailed(Feedback("not_gradable", {"what": what, "reason": f"unsupported {type(expected).__name__}"}))


def _compare_arrays(got: Value, expected: Value, what: str, rtol: float | None, atol: float | None,
                    check_dtype: bool, notes: list[Feedback]) -> None:
    got_dtype, expected_dtype = _dtype_name(got), _dtype_name(expected)
    got_np, expected_np = _as_numpy(got), _as_numpy(expected)
    if got_np.shape != expected_np.shape:
        raise CheckFailed(Feedback("shape_mismatch", {"what": what, "expected": list(expected_np.shape),
                                                      "got": list(got_np.shape)}))
    if got_dtype != expected_dtype:
        feedback = Feedback("dtype_mismatch" if check_dtype else "dtype_note",
                            {"what": what, "expected": expected_dtype, "got": got_dtype})
        if check_dtype:
            raise CheckFailed(feedback)
        notes.append(feedback)
    default_rtol, default_atol = DEFAULT_TOLERANCES.get(expected_dtype, (0.0, 0.0))
    if got_dtype in DEFAULT_TOLERANCES and expected_dtype not in DEFAULT_TOLERANCES:
        default_rtol, default_atol = DEFAULT_TOLERANCES[got_dtype]
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    kind = np.complex128 if np.iscomplexobj(got_np) or np.iscomplexobj(expected_np) else np.float64
    g = got_np.astype(kind)
    e = expected_np.astype(kind)
    nan_g, nan_e = np.isnan(g), np.isnan(e)
    if (nan_g != nan_e).any():
        index = tuple(int(i) for i in np.argwhere(nan_g != nan_e)[0])
        raise CheckFailed(Feedback("nan_mismatch", {"what": what, "index": list(index)}))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.array(np.abs(g - e))  # np.array: stays an array (assignable) for 0-d values too
        diff[nan_e] = 0.0
        same_inf = np.isinf(g) & np.isinf(e) & (g == e)
        diff[same_inf] = 0.0
        bad = np.array(diff > atol + rtol * np.abs(e))
        bad |= np.isnan(diff)
    if not bad.any():
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(e) > 0, diff / np.abs(e), np.where(diff > 0, np.inf, 0.0))
    first = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    raise CheckFailed(Feedback("value_mismatch", {
        "what": what,
        "count": int(bad.sum()),
        "total": int(bad.size),
        "max_abs": _finite(np.nanmax(diff)),
        "max_rel": _finite(np.nanmax(rel)),
        "atol": atol,
        "rtol": rtol,
        "index": list(first),
        "expected": _scalar(e[first]),
        "got": _scalar(g[first]),
    }))


def _finite(value: np.number) -> float:
    number = float(np.real(value))
    return number if math.isfinite(number) else float("inf")


def _scalar(value: np.number) -> str:
    number = complex(value) if np.iscomplexobj(value) else float(value)
    return f"{number:.6g}" if isinstance(number, float) else str(number)
