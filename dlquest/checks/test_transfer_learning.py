"""Check for `transfer_learning`: which parameters train, with which learning rate, and which BatchNorm layers
keep their running statistics.

The model is built here (SmallResNet below, float64, fixed seeds), so both the learner's and the reference's
functions see the same weights. Each probe reports, by name, `requires_grad` of every parameter, the training
flag of every module, or the learning rate a torch optimizer gives every parameter; the last test trains one
step and compares every value of the state_dict.
"""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from dlquest.grader.checklib import expect_same


class Block(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class SmallResNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.layer1 = Block(8, 8, 1)
        self.layer2 = Block(8, 16, 2)
        self.layer3 = Block(16, 16, 2)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(self.dropout(self.pool(x)))


def make_model(seed, device="cpu"):
    """A 'pre-trained' model: seeded weights and non-trivial running statistics, in training mode."""
    torch.manual_seed(seed)
    model = SmallResNet().double()
    generator = torch.Generator().manual_seed(seed + 1)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.copy_(0.3 * torch.randn(module.num_features, generator=generator))
            module.running_var.copy_(0.5 + torch.rand(module.num_features, generator=generator))
    return model.train().to(device)


def trainable(model):
    return {name: bool(p.requires_grad) for name, p in model.named_parameters()}


def modes(model):
    return {name or "(model)": bool(m.training) for name, m in model.named_modules()}


def learning_rates(model, groups):
    """The learning rate the optimizer gives each parameter, by name ('not trained' when in no group)."""
    optimizer = torch.optim.SGD(groups, lr=999.0)
    by_id = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    return {
        "learning rate of each parameter": {name: by_id.get(id(p), "not trained")
                                            for name, p in model.named_parameters()},
        "groups without parameters": sum(1 for group in optimizer.param_groups if not group["params"]),
    }


def after_freezing(module, seed):
    model = make_model(seed)
    result = module.freeze_backbone(model)
    return {"requires_grad": trainable(model), "training flag of each module": modes(model),
            "returned": "None" if result is None else type(result).__name__}


def after_eval_then_freezing(module, seed):
    model = make_model(seed).eval()
    module.freeze_backbone(model)
    return {"requires_grad": trainable(model), "training flag of each module": modes(model)}


def new_head(module, device, seed):
    model = make_model(seed, device)
    module.freeze_backbone(model)
    before = {k: v.clone() for k, v in model.state_dict().items() if not k.startswith("fc.")}
    head = module.replace_head(model, 5)
    try:
        x = torch.randn(2, 3, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
        output_shape = list(model(x.to(device)).shape)
    except RuntimeError as error:  # reported as data: the head parameters above say why
        output_shape = f"the model fails: {error}"[:200]
    return {
        "returns model.fc": head is model.fc,
        "model.fc": type(model.fc).__name__,
        "in, out features": [model.fc.in_features, model.fc.out_features],
        "head parameters": {name: [list(p.shape), str(p.dtype), p.device.type, bool(p.requires_grad)]
                            for name, p in model.fc.named_parameters()},
        "backbone requires_grad": {k: v for k, v in trainable(model).items() if not k.startswith("fc.")},
        "backbone state unchanged": all(torch.equal(before[k], v) for k, v in model.state_dict().items()
                                        if not k.startswith("fc.")),
        "output shape": output_shape,
    }


SCENARIOS = ["head-only", "layer3-unfrozen", "nothing-frozen"]


def prepared(module, seed, scenario, device="cpu"):
    model = make_model(seed, device)
    if scenario != "nothing-frozen":
        module.freeze_backbone(model)
        module.replace_head(model, 5)
    if scenario == "layer3-unfrozen":
        module.unfreeze(model, ["layer3"])
    return model


def groups_probe(module, seed, scenario):
    model = make_model(seed)
    if scenario != "nothing-frozen":
        model.stem.requires_grad_(False)  # frozen by hand: param_groups alone is judged here
        model.layer1.requires_grad_(False)
        model.layer2.requires_grad_(False)
    if scenario == "head-only":
        model.layer3.requires_grad_(False)
    return learning_rates(model, module.param_groups(model, head_lr=0.01, backbone_lr=0.001))


def stage_by_stage(module, seed):
    model = make_model(seed)
    module.freeze_backbone(model)
    snapshots = {}
    for names in (["layer3"], ["layer2"], ["stem", "layer1"]):
        result = module.unfreeze(model, names)
        snapshots[f"after unfreeze({names})"] = {"requires_grad": trainable(model),
                                                  "training flag of each module": modes(model),
                                                  "returned": "None" if result is None else type(result).__name__}
    return snapshots


def train_mode_probe(module, seed):
    snapshots = {}
    for scenario in ("head-only", "layer3-unfrozen", "nothing-frozen"):
        model = prepared(module, seed, scenario)
        model.eval()
        for stage in (model.layer1, model.layer2):  # a frozen stage and one whose BatchNorm alone trains
            stage.bn1.requires_grad_(True)
        module.set_train_mode(model)
        snapshots[scenario] = modes(model)
    return snapshots


def one_step(module, device, seed):
    model = prepared(module, seed, "layer3-unfrozen", device)
    with torch.no_grad():
        generator = torch.Generator().manual_seed(seed + 2)
        model.fc.weight.copy_(0.2 * torch.randn(model.fc.weight.shape, generator=generator, dtype=torch.float64))
        model.fc.bias.zero_()
    optimizer = torch.optim.SGD(module.param_groups(model, head_lr=0.5, backbone_lr=0.05), lr=999.0,
                                momentum=0.0)
    module.set_train_mode(model)
    generator = torch.Generator().manual_seed(seed + 3)
    x = torch.randn(6, 3, 8, 8, generator=generator, dtype=torch.float64).to(device)
    y = torch.randint(0, 5, (6,), generator=generator).to(device)
    torch.manual_seed(seed + 4)  # the dropout mask
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}


def test_freeze_backbone(learner, reference, seed):
    expect_same(learner, reference, after_freezing, seed, what="model after freeze_backbone")


def test_freeze_backbone_leaves_other_modes_alone(learner, reference, seed):
    expect_same(learner, reference, after_eval_then_freezing, seed, what="model in eval mode after freeze_backbone")


def test_replace_head(learner, reference, device, seed):
    expect_same(learner, reference, new_head, device, seed, device=device, what="model after replace_head")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_param_groups_learning_rates(learner, reference, seed, scenario):
    expect_same(learner, reference, groups_probe, seed, scenario, what="param_groups")


def test_unfreeze_stage_by_stage(learner, reference, seed):
    expect_same(learner, reference, stage_by_stage, seed, what="model after each unfreeze")


def test_set_train_mode(learner, reference, seed):
    expect_same(learner, reference, train_mode_probe, seed, what="training flags after set_train_mode")


def test_one_training_step_changes_only_the_trainable_parts(learner, reference, device, seed):
    expect_same(learner, reference, one_step, device, seed, device=device, what="state_dict after one SGD step")
