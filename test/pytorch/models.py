# A torchvision model with seeded random weights and non-trivial batch-norm statistics, in eval
# mode: what the twin and export scripts build, so their weights are drawn the same way.
import torch
import torchvision


# Cadene's pretrainedmodels ports that torchvision's ResNet class builds exactly (same layers,
# same order): (blocks per stage, groups, width per group).
RESNET_CLASS = {
    'resnext101_32x4d': ([3, 4, 23, 3], 32, 4),
    'resnext101_64x4d': ([3, 4, 23, 3], 64, 4),
}


def torchvision_model(name, seed):
    torch.manual_seed(seed)
    kwargs = {'weights': None}
    if name in ('googlenet', 'inception_v3'):
        kwargs.update(aux_logits=False, init_weights=True)
    if name in RESNET_CLASS:
        layers, groups, width = RESNET_CLASS[name]
        from torchvision.models.resnet import ResNet, Bottleneck
        model = ResNet(Bottleneck, layers, groups=groups, width_per_group=width).eval()
    else:
        model = getattr(torchvision.models, name)(**kwargs).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    return model
