"""Rules: what a check forbids, made unusable in the learner's child before the learner's module is loaded.

A check declares its rule at module level, `RULE = Rule(label, ops=..., python=...)`:

- `ops` are regular expressions, each matched in full against the dispatcher's operator names without their
  overload (`aten::conv2d`, `mkldnn::_convolution_pointwise`, `torchvision::nms`: torchvision's library is
  loaded for the planning where it is installed, without importing torchvision).
  Every overload of a matching operator gets a kernel that raises `ForbiddenCall(label)` on every dispatch key
  it has a kernel for (CPU, CUDA, Meta, Autograd, CompositeImplicitAutograd, …). Those kernels run below
  anything Python can switch off: `torch._C.DisableTorchFunction()`, popped mode stacks, `torch.ops.aten.*`
  overloads, backend operators, inference mode, custom autograd.Functions. They are registered through the
  dispatcher's own library handle, which is kept alive by a reference count that no Python object holds, so
  learner code cannot find (`gc.get_objects()`) and destroy it. They are never removed in that child.
- torch's Python decompositions of the forbidden operators (`torch._decomp`, `torch._refs`, `torch._prims`,
  the decomposition tables and an operator's Python kernels) are made unusable the same way: their code is
  replaced in place, so every reference to them raises.
- `python` names built-ins written in Python (`torch.optim.SGD`, `torch.nn.utils.clip_grad`,
  `torch.nn.functional.multi_head_attention_forward`, `torchvision.ops.box_iou`): a function, a class (every
  function it defines) or a module (every function and class defined in it). Operators cannot hold them, since
  they run the same operators as honest code; their code is replaced in place before the learner's module is
  imported, so a reference taken at import time, or through another module, raises too.

What it cannot do: code that uses `ctypes` can reach anything in its own process (call a kernel's C++ symbol,
rewrite memory), and code copied from torch's own source looks the same as the learner's own. What then still
protects the verdict is the sandbox (no other process image, no files outside, no network) and the comparison
in the grader's process: see docs/authoring.md.

The matching is done once per rule in the grader's process (`plan`, cached), the installing in each learner
child (`install`): ~10 ms for a rule of ~170 operators.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dlquest.grader.sandbox import ForbiddenCall

# Operator families that several checks forbid, as patterns over dispatcher names (tests/test_rules.py pins
# what each matches: every built-in of the family, and nothing named alike that is not one, such as
# aten::_convert_indices_from_coo_to_csr, prims::convert_element_type or inductor::_alloc_from_pool).
CONVOLUTION_OPS = r"\w+::\w*conv(?!ert)\w*"
POOLING_OPS = r"(aten|mkldnn|quantized|_quantized|torchvision)::\w*(pool|roi_align)\w*"
NORMALISATION_OPS = r"\w+::\w*(layer|group|batch|instance|rms)_norm\w*"
RECURRENT_OPS = r"\w+::\w*(rnn|lstm|gru)\w*"
ATTENTION_OPS = (r"aten::\w*(scaled_dot_product|flash_attention|efficient_attention|cudnn_attention"
                 r"|multi_head_attention)\w*")
LOSS_OPS = r"aten::\w*(loss|binary_cross_entropy|log_softmax|logsumexp|logcumsumexp)\w*"


@dataclass(frozen=True)
class Rule:
    """What one check forbids. `label` is what the learner reads ("your code called <label>")."""

    label: str
    ops: tuple[str, ...] = ()
    python: tuple[str, ...] = ()
    # Operator names the patterns would match but that are not the built-in (kept out explicitly).
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("ops", "python", "allow"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))

    def operators(self) -> tuple[str, ...]:
        """Every dispatcher operator (with overload, as `ns::name.overload`; `ns::name` for the default one)
        the rule forbids, sorted."""
        return _plan(self).operators

    def problems(self) -> list[str]:
        """What is wrong with this rule, for `dlquest course check`: a pattern that matches no operator, a
        Python name that does not resolve."""
        return list(_problems(self))


@functools.cache
def _problems(rule: Rule) -> tuple[str, ...]:
    problems = []
    for pattern in rule.ops:
        try:
            regex = re.compile(pattern)
        except re.error as err:
            problems.append(f"the operator pattern {pattern!r} is not a regular expression: {err}")
            continue
        if not any(regex.fullmatch(base) for _, base in _all_operators()):
            problems.append(f"the operator pattern {pattern!r} matches no dispatcher operator (patterns are "
                            "matched in full against names like 'aten::conv2d')")
    for name in rule.python:
        try:
            _resolve(name)
        except (ImportError, AttributeError) as err:
            problems.append(f"the Python name {name!r} does not resolve: {err}")
    return tuple(problems)


def declared_rule(module: types.ModuleType | None) -> Rule | None:
    """The rule a check module declares as `RULE`, or None."""
    rule = getattr(module, "RULE", None) if module is not None else None
    return rule if isinstance(rule, Rule) else None


# --- planning, in the grader's process -----------------------------------------------------------------------
@dataclass
class _Plan:
    operators: tuple[str, ...]
    kernels: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # namespace, name, keys
    functions: list[types.FunctionType] = field(default_factory=list)  # Python code to replace
    table_entries: list[tuple[dict, Any]] = field(default_factory=list)  # decomposition tables' entries
    overloads: list[Any] = field(default_factory=list)  # OpOverloads whose Python kernels to replace


_PLANS: dict[Rule, _Plan] = {}
_OPERATORS: list[tuple[str, str]] = []  # (name with overload, name without), of every dispatcher operator
_DECOMPOSITIONS: list[tuple[dict, Any, str, Any]] = []  # (table, overload, its name, function)
_REFERENCE_FUNCTIONS: list[tuple[str, types.FunctionType]] = []  # torch._decomp/_refs/_prims, by attribute


def _all_operators() -> list[tuple[str, str]]:
    import torch

    _load_torchvision_operators()
    if not _OPERATORS or ("torchvision" in sys.modules and not any(n.startswith("torchvision::")
                                                                   for n, _ in _OPERATORS)):
        _OPERATORS[:] = [(name, _base(name)) for name in torch._C._dispatch_get_all_op_names()]
    return _OPERATORS


_TORCHVISION_LOADED: list[bool] = []


def _load_torchvision_operators() -> None:
    """Register torchvision's operators here, where torchvision is installed, without importing it (~5 s):
    loading its library takes ~2 ms. A rule must see them before the learner's child is forked, or code there
    that imports torchvision gets operators the rule never saw (deform_conv2d with zero offsets is a
    convolution, roi_pool over a grid of boxes a max pooling)."""
    if _TORCHVISION_LOADED:
        return
    _TORCHVISION_LOADED.append(True)
    import importlib.util
    from pathlib import Path

    import torch

    try:
        spec = importlib.util.find_spec("torchvision")
    except (ImportError, ValueError):
        return
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for library in sorted(Path(folder).glob("_C*.so")):
            try:
                torch.ops.load_library(str(library))
            except (OSError, RuntimeError):
                pass  # a build torchvision itself could not load either: it has no operators to forbid
            return


def _decompositions() -> list[tuple[dict, Any, str, Any]]:
    """Every entry of torch's decomposition tables, with its operator's name (read once per process)."""
    if not _DECOMPOSITIONS:
        import torch._decomp

        for table in torch._decomp.global_decomposition_table.values():
            _DECOMPOSITIONS.extend((table, overload, _overload_name(overload), function)
                                   for overload, function in list(table.items()))
    return _DECOMPOSITIONS


def _reference_functions() -> list[tuple[str, types.FunctionType]]:
    """The functions of torch's Python decomposition and reference modules, by attribute name."""
    if not _REFERENCE_FUNCTIONS:
        for module_name, module in list(sys.modules.items()):
            if module is not None and module_name.startswith(("torch._decomp", "torch._refs", "torch._prims")):
                _REFERENCE_FUNCTIONS.extend((attribute, value) for attribute, value in list(vars(module).items())
                                            if isinstance(value, types.FunctionType))
    return _REFERENCE_FUNCTIONS


def _base(name: str) -> str:
    return name.split(".", 1)[0]


def _plan(rule: Rule) -> _Plan:
    plan = _PLANS.get(rule)
    if plan is None:
        plan = _PLANS[rule] = _make_plan(rule)
    return plan


def _make_plan(rule: Rule) -> _Plan:
    import torch

    pattern = re.compile("|".join(f"(?:{p})" for p in rule.ops)) if rule.ops else None
    allowed = set(rule.allow)

    def forbidden(base: str) -> bool:
        return pattern is not None and base not in allowed and pattern.fullmatch(base) is not None

    operators = tuple(sorted(name for name, base in _all_operators() if forbidden(base)))
    plan = _Plan(operators)
    for name in operators:
        namespace, op = name.split("::", 1)
        keys = tuple(_registered_keys(torch._C._dispatch_dump(name)))
        if keys:
            plan.kernels.append((namespace, op, keys))
    if operators:
        names = set(operators)
        # torch's Python decompositions of these operators: the tables, and every function of torch's
        # decomposition and reference modules whose name the rule's patterns match (helpers included:
        # torch._decomp.decompositions.one_layer_lstm is an LSTM as much as aten::lstm is).
        for table, overload, name, function in _decompositions():
            if name in names:
                plan.table_entries.append((table, overload))
                plan.overloads.append(overload)
                plan.functions.extend(_functions_of(function))
        for attribute, function in _reference_functions():
            if forbidden(f"aten::{attribute}") or forbidden(f"aten::{attribute.lstrip('_')}"):
                plan.functions.extend(_functions_of(function))
    for name in rule.python:
        plan.functions.extend(_functions_of(_resolve(name), deep=True))
    unique: dict[int, types.FunctionType] = {id(f): f for f in plan.functions}
    plan.functions = list(unique.values())
    return plan


def _overload_name(overload: Any) -> str:
    try:
        return str(overload.name())
    except Exception:  # noqa: BLE001 - a packet or a foreign key in a table: not an operator we can name
        return ""


_KEY_LINE = re.compile(r"^(\w+)(?:\[alias\])?: (?:fallthrough )?registered at", re.MULTILINE)


# Keys whose kernels only redispatch to the keys below them, where the rule's kernels are: autocast casts the
# inputs and the tracer records the call (the same operator), ADInplaceOrView bumps version counters (the same
# operator), functionalization calls the functional variant (the same name without its trailing underscore or
# .out overload, so matched by the same rule). Registering there too would add about half to the time a rule
# takes to install and forbid nothing more. Every other key with a kernel gets the rule's, since a kernel there
# may compute the result itself (a backend) or out of other operators (CompositeImplicitAutograd, the functorch
# batching decompositions); the autograd kernels stay covered too, to be safe with hand-written ones.
_REDISPATCH_ONLY = re.compile(r"Tracer|Autocast\w*|ADInplaceOrView|Functionalize")


def _registered_keys(dump: str) -> list[str]:
    """The dispatch keys (alias keys included) an operator has a kernel of its own for, from `_dispatch_dump`."""
    return [key for key in _KEY_LINE.findall(dump)
            if key not in ("debug", "schema", "name") and not _REDISPATCH_ONLY.fullmatch(key)]


def _resolve(dotted: str) -> Any:
    """The object a dotted name names: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            value: Any = importlib.import_module(module_name)
        except ImportError:
            if cut == 1:
                raise
            continue
        for attribute in parts[cut:]:
            value = getattr(value, attribute)
        return value
    raise ImportError(dotted)


def _functions_of(value: Any, deep: bool = False) -> list[types.FunctionType]:
    """The Python functions behind `value`: itself and what it wraps; with `deep`, every function a class
    defines, or every function and class a module defines."""
    found: list[types.FunctionType] = []
    seen: set[int] = set()

    def add(candidate: Any) -> None:
        while candidate is not None and id(candidate) not in seen:
            seen.add(id(candidate))
            if isinstance(candidate, (staticmethod, classmethod)):
                candidate = candidate.__func__
                continue
            if isinstance(candidate, property):
                for accessor in (candidate.fget, candidate.fset, candidate.fdel):
                    add(accessor)
                return
            if isinstance(candidate, functools.partial):
                candidate = candidate.func
                continue
            if isinstance(candidate, types.FunctionType):
                found.append(candidate)
            candidate = getattr(candidate, "__wrapped__", None) if not isinstance(candidate, type) else None

    if deep and isinstance(value, types.ModuleType):
        for member in list(vars(value).values()):
            if getattr(member, "__module__", None) == value.__name__:
                if isinstance(member, type):
                    for attribute in list(vars(member).values()):
                        add(attribute)
                else:
                    add(member)
    elif deep and isinstance(value, type):
        for attribute in list(vars(value).values()):
            add(attribute)
    else:
        add(value)
    return found


def prepare(rule: Rule | None) -> None:
    """Plan `rule` in this (the grader's) process, so that children forked later only install it."""
    if rule is not None:
        _plan(rule)
        _refusing_code(rule.label, 0)


# --- installing, in the learner's child ----------------------------------------------------------------------
def install(rule: Rule) -> int:
    """Make everything `rule` forbids raise ForbiddenCall in this process, for good. Returns how many
    kernels were registered. Call in the learner's child only, before its module is loaded."""
    plan = _plan(rule)
    refuse = _refusing_kernel(rule.label)
    count = 0
    handles: dict[str, Any] = {}
    refused: list[str] = []
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "overriding a previously registered kernel": expected, and not output
        for namespace, op, keys in plan.kernels:
            handle = handles.get(namespace)
            if handle is None:
                handle = handles[namespace] = torch._C._dispatch_library("IMPL", namespace, "", "dlquest rule", 0)
            for key in keys:
                try:
                    handle.impl(op, key, refuse)
                    count += 1
                except RuntimeError as err:  # none known in torch 2.14: a hole, so the grading must not go on
                    refused.append(f"{namespace}::{op} on {key}: {err}")
    # The handles own the registrations: destroying one removes them. Keep each alive by a reference that no
    # Python object holds, so nothing gc.get_objects() returns leads to it (the handles themselves are not
    # tracked by the garbage collector), and never release it.
    for handle in handles.values():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(handle))
    handles.clear()
    if refused:
        raise RuntimeError(f"the rule {rule.label!r} could not hold {len(refused)} kernels: {refused[0]}")
    for table, overload in plan.table_entries:
        table[overload] = refuse
    for overload in plan.overloads:
        for key in list(getattr(overload, "py_kernels", {})):
            overload.py_kernels[key] = refuse
        getattr(overload, "_dispatch_cache", {}).clear()
    for function in plan.functions:  # a function whose code cannot be replaced would be a hole: let it raise
        function.__code__ = _refusing_code(rule.label, len(function.__code__.co_freevars))
    return count


def _refusing_kernel(label: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ForbiddenCall(label)

    return refused


@functools.cache
def _refusing_code(label: str, freevars: int) -> types.CodeType:
    """Code that raises ForbiddenCall(label), with `freevars` free variables so that it can replace the code
    of a closure. It runs with the globals of the function it replaces, so it imports what it raises."""
    names = [f"_free{i}" for i in range(freevars)]
    lines = ["def _outer():"]
    lines += [f"    {name} = None" for name in names]
    lines += ["    def refused(*args, **kwargs):"]
    if names:
        lines += [f"        ({', '.join(names)},)"]
    lines += ["        from dlquest.grader.sandbox import ForbiddenCall",
              f"        raise ForbiddenCall({label!r})",
              "    return refused"]
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<dlquest rule: {label}>", "exec"), namespace)
    return namespace["_outer"]().__code__


def functions_disabled(rule: Rule) -> Iterable[types.FunctionType]:
    """The Python functions `install` replaces (for tests)."""
    return tuple(_plan(rule).functions)
