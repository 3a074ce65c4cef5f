# A torchvision model with seeded random weights (and non-trivial batch-norm statistics), run on
# a seeded random input in eval mode; writes its state dict, the input and the output to one file
# for test/pytorch.test.mjs: a JSON header line, then the float32 data of every tensor in order.
# Usage: /usr/bin/python3 twin.py <torchvision model> <resolution> <seed> <out file>
import json
import sys

import torch
import torchvision

from models import torchvision_model

name, res, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
model = torchvision_model(name, seed)
with torch.no_grad():
    x = torch.randn(1, 3, res, res)
    y = model(x)
tensors = [(k, v) for k, v in model.state_dict().items() if v.dtype == torch.float32]
tensors += [('__input__', x), ('__output__', y)]
header = [{'name': k, 'shape': list(v.shape)} for k, v in tensors]
with open(out, 'wb') as f:
    f.write((json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'tensors': header}) + '\n').encode())
    for _, v in tensors:
        f.write(v.detach().contiguous().numpy().astype('<f4').tobytes())
