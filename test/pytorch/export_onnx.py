# torch.onnx.export of torchvision models with seeded random weights (and random batch-norm
# statistics), for the importer's tests: per model, <out>/<name>.onnx plus <name>.io.bin holding
# the input and PyTorch's own output (float32, little-endian, a JSON header line first).
# Usage: /usr/bin/python3 export_onnx.py <out dir> <opset or "default"> <name>:<resolution> ...
import json
import os
import sys

import torch
import torchvision

from models import torchvision_model

out, opset = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for spec in sys.argv[3:]:
    name, res = spec.split(':')
    model = torchvision_model(name, 11)
    with torch.no_grad():
        x = torch.randn(1, 3, int(res), int(res))
        y = model(x)
    path = os.path.join(out, f'{name}.onnx')
    kw = {} if opset == 'default' else {'opset_version': int(opset)}
    torch.onnx.export(model, x, path, input_names=['input'], output_names=['logits'], do_constant_folding=True, **kw)
    with open(os.path.join(out, f'{name}.io.bin'), 'wb') as f:
        header = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'opset': opset,
                  'input': list(x.shape), 'output': list(y.shape)}
        f.write((json.dumps(header) + '\n').encode())
        f.write(x.numpy().astype('<f4').tobytes())
        f.write(y.numpy().astype('<f4').tobytes())
    print(name, res, os.path.getsize(path), flush=True)
