"""The grader discriminates: it fails typical wrong submissions and passes every correct one.

Each case is a learner file written as a source string, graded through the public entry point
`grade(course, exercise, path)` exactly as `dlquest check` does, against the bundled course's checks:

- the untouched stub fails, and the reference solution passes;
- typical wrong implementations fail, each on the test that targets its mistake, with feedback whose code
  says what went wrong (``value_mismatch``, ``shape_mismatch``, ``forbidden``, …), never a vague error;
- correct implementations written differently from the reference (other loops, other tensor operations)
  pass: the checks judge the contract, not the reference's way of meeting it.

conv2d is graded on the CPU only (``devices=["cpu"]``) so that these tests behave the same on a GPU machine.
"""

from __future__ import annotations

import time
from textwrap import dedent

from discrimination import Cases, Wrong, assert_passes, four_way_tests, solution_source, variant

# === perceptron ===========================================================================================
PERCEPTRON = solution_source("perceptron")
PERCEPTRON_SAMPLE_LOOP = ("            for sample, target in zip(X, y):\n"
                          "                predicted = 1 if sample @ self.weights + self.bias >= 0 else 0\n"
                          "                step = self.learning_rate * (target - predicted)\n"
                          "                self.weights += step * sample\n"
                          "                self.bias += step\n")

PERCEPTRON_WRONG = {
    # Weights are created only while still None, so a second fit continues from the first one's weights.
    "weights_never_reset": Wrong(
        fails={"test_fit_starts_from_zero_every_time": "value_mismatch"},
        only=True,
        source=variant(PERCEPTRON, ("        self.weights = np.zeros(X.shape[1])\n        self.bias = 0.0\n",
                                    "        if self.weights is None:\n"
                                    "            self.weights = np.zeros(X.shape[1])\n            self.bias = 0.0\n")),
    ),
    # Strict `> 0`: a score of exactly 0 gives 0 instead of 1 (in fit as in predict).
    "strict_greater_than_zero": Wrong(
        fails={"test_predict_gives_one_on_the_boundary": "value_mismatch",
               "test_learns_separable_data": "value_mismatch"},
        source=variant(PERCEPTRON, ("sample @ self.weights + self.bias >= 0", "sample @ self.weights + self.bias > 0"),
                       ("(scores >= 0)", "(scores > 0)")),
    ),
    # One (batch) update per pass from the summed errors, instead of one update after each sample.
    "one_update_per_pass": Wrong(
        fails={"test_follows_the_rule_sample_by_sample": "value_mismatch"},
        source=variant(PERCEPTRON, (PERCEPTRON_SAMPLE_LOOP,
                                    "            errors = y - self.predict(X)\n"
                                    "            self.weights += self.learning_rate * errors @ X\n"
                                    "            self.bias += self.learning_rate * errors.sum()\n")),
    ),
    # The bias stays 0.0: only the weights are updated.
    "bias_never_updated": Wrong(
        fails={"test_learns_separable_data": "value_mismatch",
               "test_follows_the_rule_sample_by_sample": "value_mismatch"},
        source=variant(PERCEPTRON, ("                self.bias += step\n", "")),
    ),
    # fit learns correctly but returns None instead of self (no `model.fit(X, y).predict(X)` chaining).
    "fit_returns_none": Wrong(
        fails={"test_defaults_and_fit_returns_self": "value_differs"},
        only=True,
        source=variant(PERCEPTRON, ("        return self\n", "")),
    ),
    # Visits the samples in a new random order on every pass instead of their given order.
    "shuffles_samples": Wrong(
        fails={"test_follows_the_rule_sample_by_sample": "value_mismatch"},
        source=variant(PERCEPTRON, ("        for _ in range(self.n_iterations):\n",
                                    "        rng = np.random.default_rng()\n"
                                    "        for _ in range(self.n_iterations):\n"
                                    "            order = rng.permutation(len(X))\n"),
                       ("zip(X, y)", "zip(X[order], y[order])")),
    ),
    # predict returns the raw scores w·x + b instead of 0/1 labels (fit itself is right).
    "predict_returns_scores": Wrong(
        fails={"test_predict_gives_one_on_the_boundary": "value_mismatch",
               "test_learns_separable_data": "value_mismatch",
               "test_predict_returns_one_label_per_row[5]": "value_mismatch"},
        source=variant(PERCEPTRON, ("return (scores >= 0).astype(int)", "return scores")),
    ),
    # Ignores the learning rate (steps of 1). Predictions cannot show it (starting from zero, every weight is
    # just scaled by 1 / learning_rate), so only the weights and bias do.
    "ignores_learning_rate": Wrong(
        fails={"test_follows_the_rule_sample_by_sample": "value_mismatch",
               "test_uses_the_given_learning_rate_and_iterations": "value_mismatch"},
        source=variant(PERCEPTRON, ("step = self.learning_rate * (target - predicted)", "step = target - predicted")),
    ),
    # Off by one: `range(1, n_iterations)` makes one pass fewer than asked. (Only runs on data that no line
    # separates show it: test_uses_the_given_learning_rate_and_iterations cannot, as with the default seed its
    # 11 samples are separated after 2 passes and further passes change nothing.)
    "one_pass_too_few": Wrong(
        fails={"test_follows_the_rule_sample_by_sample": "value_mismatch",
               "test_defaults_and_fit_returns_self": "value_mismatch"},
        source=variant(PERCEPTRON, ("range(self.n_iterations)", "range(1, self.n_iterations)")),
    ),
}

PERCEPTRON_CORRECT = {
    # Index-based loops with np.dot and np.where; rebinds arrays instead of updating them in place.
    "index_loops_dot_where": dedent('''
        import numpy as np


        class Perceptron:
            def __init__(self, learning_rate=0.01, n_iterations=1000):
                self.learning_rate = learning_rate
                self.n_iterations = n_iterations
                self.weights = None
                self.bias = None

            def fit(self, X, y):
                X = np.array(X, dtype=float)
                n_samples, n_features = X.shape
                self.weights = np.zeros(n_features)
                self.bias = 0.0
                for epoch in range(self.n_iterations):
                    for i in range(n_samples):
                        score = np.dot(X[i], self.weights) + self.bias
                        y_hat = np.where(score >= 0, 1, 0)
                        update = self.learning_rate * (y[i] - y_hat)
                        self.weights = self.weights + update * X[i]
                        self.bias = self.bias + update
                return self

            def predict(self, X):
                return np.where(np.dot(X, self.weights) + self.bias >= 0, 1, 0)
    '''),
    # Pure Python: weights kept as a list of floats during training, converted to an array at the end.
    "python_lists": dedent('''
        import numpy as np


        class Perceptron:
            def __init__(self, learning_rate=0.01, n_iterations=1000):
                self.learning_rate = learning_rate
                self.n_iterations = n_iterations
                self.weights = None
                self.bias = None

            def fit(self, X, y):
                rows = [[float(v) for v in row] for row in X]
                labels = [int(label) for label in y]
                w = [0.0] * len(rows[0])
                b = 0.0
                for _ in range(self.n_iterations):
                    for row, label in zip(rows, labels):
                        score = sum(wk * xk for wk, xk in zip(w, row)) + b
                        error = label - (1 if score >= 0 else 0)
                        if error:
                            step = self.learning_rate * error
                            w = [wk + step * xk for wk, xk in zip(w, row)]
                            b += step
                self.weights = np.array(w)
                self.bias = b
                return self

            def predict(self, X):
                return np.array([1 if sum(wk * xk for wk, xk in zip(self.weights, row)) + self.bias >= 0 else 0
                                 for row in X])
    '''),
    # Vectorised predict with np.heaviside (whose value at 0 is chosen as 1), reused inside fit one row at a time.
    "heaviside": dedent('''
        import numpy as np


        class Perceptron:
            def __init__(self, learning_rate=0.01, n_iterations=1000):
                self.learning_rate = learning_rate
                self.n_iterations = n_iterations
                self.weights = None
                self.bias = None

            def _step(self, scores):
                return np.heaviside(scores, 1.0).astype(int)

            def fit(self, X, y):
                X = np.asarray(X, dtype=float)
                self.weights = np.zeros(X.shape[1], dtype=float)
                self.bias = 0.0
                for _ in range(self.n_iterations):
                    for x, target in zip(X, y):
                        error = target - self._step(x @ self.weights + self.bias)
                        self.weights += self.learning_rate * error * x
                        self.bias += self.learning_rate * error
                return self

            def predict(self, X):
                return self._step(np.asarray(X, dtype=float) @ self.weights + self.bias)
    '''),
}


# === conv2d ===============================================================================================
# The wrong versions are small edits of this correct one (Tensor.unfold windows contracted by einsum), whose
# padding, strides and kernel are written out where the mistakes happen; the reference's F.unfold does them all
# in one call.
CONV2D_UNFOLD = dedent('''
    import torch
    import torch.nn.functional as F


    def conv2d(input, weight, bias=None, stride=1, padding=0):
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        x = F.pad(input, (pw, pw, ph, ph))
        kh, kw = weight.shape[2:]
        patches = x.unfold(2, kh, sh).unfold(3, kw, sw)  # (N, C_in, H_out, W_out, kH, kW)
        out = torch.einsum("nchwuv,ocuv->nohw", patches, weight)
        if bias is not None:
            out = out + bias[None, :, None, None]
        return out
''')
CONV2D_TESTS = ([f"test_forward[cpu-{case}]" for case in ("basic", "no-bias", "stride2-pad1", "pairs", "1x1",
                                                          "wide-stride", "kernel-as-big-as-input")]
                + [f"test_gradients[cpu-{case}]" for case in ("basic", "stride2-pad1", "pairs", "wide-stride")]
                + ["test_keeps_float32[cpu]"])
CONV2D_PAD = "x = F.pad(input, (pw, pw, ph, ph))"
CONV2D_BIAS = "    if bias is not None:\n        out = out + bias[None, :, None, None]\n"

CONV2D_WRONG = {
    # Pads padding + 1 zeros on each side (and sizes the output from that): every output has the wrong size.
    "pads_one_too_many": Wrong(
        fails={"test_forward[cpu-basic]": "shape_mismatch", "test_forward[cpu-stride2-pad1]": "shape_mismatch"},
        source=variant(CONV2D_UNFOLD, (CONV2D_PAD, "x = F.pad(input, (pw + 1, pw + 1, ph + 1, ph + 1))")),
    ),
    # Pads padding - 1 zeros on each side (F.pad even crops when padding is 0).
    "pads_one_too_few": Wrong(
        fails={"test_forward[cpu-basic]": "shape_mismatch", "test_forward[cpu-stride2-pad1]": "shape_mismatch"},
        source=variant(CONV2D_UNFOLD, (CONV2D_PAD, "x = F.pad(input, (pw - 1, pw - 1, ph - 1, ph - 1))")),
    ),
    # Never adds the bias: right without one, wrong (values and bias gradient) with one.
    "ignores_bias": Wrong(
        fails={"test_forward[cpu-basic]": "value_mismatch", "test_gradients[cpu-basic]": "type_mismatch"},
        source=variant(CONV2D_UNFOLD, (CONV2D_BIAS, "")),
    ),
    # Strides down the rows but slides one column at a time across the width.
    "stride_on_height_only": Wrong(
        fails={"test_forward[cpu-stride2-pad1]": "shape_mismatch"},
        source=variant(CONV2D_UNFOLD, (".unfold(3, kw, sw)", ".unfold(3, kw, 1)")),
    ),
    # A true convolution: flips the kernel (only 1x1 kernels, which flipping leaves alone, come out right).
    "flips_the_kernel": Wrong(
        fails={"test_forward[cpu-basic]": "value_mismatch", "test_forward[cpu-pairs]": "value_mismatch"},
        source=variant(CONV2D_UNFOLD, ("patches, weight)", "patches, weight.flip(2, 3))")),
    ),
    # `.detach()` on the input: the values are right, but no gradient reaches the input.
    "detaches_the_input": Wrong(
        fails={"test_gradients[cpu-basic]": "type_mismatch", "test_gradients[cpu-stride2-pad1]": "type_mismatch",
               "test_gradients[cpu-pairs]": "type_mismatch", "test_gradients[cpu-wide-stride]": "type_mismatch"},
        only=True,
        source=variant(CONV2D_UNFOLD, (CONV2D_PAD, "x = F.pad(input.detach(), (pw, pw, ph, ph))")),
    ),
    # Computes the output in NumPy and wraps it back into a tensor: right values, no autograd graph at all.
    "computes_in_numpy": Wrong(
        fails={"test_gradients[cpu-basic]": "exception", "test_gradients[cpu-stride2-pad1]": "exception",
               "test_gradients[cpu-pairs]": "exception", "test_gradients[cpu-wide-stride]": "exception"},
        only=True,
        source=variant(CONV2D_UNFOLD, ("import torch\n", "import numpy as np\nimport torch\n"),
                       ('out = torch.einsum("nchwuv,ocuv->nohw", patches, weight)',
                        'out = np.einsum("nchwuv,ocuv->nohw", patches.detach().cpu().numpy(), '
                        'weight.detach().cpu().numpy())'),
                       ("out = out + bias[None, :, None, None]",
                        "out = out + bias.detach().cpu().numpy()[None, :, None, None]"),
                       ("    return out\n",
                        "    return torch.from_numpy(np.ascontiguousarray(out)).to(input.device)\n")),
    ),
    # Calls the built-in convolution instead of writing one: right values, but not allowed. A forbidden operator
    # raises wherever it is called (the check's RULE), so every test fails with `forbidden`.
    "calls_builtin_conv2d": Wrong(
        fails=dict.fromkeys([*CONV2D_TESTS, "test_does_not_call_a_builtin_convolution"], "forbidden"),
        only=True,
        source=CONV2D_UNFOLD + dedent('''

            def conv2d(input, weight, bias=None, stride=1, padding=0):
                return F.conv2d(input, weight, bias, stride=stride, padding=padding)
        '''),
    ),
    # Converts everything to float64 and returns that: right values, but float32 input must give float32 output.
    "always_float64": Wrong(
        fails={"test_keeps_float32[cpu]": "dtype_mismatch"},
        only=True,
        source=variant(CONV2D_UNFOLD, (CONV2D_PAD, "x = F.pad(input.double(), (pw, pw, ph, ph))"),
                       ("patches, weight)", "patches, weight.double())"),
                       ("bias[None, :, None, None]", "bias.double()[None, :, None, None]")),
    ),
}

# Plain nested Python loops over output positions, as the lesson teaches: one window at a time.
CONV2D_LOOPS = dedent('''
    import torch
    import torch.nn.functional as F


    def conv2d(input, weight, bias=None, stride=1, padding=0):
        stride_h, stride_w = (stride, stride) if isinstance(stride, int) else stride
        pad_h, pad_w = (padding, padding) if isinstance(padding, int) else padding
        x = F.pad(input, (pad_w, pad_w, pad_h, pad_h))
        out_channels, in_channels, kernel_h, kernel_w = weight.shape
        out_h = (x.shape[2] - kernel_h) // stride_h + 1
        out_w = (x.shape[3] - kernel_w) // stride_w + 1
        rows = []
        for i in range(out_h):
            row = []
            for j in range(out_w):
                top, left = i * stride_h, j * stride_w
                window = x[:, :, top:top + kernel_h, left:left + kernel_w]  # (N, C_in, kH, kW)
                # (N, 1, C_in, kH, kW) * (C_out, C_in, kH, kW) -> sum over C_in, kH, kW -> (N, C_out)
                row.append((window.unsqueeze(1) * weight).sum(dim=(2, 3, 4)))
            rows.append(torch.stack(row, dim=-1))  # (N, C_out, W_out)
        out = torch.stack(rows, dim=-2)  # (N, C_out, H_out, W_out)
        if bias is not None:
            out = out + bias.view(1, -1, 1, 1)
        return out
''')

CONV2D_CORRECT = {
    "nested_loops": CONV2D_LOOPS,
    # Tensor.unfold (the tensor method, not F.unfold) makes a view of all windows; einsum contracts them.
    "tensor_unfold_einsum": CONV2D_UNFOLD,
    # as_strided builds the (N, C_in, H_out, W_out, kH, kW) window view by hand; einsum contracts it.
    "as_strided_einsum": dedent('''
        import torch
        import torch.nn.functional as F


        def conv2d(input, weight, bias=None, stride=1, padding=0):
            sh, sw = (stride, stride) if isinstance(stride, int) else stride
            ph, pw = (padding, padding) if isinstance(padding, int) else padding
            x = F.pad(input, (pw, pw, ph, ph)).contiguous()
            n, c, h, w = x.shape
            kh, kw = weight.shape[2:]
            out_h, out_w = (h - kh) // sh + 1, (w - kw) // sw + 1
            s_n, s_c, s_h, s_w = x.stride()
            windows = x.as_strided((n, c, out_h, out_w, kh, kw), (s_n, s_c, s_h * sh, s_w * sw, s_h, s_w))
            out = torch.einsum("nchwuv,ocuv->nohw", windows, weight)
            if bias is not None:
                out = out + bias.reshape(1, -1, 1, 1)
            return out
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "perceptron": Cases(PERCEPTRON_WRONG, PERCEPTRON_CORRECT),
    "conv2d": Cases(CONV2D_WRONG, CONV2D_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


def test_conv2d_loop_version_time_is_recorded(course, grade_source, record_property):
    """How long grading the loop version takes goes into the report (junit property, -s output); only
    correctness is asserted, never a time."""
    started = time.perf_counter()
    record = grade_source("conv2d", CONV2D_LOOPS)
    wall = time.perf_counter() - started
    slowest = max(record.tests, key=lambda t: t.duration)
    record_property("conv2d_loops_grade_seconds", round(wall, 3))
    record_property("conv2d_loops_slowest_test", f"{slowest.test} {slowest.duration:.3f}s")
    print(f"\nconv2d nested loops: graded in {wall:.2f}s; slowest test {slowest.test} {slowest.duration:.2f}s")
    assert_passes(record)
