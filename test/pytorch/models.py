# A torchvision model with seeded random weights and non-trivial batch-norm statistics, in eval
# mode: what the twin and export scripts build, so their weights are drawn the same way.
import torch
import torchvision


def torchvision_model(name, seed):
    torch.manual_seed(seed)
    kwargs = {'weights': None}
    if name in ('googlenet', 'inception_v3'):
        kwargs.update(aux_logits=False, init_weights=True)
    model = getattr(torchvision.models, name)(**kwargs).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    return model
