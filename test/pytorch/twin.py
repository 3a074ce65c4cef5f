# A torchvision model with seeded random weights (and non-trivial batch-norm statistics), run on
# a seeded random input in eval mode; writes its state dict, the input and the output to one file
# for test/pytorch.test.mjs: a JSON header line, then the float32 data of every tensor in order.
# Usage: /usr/bin/python3 twin.py <torchvision model> <resolution> <seed> <out file>
import json
import sys

import torch
import torchvision

name, res, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.manual_seed(seed)
kwargs = {'weights': None}
if name == 'googlenet':
    kwargs.update(aux_logits=False, init_weights=True)
model = getattr(torchvision.models, name)(**kwargs).eval()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.1, 0.1)
    x = torch.randn(1, 3, res, res)
    y = model(x)
tensors = [(k, v) for k, v in model.state_dict().items() if v.dtype == torch.float32]
tensors += [('__input__', x), ('__output__', y)]
header = [{'name': k, 'shape': list(v.shape)} for k, v in tensors]
with open(out, 'wb') as f:
    f.write((json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'tensors': header}) + '\n').encode())
    for _, v in tensors:
        f.write(v.detach().contiguous().numpy().astype('<f4').tobytes())
