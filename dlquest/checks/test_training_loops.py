"""Check for `training_loops`: parameters after an epoch, per-sample means, modes, no_grad and devices.

The model has BatchNorm and Dropout, so training and evaluation mode give different numbers; it is handed
to `train_one_epoch` in evaluation mode and to `evaluate` in training mode, so a missing switch shows.
Ten samples in batches of 4 leave a last batch of 2: the mean of the batch means is not the per-sample mean.
Everything runs in float64, with the dropout masks drawn from a seeded generator.

The batches come out of a real DataLoader on the CPU as tensors of a marked subclass that `.to(device)`
turns into plain tensors: the model and the loss see whether each batch was moved, on the CPU as on a GPU
(where an unmoved batch would also crash the forward pass).
"""

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from dlquest.grader.checklib import expect_same

N_SAMPLES, N_FEATURES, N_CLASSES, BATCH = 10, 5, 3, 4


def _warm_up_optimizers():
    """An optimizer's first step imports torch._dynamo (seconds); do it once here, before the probes fork."""
    parameter = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([parameter], lr=0.1, momentum=0.9)
    parameter.sum().backward()
    optimizer.step()


_warm_up_optimizers()


class Unmoved(torch.Tensor):
    """A CPU batch as the loader yields it; `.to(...)` returns a plain tensor (a copy where `.to` would not)."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    def to(self, *args, **kwargs):
        plain = self.as_subclass(torch.Tensor)
        moved = plain.to(*args, **kwargs)
        return moved if moved is not plain else plain.clone()


def collate(batch):
    inputs, targets = zip(*batch)
    return torch.stack(inputs).as_subclass(Unmoved), torch.stack(targets).as_subclass(Unmoved)


class Setup:
    """Model, loader and loss for one probe, recording how the learner's code uses them."""

    def __init__(self, device, seed):
        generator = torch.Generator().manual_seed(seed)
        self.device = torch.device(device)
        self.inputs_moved, self.targets_moved, self.grad_enabled = [], [], []
        torch.manual_seed(seed)
        self.model = torch.nn.Sequential(
            torch.nn.Linear(N_FEATURES, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(), torch.nn.Dropout(0.25),
            torch.nn.Linear(16, N_CLASSES),
        ).double()
        batch_norm = self.model[1]
        batch_norm.running_mean.copy_(0.3 * torch.randn(16, generator=generator, dtype=torch.float64))
        batch_norm.running_var.copy_(0.5 + torch.rand(16, generator=generator, dtype=torch.float64))
        self.model.to(self.device)
        self.model.register_forward_pre_hook(self._saw_inputs)
        X = torch.randn(N_SAMPLES, N_FEATURES, generator=generator, dtype=torch.float64)
        y = torch.randint(0, N_CLASSES, (N_SAMPLES,), generator=generator)
        self.loader = DataLoader(TensorDataset(X, y), batch_size=BATCH, shuffle=False, collate_fn=collate)

    def _moved(self, tensor):
        return type(tensor) is torch.Tensor and tensor.device.type == self.device.type

    def _saw_inputs(self, module, args):
        self.inputs_moved.append(self._moved(args[0]))

    def loss_fn(self, outputs, targets):
        self.grad_enabled.append(torch.is_grad_enabled())
        self.targets_moved.append(self._moved(targets))
        return F.cross_entropy(outputs, targets.as_subclass(torch.Tensor))

    def state(self):
        return {name: value.detach().cpu().clone() for name, value in self.model.state_dict().items()}


def train(module, device, seed, epochs):
    setup = Setup(device, seed)
    optimizer = torch.optim.SGD(setup.model.parameters(), lr=0.1, momentum=0.9)
    setup.model.eval()  # train_one_epoch must switch to training mode itself
    torch.manual_seed(seed + 1)  # the dropout masks
    returned = []
    for _ in range(epochs):
        loss, accuracy = module.train_one_epoch(setup.model, setup.loader, setup.loss_fn, optimizer, device)
        returned.append({"mean loss": float(loss), "accuracy": float(accuracy)})
    return setup, returned


def trained_state(module, device, seed):
    setup, _ = train(module, device, seed, epochs=2)
    return setup.state()


def train_results(module, device, seed):
    _, returned = train(module, device, seed, epochs=2)
    return returned


def evaluation(module, device, seed):
    setup = Setup(device, seed)
    setup.model.train()  # evaluate must switch to evaluation mode itself
    torch.manual_seed(seed + 2)
    loss, accuracy = module.evaluate(setup.model, setup.loader, setup.loss_fn, device)
    return {"mean loss": float(loss), "accuracy": float(accuracy), "model state afterwards": setup.state()}


def evaluation_without_gradients(module, device, seed):
    setup = Setup(device, seed)
    module.evaluate(setup.model, setup.loader, setup.loss_fn, device)
    return {
        "the loss was computed under torch.no_grad()": bool(setup.grad_enabled) and not any(setup.grad_enabled),
        "no parameter received a gradient": all(p.grad is None for p in setup.model.parameters()),
    }


def device_handling(module, device, seed):
    setup = Setup(device, seed)
    optimizer = torch.optim.SGD(setup.model.parameters(), lr=0.1)
    module.train_one_epoch(setup.model, setup.loader, setup.loss_fn, optimizer, device)
    trained = (setup.inputs_moved, setup.targets_moved)
    setup.inputs_moved, setup.targets_moved = [], []
    module.evaluate(setup.model, setup.loader, setup.loss_fn, device)
    return {
        "train_one_epoch moved every batch's inputs with .to(device)": bool(trained[0]) and all(trained[0]),
        "train_one_epoch moved every batch's targets with .to(device)": bool(trained[1]) and all(trained[1]),
        "evaluate moved every batch's inputs with .to(device)": bool(setup.inputs_moved) and all(setup.inputs_moved),
        "evaluate moved every batch's targets with .to(device)": bool(setup.targets_moved) and all(setup.targets_moved),
    }


def test_training_updates_parameters_like_the_reference(learner, reference, device, seed):
    expect_same(learner, reference, trained_state, device, seed, what="model state after two epochs")


def test_training_returns_per_sample_mean_loss_and_accuracy(learner, reference, device, seed):
    expect_same(learner, reference, train_results, device, seed, what="(mean loss, accuracy) of each epoch")


def test_evaluate_returns_per_sample_mean_loss_and_accuracy(learner, reference, device, seed):
    expect_same(learner, reference, evaluation, device, seed, what="evaluate")


def test_evaluate_builds_no_graph(learner, reference, device, seed):
    expect_same(learner, reference, evaluation_without_gradients, device, seed, what="evaluate")


def test_batches_are_moved_to_the_device(learner, reference, device, seed):
    expect_same(learner, reference, device_handling, device, seed, what="device handling")
