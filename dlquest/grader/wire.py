"""Plain data across the sandbox boundary.

A probe's return value is turned into JSON in the (untrusted) child and read back in the (trusted) grader.
JSON cannot execute code when parsed, and `decode` accepts only the shapes `encode` writes: numbers,
strings, lists, dicts with string keys, and arrays (bytes + a whitelisted dtype + a shape) that come back as
numpy arrays or torch tensors. Anything else the learner returns arrives as a description of it
(`Foreign`), so an object whose `__eq__` always says True never reaches a comparison.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from dataclasses import dataclass
from typing import Any

# dtype names numpy can rebuild from raw bytes. bfloat16 travels as float32 with its name kept.
_ARRAY_DTYPES = {
    "float16", "float32", "float64", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
}
MAX_DEPTH = 32


class WireError(ValueError):
    """The data from the child is not something `encode` writes."""


@dataclass(frozen=True)
class Foreign:
    """A value of a type the wire does not carry: what it was, never the object itself."""

    type_name: str
    summary: str

    def __str__(self) -> str:
        return f"an object of type {self.type_name}"


# --- child side -------------------------------------------------------------------------------------
def encode(value: Any) -> bytes:
    return json.dumps(_to_plain(value, 0), allow_nan=False, separators=(",", ":")).encode()


def _float(value: float) -> float | dict:
    if math.isnan(value):
        return {"~": "float", "v": "nan"}
    if math.isinf(value):
        return {"~": "float", "v": "inf" if value > 0 else "-inf"}
    return value


def _to_plain(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return {"~": "foreign", "type": "deeply nested value", "summary": ""}
    # Exact type checks: a subclass of int or str may carry behaviour of its own.
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"~": "bigint", "v": str(value)}
    if kind is float:
        return _float(value)
    if kind in (list, tuple):
        return {"~": kind.__name__, "v": [_to_plain(v, depth + 1) for v in value]}
    if kind is dict:
        if all(type(k) is str for k in value):
            return {"~": "dict", "v": {k: _to_plain(v, depth + 1) for k, v in value.items()}}
    numpy = sys.modules.get("numpy")
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return _tensor(value, torch)
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return _array(numpy.asarray(value), "ndarray")
        if isinstance(value, numpy.generic):
            return {"~": "npscalar", "v": _array(numpy.asarray(value), "ndarray")}
    return {"~": "foreign", "type": f"{kind.__module__}.{kind.__qualname__}", "summary": _safe_repr(value)}


def _tensor(value: Any, torch: Any) -> dict:
    plain = torch.Tensor.as_subclass(value, torch.Tensor).detach().to("cpu").resolve_conj().resolve_neg()
    dtype = str(plain.dtype).removeprefix("torch.")
    if dtype == "bfloat16":
        plain = plain.float()
    encoded = _array(plain.contiguous().numpy(), "tensor")
    encoded["torch_dtype"] = dtype
    encoded["requires_grad"] = bool(value.requires_grad)
    encoded["device"] = str(value.device)
    return encoded


def _array(array: Any, kind: str) -> dict:
    if array.dtype.name not in _ARRAY_DTYPES:
        return {"~": "foreign", "type": f"array of {array.dtype}", "summary": ""}
    data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
    return {"~": kind, "dtype": array.dtype.name, "shape": list(array.shape), "b64": base64.b64encode(data).decode()}


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)[:200]
    except BaseException:  # noqa: BLE001 - learner code runs in repr; anything may happen there
        return "<repr failed>"


# --- grader side ------------------------------------------------------------------------------------
def decode(payload: bytes) -> Any:
    """The value `encode` wrote, or WireError for anything else (never another exception: a payload nested
    100,000 levels deep makes json.loads raise RecursionError, which is no ValueError)."""
    try:
        raw = json.loads(payload)
    except RecursionError:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as err:  # UnicodeDecodeError included
        raise WireError(f"not JSON: {err}") from None
    return _from_plain(raw, 0)


def _from_plain(raw: Any, depth: int) -> Any:
    if depth > MAX_DEPTH + 1:
        raise WireError("nested too deeply")
    if raw is None or isinstance(raw, (bool, str, int, float)):
        return raw
    if not isinstance(raw, dict) or "~" not in raw:
        raise WireError(f"unexpected {type(raw).__name__}")
    tag = raw["~"]
    if tag == "float":
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[_field(raw, "v", str)]
    if tag == "bigint":
        return int(_field(raw, "v", str))
    if tag in ("list", "tuple"):
        items = [_from_plain(v, depth + 1) for v in _field(raw, "v", list)]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {str(k): _from_plain(v, depth + 1) for k, v in _field(raw, "v", dict).items()}
    if tag == "ndarray":
        return _decode_array(raw)
    if tag == "npscalar":
        return _decode_array(_field(raw, "v", dict))[()]
    if tag == "tensor":
        import torch

        array = _decode_array(raw)
        tensor = torch.from_numpy(array.copy())
        if _field(raw, "torch_dtype", str) == "bfloat16":
            tensor = tensor.to(torch.bfloat16)
        return tensor
    if tag == "foreign":
        return Foreign(str(raw.get("type", "?"))[:200], str(raw.get("summary", ""))[:200])
    raise WireError(f"unknown tag {tag!r}")


def _field(raw: dict, key: str, kind: type) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind):
        raise WireError(f"field {key!r} should be {kind.__name__}")
    return value


def _decode_array(raw: dict) -> Any:
    import numpy

    dtype = _field(raw, "dtype", str)
    if dtype not in _ARRAY_DTYPES:
        raise WireError(f"dtype {dtype!r} not allowed")
    shape = _field(raw, "shape", list)
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise WireError("bad shape")
    data = base64.b64decode(_field(raw, "b64", str), validate=True)
    expected = numpy.dtype(dtype).newbyteorder("<")
    if len(data) != math.prod(shape) * expected.itemsize:
        raise WireError("array size does not match its shape")
    return numpy.frombuffer(data, dtype=expected).astype(dtype).reshape(shape)
