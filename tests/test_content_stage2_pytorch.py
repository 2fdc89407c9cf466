"""Stage 2, unit `pytorch`: every exercise's check discriminates.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations
fail on the test aimed at their mistake with a meaningful feedback code, and correct implementations
written differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py).
Most wrong versions are the reference with one line changed (`variant`), so each shows exactly one mistake.
"""

from __future__ import annotations

from textwrap import dedent

import pytest

from discrimination import Cases, Wrong, assert_fails_as_expected, four_way_tests, variant

# === training_loops =======================================================================================
TRAINING = dedent('''
    import torch


    def train_one_epoch(model, loader, loss_fn, optimizer, device):
        model.train()
        total, correct, seen = 0.0, 0, 0
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = loss_fn(outputs, targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * targets.size(0)
            correct += (outputs.argmax(dim=1) == targets).sum().item()
            seen += targets.size(0)
        return total / seen, correct / seen


    def evaluate(model, loader, loss_fn, device):
        model.eval()
        total, correct, seen = 0.0, 0, 0
        with torch.no_grad():
            for inputs, targets in loader:
                inputs, targets = inputs.to(device), targets.to(device)
                outputs = model(inputs)
                loss = loss_fn(outputs, targets)
                total += loss.item() * targets.size(0)
                correct += (outputs.argmax(dim=1) == targets).sum().item()
                seen += targets.size(0)
        return total / seen, correct / seen
''')

TRAIN_PARAMS = "test_training_updates_parameters_like_the_reference[cpu]"
TRAIN_RESULTS = "test_training_returns_per_sample_mean_loss_and_accuracy[cpu]"
EVAL_RESULTS = "test_evaluate_returns_per_sample_mean_loss_and_accuracy[cpu]"
EVAL_NO_GRAD = "test_evaluate_builds_no_graph[cpu]"
DEVICES = "test_batches_are_moved_to_the_device[cpu]"

TRAIN_MOVE = "        inputs, targets = inputs.to(device), targets.to(device)\n        optimizer"
EVAL_MOVE = "            inputs, targets = inputs.to(device), targets.to(device)\n"
TRAIN_RETURN = "    return total / seen, correct / seen\n\n\ndef evaluate"
EVAL_RETURN = "    return total / seen, correct / seen\n"

TRAINING_WRONG = {
    # Gradients of earlier batches pile up: every step after the first goes elsewhere.
    "missing_zero_grad": Wrong(
        fails={TRAIN_PARAMS: "value_mismatch", TRAIN_RESULTS: "value_mismatch"},
        source=variant(TRAINING, ("        optimizer.zero_grad()\n", "")),
    ),
    # Never switches to training mode: the model trains as it was handed over (in eval mode: no dropout,
    # BatchNorm with running statistics).
    "missing_train_switch": Wrong(
        fails={TRAIN_PARAMS: "value_mismatch", TRAIN_RESULTS: "value_mismatch"},
        source=variant(TRAINING, ("    model.train()\n", "")),
    ),
    # Averages the batch means: wrong when the last batch is smaller (10 samples in batches of 4).
    "mean_of_batch_means": Wrong(
        fails={TRAIN_RESULTS: "value_mismatch", EVAL_RESULTS: "value_mismatch"},
        only=True,
        source=TRAINING.replace("loss.item() * targets.size(0)", "loss.item()").replace("total / seen",
                                                                                          "total / len(loader)"),
    ),
    # Never switches to evaluation mode: dropout stays on and BatchNorm uses (and updates) batch statistics.
    "missing_eval_switch": Wrong(
        fails={EVAL_RESULTS: "value_mismatch"},
        only=True,
        source=variant(TRAINING, ("    model.eval()\n", "")),
    ),
    # Evaluates with autograd on: right numbers, but a graph is built for every batch.
    "evaluate_without_no_grad": Wrong(
        fails={EVAL_NO_GRAD: "value_differs"},
        only=True,
        source=variant(TRAINING, ("    with torch.no_grad():\n", "    if True:\n")),
    ),
    # Leaves the batches where the loader put them (right by luck on a CPU-only run, a crash on a GPU).
    "batches_left_on_the_cpu": Wrong(
        fails={DEVICES: "value_differs"},
        only=True,
        source=variant(TRAINING, (TRAIN_MOVE, "        optimizer"), (EVAL_MOVE, "")),
    ),
    # Moves the inputs but forgets the targets.
    "targets_left_on_the_cpu": Wrong(
        fails={DEVICES: "value_differs"},
        only=True,
        source=variant(TRAINING, (TRAIN_MOVE, "        inputs = inputs.to(device)\n        optimizer")),
    ),
    # Accuracy as a percentage instead of a fraction.
    "accuracy_in_percent": Wrong(
        fails={TRAIN_RESULTS: "value_mismatch"},
        only=True,
        source=variant(TRAINING, (TRAIN_RETURN, "    return total / seen, 100.0 * correct / seen\n\n\ndef evaluate")),
    ),
}

TRAINING_CORRECT = {
    # The base of the wrong versions above.
    "variant_base": TRAINING,
    # len(loader.dataset) for the sample count, model.zero_grad() at the end of each step, inference_mode,
    # and tensor accumulators converted at the end.
    "dataset_length_and_inference_mode": dedent('''
        import torch


        def _step_stats(outputs, targets, loss):
            return loss.detach() * len(targets), (outputs.argmax(1) == targets).sum()


        def train_one_epoch(model, loader, loss_fn, optimizer, device):
            model.train(True)
            total_loss = torch.zeros((), dtype=torch.float64, device=device)
            correct = 0
            for batch in loader:
                x, y = (t.to(device) for t in batch)
                logits = model(x)
                loss = loss_fn(logits, y)
                loss.backward()
                optimizer.step()
                model.zero_grad(set_to_none=True)
                batch_loss, batch_correct = _step_stats(logits, y, loss)
                total_loss += batch_loss
                correct += int(batch_correct)
            n = len(loader.dataset)
            return float(total_loss) / n, correct / n


        @torch.inference_mode()
        def evaluate(model, loader, loss_fn, device):
            model.train(False)
            losses, hits, n = [], 0, 0
            for x, y in loader:
                x = x.to(device, non_blocking=True)
                y = y.to(device=device)
                logits = model(x)
                losses.append(loss_fn(logits, y).item() * y.shape[0])
                hits += logits.max(dim=1).indices.eq(y).sum().item()
                n += y.shape[0]
            return sum(losses) / n, hits / n
    '''),
}


# === modules ==============================================================================================
MODULES = dedent('''
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class MLP(nn.Module):
        def __init__(self, sizes):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)])

        def forward(self, x):
            for layer in self.layers[:-1]:
                x = F.relu(layer(x))
            return self.layers[-1](x)


    def count_parameters(model):
        return sum(p.numel() for p in model.parameters() if p.requires_grad)
''')

MODULES_WRONG = {
    # A ReLU after the output layer too: negative scores become 0.
    "relu_after_the_last_layer": Wrong(
        fails={"test_forward_with_given_weights[cpu-deep]": "value_mismatch",
               "test_forward_with_given_weights[cpu-one-layer]": "value_mismatch",
               "test_gradients_with_given_weights[cpu-one-layer]": "value_mismatch"},
        source=variant(MODULES, ("        for layer in self.layers[:-1]:\n            x = F.relu(layer(x))\n"
                                 "        return self.layers[-1](x)\n",
                                 "        for layer in self.layers:\n            x = F.relu(layer(x))\n        return x\n")),
    ),
    # A plain list: PyTorch never sees the layers (no parameters, nothing to load or train).
    "plain_python_list": Wrong(
        fails={"test_parameter_names_and_shapes[deep]": "value_differs",
               "test_forward_with_given_weights[cpu-deep]": "exception",
               "test_count_parameters_of_an_mlp[deep]": "value_mismatch"},
        source=variant(MODULES, ("self.layers = nn.ModuleList([", "self.layers = (["),),
    ),
    # nn.ReLU modules inside the ModuleList: the Linear layers become layers.0, layers.2, … and the names break.
    "relu_modules_in_the_list": Wrong(
        fails={"test_parameter_names_and_shapes[deep]": "keys_mismatch",
               "test_forward_with_given_weights[cpu-deep]": "exception"},
        source=variant(MODULES, (
            "        self.layers = nn.ModuleList([nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)])\n",
            "        self.layers = nn.ModuleList()\n"
            "        for i in range(len(sizes) - 1):\n"
            "            self.layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
            "            if i < len(sizes) - 2:\n"
            "                self.layers.append(nn.ReLU())\n",
        ), ("        for layer in self.layers[:-1]:\n            x = F.relu(layer(x))\n        return self.layers[-1](x)\n",
            "        for layer in self.layers:\n            x = layer(x)\n        return x\n")),
    ),
    # Counts frozen parameters too.
    "counts_frozen_parameters": Wrong(
        fails={"test_count_parameters_skips_frozen_parameters": "value_mismatch"},
        only=True,
        source=variant(MODULES, (" if p.requires_grad)", ")")),
    ),
    # Counts parameter tensors instead of the values in them.
    "counts_tensors": Wrong(
        fails={"test_count_parameters_of_an_mlp[deep]": "value_mismatch",
               "test_count_parameters_skips_frozen_parameters": "value_mismatch"},
        source=variant(MODULES, ("sum(p.numel() for p", "sum(1 for p")),
    ),
}

MODULES_CORRECT = {
    # Layers appended one by one, an index test instead of slicing, clamp as the ReLU, counting by name.
    "append_and_index": dedent('''
        import torch
        from torch import nn


        class MLP(nn.Module):
            def __init__(self, sizes):
                super(MLP, self).__init__()
                self.layers = nn.ModuleList()
                for n_in, n_out in zip(sizes, sizes[1:]):
                    self.layers.append(nn.Linear(n_in, n_out, bias=True))

            def forward(self, x):
                last = len(self.layers) - 1
                for i, layer in enumerate(self.layers):
                    x = layer(x)
                    if i != last:
                        x = torch.clamp(x, min=0)
                return x


        def count_parameters(model):
            total = 0
            for _, parameter in model.named_parameters():
                if parameter.requires_grad:
                    total += int(torch.tensor(parameter.shape).prod())
            return total
    '''),
}


# === custom_autograd ======================================================================================
AUTOGRAD = dedent('''
    import torch


    class ReLUFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * (x > 0).to(grad_output.dtype)


    class SiLUFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * torch.sigmoid(x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            s = torch.sigmoid(x)
            return grad_output * s * (1 + x * (1 - s))


    def relu(x):
        return ReLUFunction.apply(x)


    def silu(x):
        return SiLUFunction.apply(x)
''')

AUTOGRAD_WRONG = {
    # Returns the local derivative and forgets the chain rule: grad_output is never used.
    "ignores_grad_output": Wrong(
        fails={"test_backward[cpu-relu]": "value_mismatch", "test_backward[cpu-silu]": "value_mismatch",
               "test_passes_gradcheck[relu]": "value_differs", "test_passes_gradcheck[silu]": "value_differs"},
        only=True,
        source=variant(AUTOGRAD, ("return grad_output * (x > 0).to(grad_output.dtype)", "return (x > 0).to(x.dtype)"),
                       ("return grad_output * s * (1 + x * (1 - s))", "return s * (1 + x * (1 - s))")),
    ),
    # `>=`: a gradient of 1 at exactly 0, where torch.relu (and the contract) gives 0.
    "relu_gradient_one_at_zero": Wrong(
        fails={"test_backward[cpu-relu]": "value_mismatch"},
        only=True,
        source=variant(AUTOGRAD, ("(x > 0).to(grad_output.dtype)", "(x >= 0).to(grad_output.dtype)")),
    ),
    # Uses the sigmoid's derivative σ(1 − σ) for SiLU: the product rule is missing.
    "silu_with_the_sigmoid_derivative": Wrong(
        fails={"test_backward[cpu-silu]": "value_mismatch", "test_passes_gradcheck[silu]": "value_differs"},
        only=True,
        source=variant(AUTOGRAD, ("return grad_output * s * (1 + x * (1 - s))", "return grad_output * s * (1 - s)")),
    ),
    # Bypasses the Function: right values and gradients, but autograd did the work, not the learner's backward.
    "bypasses_the_function": Wrong(
        fails={"test_uses_the_custom_function[relu]": "value_differs"},
        only=True,
        source=variant(AUTOGRAD, ("    return ReLUFunction.apply(x)", "    return torch.relu(x)")),
    ),
}

AUTOGRAD_CORRECT = {
    # Saves a mask for ReLU; SiLU saves its output and σ and uses σ + y·(1 − σ), the same derivative.
    "saved_mask_and_output": dedent('''
        import torch


        class ReLUFunction(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                positive = x > 0
                ctx.save_for_backward(positive)
                return torch.where(positive, x, torch.zeros_like(x))

            @staticmethod
            def backward(ctx, grad_output):
                positive, = ctx.saved_tensors
                return torch.where(positive, grad_output, torch.zeros_like(grad_output))


        class SiLUFunction(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                sig = 1.0 / (1.0 + torch.exp(-x))
                y = x * sig
                ctx.save_for_backward(y, sig)
                return y

            @staticmethod
            def backward(ctx, grad_output):
                y, sig = ctx.saved_tensors
                return grad_output * (sig + y * (1.0 - sig))


        def relu(x):
            return ReLUFunction.apply(x)


        def silu(x):
            return SiLUFunction.apply(x)
    '''),
}


# === checkpointing ========================================================================================
CHECKPOINT = dedent('''
    import torch


    def save_checkpoint(path, model, optimizer, epoch):
        torch.save({"epoch": epoch, "model_state": model.state_dict(),
                    "optimizer_state": optimizer.state_dict()}, path)


    def load_checkpoint(path, model, optimizer):
        checkpoint = torch.load(path, weights_only=True)
        model.load_state_dict(checkpoint["model_state"])
        optimizer.load_state_dict(checkpoint["optimizer_state"])
        return checkpoint["epoch"]
''')
FILE_TEST = "test_checkpoint_file_holds_the_three_keys"
RESUME_TEST = "test_resumed_training_ends_where_uninterrupted_training_ends[cpu]"

CHECKPOINT_WRONG = {
    # Saves and restores the model only: Adam restarts with empty moment estimates after the break.
    "model_only": Wrong(
        fails={FILE_TEST: "length_mismatch", RESUME_TEST: "value_mismatch"},
        source=variant(CHECKPOINT, ('"optimizer_state": optimizer.state_dict()}', "}"),
                       ('    optimizer.load_state_dict(checkpoint["optimizer_state"])\n', "")),
    ),
    # Saves the optimizer state but never loads it back.
    "optimizer_not_restored": Wrong(
        fails={RESUME_TEST: "value_mismatch"},
        only=True,
        source=variant(CHECKPOINT, ('    optimizer.load_state_dict(checkpoint["optimizer_state"])\n', "")),
    ),
    # Returns the next epoch instead of the number of epochs done: the resumed run trains one epoch too few.
    "returns_the_next_epoch": Wrong(
        fails={RESUME_TEST: "value_mismatch"},
        only=True,
        source=variant(CHECKPOINT, ('return checkpoint["epoch"]', 'return checkpoint["epoch"] + 1')),
    ),
    # Pickles the model object instead of its state_dict: torch.load(..., weights_only=True) refuses the file.
    "pickles_the_model_object": Wrong(
        fails={FILE_TEST: "exception", RESUME_TEST: "exception"},
        source=variant(CHECKPOINT, ('"model_state": model.state_dict()', '"model_state": model')),
    ),
    # Other key names than the contract's.
    "other_key_names": Wrong(
        fails={FILE_TEST: "value_differs"},
        only=True,
        source=CHECKPOINT.replace('"model_state"', '"model_state_dict"').replace('"optimizer_state"',
                                                                               '"optimizer_state_dict"'),
    ),
}

CHECKPOINT_CORRECT = {
    # Builds the dict with dict(...), loads onto the model's own device, converts the epoch explicitly.
    "map_location_and_dict_call": dedent('''
        from pathlib import Path

        import torch


        def save_checkpoint(path, model, optimizer, epoch):
            checkpoint = dict(epoch=int(epoch), model_state=model.state_dict(), optimizer_state=optimizer.state_dict())
            with open(Path(path), "wb") as handle:
                torch.save(checkpoint, handle)


        def load_checkpoint(path, model, optimizer):
            device = next(model.parameters()).device
            checkpoint = torch.load(path, map_location=device, weights_only=True)
            model.load_state_dict(checkpoint["model_state"], strict=True)
            optimizer.load_state_dict(checkpoint["optimizer_state"])
            epoch = checkpoint["epoch"]
            return int(epoch)
    '''),
}


# === tensor_puzzles =======================================================================================
PUZZLES = dedent('''
    import torch


    def outer_sum(a, b):
        return a[:, None] + b[None, :]


    def one_hot(labels, num_classes):
        return (labels[:, None] == torch.arange(num_classes, device=labels.device)).float()


    def pick(x, index):
        return x[torch.arange(x.shape[0], device=x.device), index]


    def masked_mean(x, mask):
        m = mask.to(x.dtype)
        return (x * m).sum(dim=1) / m.sum(dim=1).clamp(min=1)


    def sliding_windows(x, size):
        return x.unfold(0, size, 1)


    def pairwise_sq_distances(A, B):
        return ((A[:, None, :] - B[None, :, :]) ** 2).sum(dim=-1)


    def to_channels_last(x):
        return x.permute(0, 2, 3, 1)
''')

PUZZLES_WRONG = {
    # Broadcasts the wrong way round: (m, n) instead of (n, m).
    "outer_sum_transposed": Wrong(
        fails={"test_outer_sum[cpu-4-3]": "shape_mismatch", "test_outer_sum[cpu-1-5]": "shape_mismatch"},
        only=True,
        source=variant(PUZZLES, ("return a[:, None] + b[None, :]", "return a[None, :] + b[:, None]")),
    ),
    # Calls the built-in one_hot (and gets int64 back).
    "one_hot_builtin": Wrong(
        fails={"test_one_hot[cpu-6-4]": "forbidden", "test_one_hot[cpu-3-7]": "forbidden"},
        only=True,
        source=variant(PUZZLES, ("return (labels[:, None] == torch.arange(num_classes, device=labels.device)).float()",
                                 "return torch.nn.functional.one_hot(labels, num_classes).float()")),
    ),
    # Leaves the comparison's bool dtype instead of float32.
    "one_hot_bool": Wrong(
        fails={"test_one_hot[cpu-6-4]": "dtype_mismatch", "test_one_hot[cpu-3-7]": "dtype_mismatch"},
        only=True,
        source=variant(PUZZLES, ("device=labels.device)).float()", "device=labels.device))")),
    ),
    # x[:, index] takes whole columns: an (n, n) matrix instead of one element per row.
    "pick_columns": Wrong(
        fails={"test_pick[cpu]": "shape_mismatch"},
        only=True,
        source=variant(PUZZLES, ("return x[torch.arange(x.shape[0], device=x.device), index]", "return x[:, index]")),
    ),
    # Divides by the raw count: 0 / 0 = NaN for a row with an empty mask.
    "masked_mean_nan_for_empty_rows": Wrong(
        fails={"test_masked_mean[cpu]": "nan_mismatch"},
        only=True,
        source=variant(PUZZLES, ("m.sum(dim=1).clamp(min=1)", "m.sum(dim=1)")),
    ),
    # Averages over all k columns instead of the selected ones.
    "masked_mean_over_all_columns": Wrong(
        fails={"test_masked_mean[cpu]": "value_mismatch"},
        only=True,
        source=variant(PUZZLES, ("m.sum(dim=1).clamp(min=1)", "x.shape[1]")),
    ),
    # One window too few.
    "sliding_windows_off_by_one": Wrong(
        fails={"test_sliding_windows[cpu-7-3]": "shape_mismatch"},
        source=variant(PUZZLES, ("return x.unfold(0, size, 1)", "return x[:-1].unfold(0, size, 1) if size < len(x) "
                                 "else x.unfold(0, size, 1)")),
    ),
    # Distances instead of squared distances.
    "pairwise_not_squared": Wrong(
        fails={"test_pairwise_sq_distances[cpu]": "value_mismatch"},
        only=True,
        source=variant(PUZZLES, ("return ((A[:, None, :] - B[None, :, :]) ** 2).sum(dim=-1)",
                                 "return ((A[:, None, :] - B[None, :, :]) ** 2).sum(dim=-1).sqrt()")),
    ),
    # reshape keeps the memory order: right shape, wrong values.
    "channels_last_by_reshape": Wrong(
        fails={"test_to_channels_last[cpu]": "value_mismatch"},
        only=True,
        source=variant(PUZZLES, ("return x.permute(0, 2, 3, 1)",
                                 "return x.reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1])")),
    ),
}

PUZZLES_CORRECT = {
    # The reference's formulations: gather, scatter_, index arithmetic, the expanded square, movedim.
    "other_operations": dedent('''
        import torch


        def outer_sum(a, b):
            return a.view(-1, 1).expand(-1, b.numel()) + b.view(1, -1)


        def one_hot(labels, num_classes):
            out = torch.zeros(labels.shape[0], num_classes, dtype=torch.float32, device=labels.device)
            return out.scatter_(1, labels.view(-1, 1), 1.0)


        def pick(x, index):
            return x.gather(1, index.unsqueeze(1)).squeeze(1)


        def masked_mean(x, mask):
            total = torch.where(mask, x, torch.zeros_like(x)).sum(-1)
            count = mask.sum(-1)
            return torch.where(count > 0, total / count.clamp(min=1).to(x.dtype), torch.zeros_like(total))


        def sliding_windows(x, size):
            n = x.shape[0] - size + 1
            return x.as_strided((n, size), (x.stride(0), x.stride(0)))


        def pairwise_sq_distances(A, B):
            return (A * A).sum(1, keepdim=True) + (B * B).sum(1) - 2 * A @ B.T


        def to_channels_last(x):
            return x.movedim(1, -1)
    '''),
    # Loops work too (the stub discourages them; the grader judges values).
    "plain_loops": dedent('''
        import torch


        def outer_sum(a, b):
            return torch.stack([a[i] + b for i in range(len(a))])


        def one_hot(labels, num_classes):
            out = torch.zeros(len(labels), num_classes, device=labels.device)
            for i, label in enumerate(labels.tolist()):
                out[i, label] = 1.0
            return out


        def pick(x, index):
            return torch.stack([x[i, int(index[i])] for i in range(len(x))])


        def masked_mean(x, mask):
            rows = []
            for i in range(len(x)):
                selected = x[i][mask[i]]
                rows.append(selected.mean() if len(selected) else x[i].sum() * 0)
            return torch.stack(rows)


        def sliding_windows(x, size):
            return torch.stack([x[i:i + size] for i in range(len(x) - size + 1)])


        def pairwise_sq_distances(A, B):
            return torch.stack([torch.stack([((a - b) ** 2).sum() for b in B]) for a in A])


        def to_channels_last(x):
            return torch.stack([x[:, c] for c in range(x.shape[1])], dim=-1)
    '''),
}


# === digits_classifier ====================================================================================
DIGITS_SHAPE = "test_predicts_one_label_per_held_out_digit"
DIGITS_ACCURACY = "test_reaches_95_percent_on_held_out_digits"

DIGITS_WRONG = {
    # No learning at all: always the most frequent training label (about 10% right).
    "majority_label": Wrong(
        fails={DIGITS_ACCURACY: "assertion"},
        only=True,
        source=dedent('''
            import numpy as np


            def fit_predict(X_train, y_train, X_test):
                return np.full(len(X_test), np.bincount(y_train).argmax())
        '''),
    ),
    # A network that is built but never trained.
    "untrained_network": Wrong(
        fails={DIGITS_ACCURACY: "assertion"},
        only=True,
        source=dedent('''
            import torch
            from torch import nn


            def fit_predict(X_train, y_train, X_test):
                torch.manual_seed(0)
                model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
                with torch.no_grad():
                    return model(torch.tensor(X_test, dtype=torch.float32) / 16).argmax(1).numpy()
        '''),
    ),
    # Returns the class scores instead of labels.
    "returns_scores": Wrong(
        fails={DIGITS_SHAPE: "shape_mismatch", DIGITS_ACCURACY: "shape_mismatch"},
        source=dedent('''
            import torch
            from torch import nn


            def fit_predict(X_train, y_train, X_test):
                torch.manual_seed(0)
                X, y = torch.tensor(X_train, dtype=torch.float32) / 16, torch.tensor(y_train)
                model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
                optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
                for _ in range(200):
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(X), y).backward()
                    optimizer.step()
                with torch.no_grad():
                    return model(torch.tensor(X_test, dtype=torch.float32) / 16).numpy()
        '''),
    ),
}

# Trains far past the time limit. Graded on its own (test_digits_classifier_over_the_time_budget_fails), with a
# shorter limit that keeps it quick and is still far above what the other cases need.
DIGITS_OVER_THE_TIME_BUDGET = Wrong(
    fails={DIGITS_SHAPE: "timeout", DIGITS_ACCURACY: "timeout"},
    only=True,
    source=dedent('''
        import time

        import numpy as np


        def fit_predict(X_train, y_train, X_test):
            while True:
                time.sleep(0.5)
    '''),
)

DIGITS_CORRECT = {
    # Full-batch SGD with momentum in float64, BatchNorm and tanh, a tensor returned instead of an array.
    "full_batch_sgd_returns_a_tensor": dedent('''
        import torch
        from torch import nn


        def fit_predict(X_train, y_train, X_test):
            torch.manual_seed(1)
            X = torch.tensor(X_train / 16.0)
            y = torch.tensor(y_train)
            model = nn.Sequential(nn.Linear(64, 96), nn.BatchNorm1d(96), nn.Tanh(), nn.Linear(96, 64), nn.ReLU(),
                                  nn.Linear(64, 10)).double()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
            for step in range(300):
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(X), y)
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.inference_mode():
                return model(torch.tensor(X_test / 16.0)).max(dim=1).indices
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "training_loops": Cases(TRAINING_WRONG, TRAINING_CORRECT),
    "modules": Cases(MODULES_WRONG, MODULES_CORRECT),
    "custom_autograd": Cases(AUTOGRAD_WRONG, AUTOGRAD_CORRECT),
    "checkpointing": Cases(CHECKPOINT_WRONG, CHECKPOINT_CORRECT),
    "tensor_puzzles": Cases(PUZZLES_WRONG, PUZZLES_CORRECT),
    "digits_classifier": Cases(DIGITS_WRONG, DIGITS_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


def test_digits_classifier_over_the_time_budget_fails(grade_source):
    wrong = DIGITS_OVER_THE_TIME_BUDGET
    assert_fails_as_expected(grade_source("digits_classifier", wrong.source, wall_time=8), wrong)


# === lessons and manifest =================================================================================
PYTORCH_LESSONS = ["pytorch-tensors", "pytorch-autograd", "nn-modules", "training-workflow"]
PYTORCH_EXERCISES = ["tensor_puzzles", "custom_autograd", "modules", "training_loops", "checkpointing",
                     "digits_classifier"]


# Three hints in both languages and a lesson: tested for the whole course in tests/test_lessons.py.
@pytest.mark.parametrize("exercise_id", PYTORCH_EXERCISES)
def test_pytorch_exercise_is_taught_by_a_pytorch_lesson(course, exercise_id):
    assert course.exercises[exercise_id].lesson in PYTORCH_LESSONS
