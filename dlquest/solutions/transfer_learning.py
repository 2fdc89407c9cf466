"""Reference solution for `transfer_learning`."""

import torch.nn as nn


def _is_batch_norm(module):
    return isinstance(module, nn.modules.batchnorm._BatchNorm)


def freeze_backbone(model):
    head = {id(p) for p in model.fc.parameters()}
    for parameter in model.parameters():
        parameter.requires_grad_(id(parameter) in head)
    head_modules = {id(m) for m in model.fc.modules()}
    for module in model.modules():
        if _is_batch_norm(module) and id(module) not in head_modules:
            module.eval()


def replace_head(model, num_classes):
    old = model.fc
    model.fc = nn.Linear(old.in_features, num_classes).to(device=old.weight.device, dtype=old.weight.dtype)
    return model.fc


def param_groups(model, head_lr, backbone_lr):
    head = {id(p) for p in model.fc.parameters()}
    head_params = [p for p in model.fc.parameters() if p.requires_grad]
    backbone_params = [p for p in model.parameters() if p.requires_grad and id(p) not in head]
    groups = [{"params": head_params, "lr": head_lr}, {"params": backbone_params, "lr": backbone_lr}]
    return [group for group in groups if group["params"]]


def unfreeze(model, stage_names):
    for name in stage_names:
        stage = getattr(model, name)
        for parameter in stage.parameters():
            parameter.requires_grad_(True)
        for module in stage.modules():
            if _is_batch_norm(module):
                module.train()


def set_train_mode(model):
    model.train()
    for module in model.modules():
        parameters = list(module.parameters())
        if _is_batch_norm(module) and parameters and not any(p.requires_grad for p in parameters):
            module.eval()
