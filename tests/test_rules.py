"""Rules: a forbidden built-in cannot run in the learner's child, whatever the learner's code does.

For each of the 14 bundled checks that forbid something, a submission tries the built-in in every way we know
(a plain call; under `torch._C.DisableTorchFunction()`; with the torch-function mode stack popped; through
`torch.ops.aten` overloads and backend operators; inside a custom autograd.Function; by a name built at run
time; after destroying, through gc, every torch.library object it can find; in a fresh interpreter; through
torch's Python decompositions), each in the child that grading uses, set up by the check's own RULE. Each
must end with the feedback code that names the rule ("forbidden", with the rule's label; "no_exec" for a
fresh interpreter). Honest versions, as the lessons teach them, still pass whole gradings.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from dlquest.grader import rules, sandbox
from dlquest.grader.rules import Rule

CHECKS = Path(__file__).resolve().parents[1] / "dlquest" / "checks"


def check_rule(exercise: str) -> Rule:
    spec = importlib.util.spec_from_file_location(f"rule_of_{exercise}", CHECKS / f"test_{exercise}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rule = rules.declared_rule(module)
    assert rule is not None, f"checks/test_{exercise}.py declares no RULE"
    return rule


# --- what the patterns match: every built-in of the family, nothing named alike ------------------------------
def matches(pattern: str) -> set[str]:
    return {name.split(".")[0] for name in Rule("x", ops=[pattern]).operators()}


FAMILIES = {
    rules.CONVOLUTION_OPS: ({"aten::convolution", "aten::_convolution", "aten::conv2d", "aten::conv_tbc",
                             "aten::_slow_conv2d_forward", "aten::thnn_conv2d", "aten::mkldnn_convolution",
                             "aten::slow_conv_dilated2d", "aten::convolution_backward", "aten::cudnn_convolution",
                             "mkldnn::_convolution_pointwise", "quantized::conv2d", "torchvision::deform_conv2d"},
                            {"aten::_convert_indices_from_coo_to_csr", "prims::convert_element_type",
                             "aten::_convert_weight_to_int4pack", "aten::im2col", "aten::col2im"}),
    rules.POOLING_OPS: ({"aten::max_pool2d", "aten::avg_pool2d", "aten::max_pool2d_with_indices",
                         "aten::adaptive_avg_pool2d", "aten::fractional_max_pool2d", "aten::mkldnn_max_pool2d"},
                        {"inductor::_alloc_from_pool", "aten::max", "aten::amax", "torchvision::nms"}),
    rules.NORMALISATION_OPS: ({"aten::native_layer_norm", "aten::native_group_norm", "aten::native_batch_norm",
                               "aten::_native_batch_norm_legit", "aten::instance_norm", "aten::rms_norm",
                               "aten::_fused_rms_norm", "aten::cudnn_batch_norm"},
                              {"aten::linalg_vector_norm", "aten::norm", "aten::renorm", "aten::var_mean"}),
    rules.RECURRENT_OPS: ({"aten::rnn_tanh_cell", "aten::lstm_cell", "aten::gru_cell", "aten::lstm",
                           "aten::_thnn_fused_lstm_cell", "aten::_thnn_fused_gru_cell", "aten::mkldnn_rnn_layer"},
                          {"aten::_pack_padded_sequence", "aten::linear", "aten::sigmoid"}),
    rules.ATTENTION_OPS: ({"aten::scaled_dot_product_attention", "aten::_scaled_dot_product_attention_math",
                           "aten::_scaled_dot_product_flash_attention_for_cpu", "aten::_native_multi_head_attention"},
                          {"aten::_softmax", "aten::bmm", "aten::_masked_softmax"}),
    rules.LOSS_OPS: ({"aten::mse_loss", "aten::binary_cross_entropy", "aten::cross_entropy_loss",
                      "aten::nll_loss_nd", "aten::log_softmax", "aten::_log_softmax", "aten::logsumexp",
                      "aten::huber_loss", "aten::logcumsumexp"},
                     {"aten::_softmax", "aten::log", "aten::exp", "aten::amax", "aten::log_sigmoid_forward"}),
}


@pytest.mark.parametrize("pattern", list(FAMILIES))
def test_each_family_pattern_matches_its_built_ins_and_nothing_named_alike(pattern):
    must, must_not = FAMILIES[pattern]
    found = matches(pattern)
    assert must <= found, sorted(must - found)
    assert not (must_not & found), sorted(must_not & found)


def test_the_optimizer_and_clipping_patterns_leave_the_other_fused_kernels_alone():
    optimizers, clipping = check_rule("optimizers"), check_rule("grad_clip")
    names = {n.split(".")[0] for n in optimizers.operators()}
    assert {"aten::_fused_sgd_", "aten::_fused_adam_", "aten::_fused_adamw", "aten::_foreach_add_",
            "aten::_foreach_lerp_"} <= names
    assert not names & {"aten::_fused_dropout", "aten::_fused_sdp_choice", "aten::_fused_rms_norm",
                        "aten::_fused_moving_avg_obs_fq_helper", "aten::_foreach_abs", "aten::_foreach_sin"}
    assert {n.split(".")[0] for n in clipping.operators()} == {"aten::_foreach_norm", "aten::_foreach_mul",
                                                               "aten::_foreach_mul_", "aten::_foreach_powsum"}


RULED = ["conv2d", "conv_arithmetic", "pooling", "layer_group_norm", "batchnorm", "rnn_cell", "lstm_cell",
         "gru_cell", "attention", "multi_head_attention", "losses", "tensor_puzzles", "optimizers", "grad_clip"]


@pytest.mark.parametrize("exercise", RULED)
def test_every_bundled_rule_names_something_real(exercise):
    rule = check_rule(exercise)
    assert rule.problems() == []
    assert rule.operators() or rule.python, exercise


def test_a_pattern_that_matches_nothing_is_a_problem():
    rule = Rule("nothing", ops=[r"aten::no_such_operator\w*", r"conv"], python=["torch.optim.NoSuchThing"])
    problems = rule.problems()
    assert len(problems) == 3, problems  # "conv" alone matches in full no operator name either
    assert "aten::no_such_operator" in problems[0] and "'conv'" in problems[1] and "NoSuchThing" in problems[2]


def test_forbid_ops_still_works_for_courses_written_before_rules():
    """The older in-probe guard keeps its behaviour (a courtesy check: a TorchFunctionMode, caught again on exit)."""
    import torch

    from dlquest.grader.checklib import ForbiddenCall, forbid_ops

    with pytest.raises(ForbiddenCall, match="torch.relu"):
        with forbid_ops(r"relu", "torch.relu"):
            torch.relu(torch.ones(2))
    with pytest.raises(ForbiddenCall):
        with forbid_ops(r"relu", "torch.relu"):
            try:
                torch.relu(torch.ones(2))
            except ForbiddenCall:
                pass  # caught by the learner's code: raised again when the block ends
    with forbid_ops(r"relu", "torch.relu"):
        assert torch.where(torch.ones(2) > 0, 1.0, 0.0).sum() == 2


# --- the techniques, in the child grading uses -----------------------------------------------------------------
# Per check: set-up code, the Python built-in as (module, name, arguments), an aten overload and a backend
# operator (or None), a Python decomposition (or None, when torch has none of that operator), and whether the
# built-in is Python code (then the dispatcher-level techniques say nothing new and are left out).
CONV_SETUP = "x = torch.randn(1, 2, 5, 5, dtype=torch.float64); w = torch.randn(3, 2, 3, 3, dtype=torch.float64)"
CONV = dict(setup=CONV_SETUP, call=("torch.nn.functional", "conv2d", "x, w"),
            aten="torch.ops.aten.convolution.default(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)",
            backend="torch.ops.aten._slow_conv2d_forward(x, w, [3, 3], None, [1, 1], [0, 0])",
            decomposition=None)
NORM = dict(setup="x = torch.randn(2, 3, 4, dtype=torch.float64)", call=("torch.nn.functional", "layer_norm", "x, [4]"),
            aten="torch.ops.aten.native_layer_norm.default(x, [4], None, None, 1e-5)",
            backend="torch.ops.aten._native_batch_norm_legit.no_stats(x, None, None, True, 0.1, 1e-5)",
            decomposition="torch._decomp.decomposition_table[torch.ops.aten.native_group_norm.default]"
                          "(x, None, None, 2, 3, 4, 1, 1e-5)")
RECURRENT_SETUP = ("x = torch.randn(2, 3, dtype=torch.float64); h = torch.randn(2, 4, dtype=torch.float64); "
                   "wi = torch.randn(12, 3, dtype=torch.float64); wh = torch.randn(12, 4, dtype=torch.float64)")
RECURRENT = dict(setup=RECURRENT_SETUP, call=("torch", "gru_cell", "x, h, wi, wh"),
                 aten="torch.ops.aten.rnn_tanh_cell.default(x, h, wi[:4], wh[:4])",
                 backend="torch.ops.aten._thnn_fused_gru_cell(x @ wi.T, h @ wh.T, h)",
                 decomposition="torch._decomp.decompositions.gru_cell(x, h, wi, None, wh, None)")
SPECS = {
    "conv2d": CONV,
    "conv_arithmetic": dict(CONV, call=("torch.nn.functional", "conv2d", "x.to('meta'), w.to('meta')")),
    "pooling": dict(setup="x = torch.randn(1, 2, 4, 4, dtype=torch.float64)",
                    call=("torch.nn.functional", "max_pool2d", "x, 2"),
                    aten="torch.ops.aten.max_pool2d_with_indices.default(x, [2, 2])",
                    backend="torch.ops.aten.avg_pool2d.default(x, [2, 2])",
                    decomposition="torch._decomp.decomposition_table[torch.ops.aten.max_pool2d_with_indices"
                                  ".default](x, [2, 2])"),
    "layer_group_norm": NORM,
    "batchnorm": dict(NORM, call=("torch.nn.functional", "batch_norm", "x, None, None, training=True")),
    "rnn_cell": dict(RECURRENT, call=("torch", "rnn_tanh_cell", "x, h, wi[:4], wh[:4]")),
    "lstm_cell": dict(RECURRENT, call=("torch", "lstm_cell", "x, (h, h), torch.cat([wi, wi[:4]]), "
                                                            "torch.cat([wh, wh[:4]])")),
    "gru_cell": RECURRENT,
    "attention": dict(setup="q = torch.randn(1, 3, 4, dtype=torch.float64)",
                      call=("torch.nn.functional", "scaled_dot_product_attention", "q, q, q"),
                      aten="torch.ops.aten._scaled_dot_product_attention_math.default(q, q, q)",
                      backend="torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default(q, q, q)",
                      decomposition="torch._decomp.decomposition_table[torch.ops.aten."
                                    "_scaled_dot_product_flash_attention_for_cpu.default](q, q, q)"),
    "losses": dict(setup="x = torch.randn(4, 3, dtype=torch.float64); t = torch.tensor([0, 2, 1, 0])",
                   call=("torch.nn.functional", "cross_entropy", "x, t"),
                   aten="torch.ops.aten.log_softmax.int(x, 1)",
                   backend="torch.ops.aten._log_softmax.default(x, 1, False)",
                   decomposition="torch._decomp.decomposition_table[torch.ops.aten._log_softmax.default]"
                                 "(x, 1, False)"),
    "tensor_puzzles": dict(setup="t = torch.tensor([0, 2, 1])", call=("torch.nn.functional", "one_hot", "t, 3"),
                           aten="torch.ops.aten.one_hot.default(t, 3)", backend=None,
                           decomposition="torch._decomp.decompositions.one_hot(t, 3)"),
    "multi_head_attention": dict(
        setup="q = torch.randn(1, 3, 4)", python=True,
        call=("torch.nn", "MultiheadAttention", "4, 2, batch_first=True)(q, q, q"),
        aten="torch.nn.functional.multi_head_attention_forward(q.transpose(0, 1), q.transpose(0, 1), "
             "q.transpose(0, 1), 4, 2, torch.randn(12, 4), torch.zeros(12), None, None, False, 0.0, "
             "torch.randn(4, 4), torch.zeros(4))",
        backend="torch.ao.nn.quantizable.MultiheadAttention(4, 2)(q, q, q)", decomposition=None),
    "optimizers": dict(
        setup="p = torch.nn.Parameter(torch.ones(3)); p.grad = torch.ones(3)", python=True,
        call=("torch.optim", "SGD", "[p], lr=0.1).step("),
        aten="importlib.import_module('torch.optim.sgd').sgd([p], [p.grad], [None], weight_decay=0.0, momentum=0.0, "
             "lr=0.1, dampening=0.0, nesterov=False, maximize=False)",
        backend="torch._foreach_add_([p], [p.grad], alpha=-0.1)", decomposition=None),
    "grad_clip": dict(
        setup="p = torch.nn.Parameter(torch.ones(3)); p.grad = torch.ones(3) * 5", python=True,
        call=("torch.nn.utils", "clip_grad_norm_", "[p], 1.0"),
        aten="torch.nn.utils.get_total_norm([p.grad])", backend="torch._foreach_norm([p.grad])",
        decomposition=None),
}


def builtin(spec: dict) -> str:
    module, name, args = spec["call"]
    return f"importlib.import_module({module!r}).{name}({args})"


def techniques(spec: dict) -> dict[str, str]:
    """Source of `cheat()` for each technique: it returns what the built-in computes."""
    module, name, args = spec["call"]
    call = builtin(spec)
    found = {
        "plain": f"return {call}",
        "disable_torch_function": f"with torch._C.DisableTorchFunction():\n    return {call}",
        "popped_modes": textwrap.dedent(f"""\
            modes = []
            while torch._C._len_torch_function_stack() > 0:
                modes.append(torch._C._pop_torch_function_stack())
            try:
                with torch._C._DisableTorchDispatch():
                    return {call}
            finally:
                for mode in reversed(modes):
                    torch._C._push_on_torch_function_stack(mode)"""),
        "autograd_function": textwrap.dedent(f"""\
            class Builtin(torch.autograd.Function):
                @staticmethod
                def forward(ctx, dummy):
                    return {call}
            return Builtin.apply(torch.zeros(1, requires_grad=True))"""),
        "name_built_at_run_time": (f"return getattr(importlib.import_module({module!r}), "
                                   f"{name[:3]!r} + {name[3:]!r})({args})"),
        "gc_destroyed": textwrap.dedent(f"""\
            import gc
            for found in gc.get_objects():
                try:
                    if isinstance(found, torch.library.Library):
                        found._destroy()
                    elif type(found).__name__ == "_DispatchModule":
                        found.reset()
                    for inner in gc.get_referents(found):
                        if type(inner).__name__ == "_DispatchModule":
                            inner.reset()
                except Exception:
                    pass
            return {call}"""),
        "fresh_interpreter": textwrap.dedent(f"""\
            import subprocess, sys
            code = "import importlib, torch; " + {spec['setup']!r} + "; print({call})"
            return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout"""),
    }
    if spec.get("aten"):
        found["aten_overload" if not spec.get("python") else "python_functional"] = f"return {spec['aten']}"
    if spec.get("backend"):
        found["backend_operator" if not spec.get("python") else "python_elsewhere"] = f"return {spec['backend']}"
    if spec.get("decomposition"):
        found["python_decomposition"] = f"return {spec['decomposition']}"
    found["taken_at_import"] = f"return _TAKEN_AT_IMPORT({args})"
    return found


def submission(spec: dict) -> str:
    """A module with one function per technique, `cheat_<technique>()`, and a reference to the built-in taken
    when it was imported (after the rule was installed: that reference is the replaced one too)."""
    module, name, _ = spec["call"]
    lines = ["import importlib", "import torch", "import torch._decomp", "import torch._decomp.decompositions",
             "import torch.ao.nn.quantizable", "import torch.nn.utils",
             f"from {module} import {name} as _TAKEN_AT_IMPORT", ""]
    for technique, body in techniques(spec).items():
        lines.append(f"def cheat_{technique}():")
        lines.append(textwrap.indent(spec["setup"], "    "))
        lines.append(textwrap.indent(body, "    "))
        lines.append("")
    return "\n".join(lines)


def run_cheat(module: object, technique: str) -> object:
    """The probe: call one technique's cheat in the learner's child."""
    value = getattr(module, f"cheat_{technique}")()
    return repr(value)[:200]


CASES = [(exercise, technique) for exercise in RULED for technique in techniques(SPECS[exercise])]


@pytest.fixture(scope="module")
def ruled_sessions(tmp_path_factory):
    """One child per check, as grading makes it: the check's RULE installed, execve refused, then the
    submission loaded. gc_destroyed runs in a child of its own (it wrecks torch's own libraries)."""
    sessions: dict[tuple[str, bool], sandbox.ProbeSession] = {}

    def get(exercise: str, alone: bool) -> sandbox.ProbeSession:
        key = (exercise, alone)
        if key not in sessions:
            path = tmp_path_factory.mktemp(exercise) / "submission.py"
            path.write_text(submission(SPECS[exercise]))
            rule = check_rule(exercise)
            rules.prepare(rule)
            from dlquest.grader import seccomp

            seccomp.available()
            sessions[key] = sandbox.ProbeSession(path, limits=sandbox.Limits(wall_time=60),
                                                 confine=sandbox.Confinement(rule=rule))
        return sessions[key]

    yield get
    for session in sessions.values():
        session.close()


@pytest.mark.grading  # learner code in a child (the tests above are cheap)
@pytest.mark.parametrize("exercise, technique", CASES)
def test_the_forbidden_built_in_cannot_run(ruled_sessions, exercise, technique):
    session = ruled_sessions(exercise, technique == "gc_destroyed")
    result = session.call(run_cheat, (technique,))
    assert not result.ok, f"{technique} computed the built-in: {result.value}"
    assert result.feedback is not None
    if technique == "fresh_interpreter":
        assert result.feedback.code == "no_exec", result.feedback
        assert result.protections.get("no_exec") is True
    else:
        assert result.feedback.code == "forbidden", result.feedback
        assert result.feedback.values["op"] == check_rule(exercise).label


def dispatch_handles(module: object) -> int:
    """The probe: how many dispatcher library handles learner code could find through the garbage collector."""
    import gc

    found = set()
    for candidate in gc.get_objects():
        for inner in (candidate, *gc.get_referents(candidate)):
            if type(inner).__name__ == "_DispatchModule":
                found.add(id(inner))
    return len(found)


@pytest.mark.grading
def test_the_rule_leaves_nothing_for_gc_to_find(tmp_path):
    """The rule's registrations live in handles no Python object refers to: a child with the conv rule
    installed has exactly as many findable handles as one without (torch's own)."""
    path = tmp_path / "conv2d.py"
    path.write_text("import torch\n")
    rule = check_rule("conv2d")
    rules.prepare(rule)
    counts = []
    for confine in (sandbox.Confinement(), sandbox.Confinement(rule=rule)):
        with sandbox.ProbeSession(path, confine=confine) as session:
            result = session.call(dispatch_handles)
            assert result.ok, result.feedback
            counts.append(result.value)
    assert counts[0] == counts[1], counts


# --- whole gradings: a cheat fails every test with the rule's feedback, honest versions pass ---------------------
def forbidden_everywhere(record, label: str) -> None:
    assert record.outcome == "failed", record.outcome
    for test in record.tests:
        assert test.outcome == "failed", test.test
        assert [f.code for f in test.feedback][:1] == ["forbidden"], (test.test, test.feedback)
        assert test.feedback[0].values["op"] == label


GRADED_CHEATS = {
    "conv2d": '''
import torch
import torch.nn.functional as F

def conv2d(input, weight, bias=None, stride=1, padding=0):
    with torch._C.DisableTorchFunction():
        return F.conv2d(input, weight, bias, stride=stride, padding=padding)
''',
    "pooling": '''
import torch

def _call(name, x, kernel_size, stride):
    modes = []
    while torch._C._len_torch_function_stack() > 0:
        modes.append(torch._C._pop_torch_function_stack())
    try:
        return getattr(torch.ops.aten, name)(x, [kernel_size] * 2, [stride or kernel_size] * 2)
    finally:
        for mode in reversed(modes):
            torch._C._push_on_torch_function_stack(mode)

def max_pool2d(x, kernel_size, stride=None):
    return _call("max_pool2d", x, kernel_size, stride)

def avg_pool2d(x, kernel_size, stride=None):
    return _call("avg_pool2d", x, kernel_size, stride)
''',
}


@pytest.mark.parametrize("exercise", list(GRADED_CHEATS))
def test_a_cheat_fails_every_test_with_the_rule(grade_source, exercise):
    forbidden_everywhere(grade_source(exercise, GRADED_CHEATS[exercise]), check_rule(exercise).label)


def test_torch_optim_taken_at_import_is_the_replaced_one(grade_source, course):
    solution = course.path(course.exercises["optimizers"].solution).read_text()
    cheat = solution + '''
from torch.optim import SGD as _TorchSGD, Adam as _TorchAdam

class SGD(_TorchSGD):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr=lr, momentum=momentum, weight_decay=weight_decay)

class Adam(_TorchAdam):
    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
'''
    record = grade_source("optimizers", cheat)
    assert record.outcome == "failed"
    assert not [t.test for t in record.tests if t.outcome == "passed"]
    assert {f.code for t in record.tests for f in t.feedback} == {"forbidden"}


HONEST = {
    # F.unfold (im2col) + one matrix product, as the lesson's fast version does.
    "conv2d_unfold_matmul": ("conv2d", '''
import torch.nn.functional as F

def conv2d(input, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = input.shape
    o, _, kh, kw = weight.shape
    columns = F.unfold(input, (kh, kw), padding=(ph, pw), stride=(sh, sw))
    out = (weight.reshape(o, -1) @ columns).reshape(n, o, (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)
'''),
    # The convolution theorem: a cross-correlation is a product of spectra (the kernel flipped).
    "conv2d_fft": ("conv2d", '''
import torch
import torch.nn.functional as F

def conv2d(input, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    x = F.pad(input, (pw, pw, ph, ph))
    h, w = x.shape[-2:]
    kh, kw = weight.shape[-2:]
    spectrum = torch.einsum("nchw,ochw->nohw", torch.fft.rfft2(x, s=(h, w)),
                            torch.fft.rfft2(weight.flip(-2, -1), s=(h, w)))
    out = torch.fft.irfft2(spectrum, s=(h, w))[..., kh - 1:, kw - 1:][..., ::sh, ::sw]
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)
'''),
    # Windows by Tensor.unfold, then max and mean over them.
    "pooling_unfold": ("pooling", '''
def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)

def _windows(x, kernel_size, stride):
    (kh, kw), (sh, sw) = _pair(kernel_size), _pair(stride or kernel_size)
    return x.unfold(2, kh, sh).unfold(3, kw, sw)

def max_pool2d(x, kernel_size, stride=None):
    return _windows(x, kernel_size, stride).amax(dim=(-2, -1))

def avg_pool2d(x, kernel_size, stride=None):
    return _windows(x, kernel_size, stride).mean(dim=(-2, -1))
'''),
}


@pytest.mark.parametrize("name", list(HONEST))
def test_honest_versions_still_pass(grade_source, name):
    exercise, source = HONEST[name]
    record = grade_source(exercise, source)
    assert record.outcome == "passed", [(t.test, t.feedback) for t in record.tests if t.outcome != "passed"]


@pytest.mark.grading  # course check grades the reference and the stub
def test_course_check_fails_a_rule_that_matches_nothing(tmp_path):
    """A rule whose pattern names no operator protects nothing: `dlquest course check` says so, for the check
    and the pattern, and a learner's grading is an error of the course, not a pass."""
    import shutil

    from dlquest.authoring import check_course
    from dlquest.course import load_course

    root = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "docs" / "example-course", root)
    check = root / "checks" / "test_relu.py"
    source = check.read_text()
    assert 'ops=["aten::relu",' in source
    check.write_text(source.replace('ops=["aten::relu",', 'ops=["aten::relu_by_hand",'))
    problems = check_course(load_course(root))
    assert problems, "a rule that matches no operator passed course check"
    text = "\n".join(map(str, problems))
    assert "'aten::relu_by_hand' matches no dispatcher operator" in text, text


@pytest.mark.grading
def test_without_seccomp_the_grading_says_the_protection_is_off(tmp_path, monkeypatch):
    """Where libseccomp (or its binding) is missing, the child runs without the filter and the protections
    say so; the record's list of protections that are off names it, in both languages."""
    from dlquest.grader import seccomp
    from dlquest.grader.records import GradeRecord
    from dlquest.render import protections_off

    monkeypatch.setattr(seccomp, "_CHECKED", [True])
    monkeypatch.setattr(seccomp, "_MODULE", [])
    path = tmp_path / "module.py"
    path.write_text("")
    with sandbox.ProbeSession(path, confine=sandbox.Confinement()) as session:
        result = session.call(dispatch_handles)
    assert result.ok and result.protections["no_exec"] is False
    record = GradeRecord(exercise="x", outcome="passed", tests=[], started_at=0.0, duration=0.0, devices=[],
                         source_sha256="", check_sha256="", grader_version="", torch_version=None,
                         protections=result.protections)
    assert "no new programs (seccomp)" in protections_off(record, "en")
    assert "禁止启动新程序（seccomp）" in protections_off(record, "zh")


@pytest.mark.grading
def test_a_rule_holds_torchvision_operators_and_python_ops(tmp_path):
    """Detection exercises forbid torchvision's box_iou (Python) and nms (an operator and its Python
    wrapper): both raise in the learner's child, and the permitted operators of torchvision still run."""
    import torchvision  # noqa: F401 - the check imports it, so its operators are registered before planning

    rule = Rule("torchvision's box_iou / nms", ops=["torchvision::nms"], python=["torchvision.ops.boxes.box_iou",
                                                                              "torchvision.ops.boxes.nms"])
    assert rule.problems() == [] and rule.operators() == ("torchvision::nms",)
    path = tmp_path / "detection.py"
    path.write_text(textwrap.dedent('''
        import torch
        from torchvision.ops import box_iou, nms, box_area

        BOXES = torch.tensor([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0]])

        def cheat_iou():
            return box_iou(BOXES, BOXES)

        def cheat_nms():
            return nms(BOXES, torch.tensor([0.9, 0.8]), 0.1)

        def cheat_nms_operator():
            return torch.ops.torchvision.nms(BOXES, torch.tensor([0.9, 0.8]), 0.1)

        def cheat_area():
            return box_area(BOXES)
    '''))
    rules.prepare(rule)
    with sandbox.ProbeSession(path, confine=sandbox.Confinement(rule=rule)) as session:
        for technique in ("iou", "nms", "nms_operator"):
            result = session.call(run_cheat, (technique,))
            assert not result.ok and result.feedback.code == "forbidden", (technique, result.feedback)
        allowed = session.call(run_cheat, ("area",))
        assert allowed.ok, allowed.feedback


LOSSES_WRITTEN_IN_PYTHON = '''
import torch
import torch.nn.functional as F

X = torch.randn(4, 3, dtype=torch.float64)
Y = torch.randn(4, 3, dtype=torch.float64)

def cheat_gaussian_nll():  # with unit variance: half the squared error, plus a constant
    return 2 * F.gaussian_nll_loss(X, Y, torch.ones_like(X))

def cheat_soft_margin():  # a binary cross-entropy on logits
    return F.multilabel_soft_margin_loss(X, (Y > 0).double())

def cheat_kl_div():  # of one-hot targets: a negative log-likelihood
    return F.kl_div(torch.log(torch.softmax(X, 1)), F.one_hot(torch.tensor([0, 2, 1, 0]), 3).double())
'''


@pytest.mark.grading
def test_losses_written_in_python_out_of_permitted_operators_are_held_too(tmp_path):
    path = tmp_path / "losses.py"
    path.write_text(LOSSES_WRITTEN_IN_PYTHON)
    rule = check_rule("losses")
    rules.prepare(rule)
    with sandbox.ProbeSession(path, confine=sandbox.Confinement(rule=rule)) as session:
        for technique in ("gaussian_nll", "soft_margin", "kl_div"):
            result = session.call(run_cheat, (technique,))
            assert not result.ok and result.feedback.code == "forbidden", (technique, result.feedback)


TORCHVISION_CHEATS = '''
import torch

X = torch.arange(32.0).reshape(1, 2, 4, 4)
W = torch.randn(3, 2, 3, 3)

def cheat_deform_conv2d():  # with zero offsets, a plain convolution
    import torchvision
    return torchvision.ops.deform_conv2d(X, torch.zeros(1, 18, 2, 2), W)

def cheat_roi_pool():  # one box per 2x2 cell of the grid: a max pooling
    import torchvision
    boxes = torch.tensor([[0.0, 0.0, 0.0, 3.0, 3.0]])
    return torchvision.ops.roi_pool(X, boxes, output_size=2)
'''


@pytest.mark.grading
@pytest.mark.parametrize("exercise, technique", [("conv2d", "deform_conv2d"), ("pooling", "roi_pool")])
def test_torchvision_operators_are_held_even_when_the_check_does_not_import_it(tmp_path, exercise, technique):
    """torchvision's operators are registered only when its library loads; the rule loads it (not torchvision
    itself) before planning, so code that imports torchvision in the learner's child finds them forbidden."""
    path = tmp_path / "cheat.py"
    path.write_text(TORCHVISION_CHEATS)
    rule = check_rule(exercise)
    assert any(name.startswith("torchvision::") for name in rule.operators())
    rules.prepare(rule)
    with sandbox.ProbeSession(path, limits=sandbox.Limits(wall_time=60),
                              confine=sandbox.Confinement(rule=rule)) as session:
        result = session.call(run_cheat, (technique,))
    assert not result.ok and result.feedback.code == "forbidden", result.feedback
