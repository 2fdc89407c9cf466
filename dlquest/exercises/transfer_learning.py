"""Exercise `transfer_learning`: freeze a backbone, replace the head, per-group learning rates, gradual unfreezing.

The grader hands your functions a small ResNet-like model (built in the check, in float64) whose direct
children are, in order:

    stem     Conv2d(3, 8, 3) → BatchNorm2d(8) → ReLU
    layer1   a residual block  8 → 8   (two Conv2d, two BatchNorm2d)
    layer2   a residual block  8 → 16  (stride 2, with a 1×1 Conv2d + BatchNorm2d shortcut)
    layer3   a residual block 16 → 16  (stride 2)
    pool     AdaptiveAvgPool2d(1), then flatten
    dropout  Dropout(0.2)
    fc       Linear(16, 10)            ← the head

"The head" is ``model.fc``; "the backbone" is every other parameter and module. A "BatchNorm layer" is any
instance of ``nn.BatchNorm1d/2d/3d`` (``isinstance(m, nn.modules.batchnorm._BatchNorm)``). Your functions must
work for any model with an ``fc`` attribute, not only this layout. Implement exactly this:

``freeze_backbone(model)`` — every parameter of the backbone gets ``requires_grad = False``; every parameter
of ``model.fc`` gets ``requires_grad = True``. Every BatchNorm layer of the backbone is put into evaluation
mode (``.eval()``), so that its running statistics stop changing; the mode of every other module (the
dropout, the head, the model itself, …) stays as it was. Returns nothing.

``replace_head(model, num_classes)`` — replace ``model.fc`` with a new ``nn.Linear(in_features, num_classes)``
(with bias, PyTorch's default initialisation) where ``in_features`` is the old head's; the new layer has the
old head's dtype and device, and is trainable. Nothing else changes. Returns the new layer.

``param_groups(model, head_lr, backbone_lr)`` — a list of parameter groups for a ``torch.optim`` optimizer:
dicts ``{"params": [...], "lr": ...}``. The trainable parameters (``requires_grad`` True) of ``model.fc``
get ``head_lr``; the trainable parameters of the backbone get ``backbone_lr``; frozen parameters are in no
group; no parameter appears twice; a group that would hold no parameters is left out. The order of the
groups and of the parameters inside them is free.

``unfreeze(model, stage_names)`` — ``stage_names`` is a list of names of direct children of the model, e.g.
``["layer3"]``; for each, every parameter of ``getattr(model, name)`` gets ``requires_grad = True`` and its
BatchNorm layers are put back into training mode (``.train()``). Nothing else changes: calling
``unfreeze(model, ["layer3"])`` and later ``unfreeze(model, ["layer2"])`` leaves both stages trainable.
Returns nothing.

``set_train_mode(model)`` — what a training loop calls at the start of each epoch instead of
``model.train()`` (which would switch the frozen BatchNorm layers back to training mode): call
``model.train()``, then put every BatchNorm layer that has parameters, none of which requires a gradient,
into evaluation mode. Returns nothing.

Check your work with:  dlquest check transfer_learning
"""

import torch
import torch.nn as nn


def freeze_backbone(model):
    # TODO: requires_grad False outside model.fc, True inside; backbone BatchNorm layers to eval().
    raise NotImplementedError("freeze_backbone")


def replace_head(model, num_classes):
    # TODO: a new nn.Linear(model.fc.in_features, num_classes) on the old head's device and dtype.
    raise NotImplementedError("replace_head")


def param_groups(model, head_lr, backbone_lr):
    # TODO: [{"params": trainable head parameters, "lr": head_lr},
    #        {"params": trainable backbone parameters, "lr": backbone_lr}], leaving out empty groups.
    raise NotImplementedError("param_groups")


def unfreeze(model, stage_names):
    # TODO: for each name, getattr(model, name): requires_grad True for its parameters, its BatchNorm layers train().
    raise NotImplementedError("unfreeze")


def set_train_mode(model):
    # TODO: model.train(), then eval() for every BatchNorm layer whose parameters are all frozen.
    raise NotImplementedError("set_train_mode")
