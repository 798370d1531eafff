"""Weights files written by PyTorch itself for the workbench's readers (src/main/core/training/weights/*.spec.ts):
torch.save zips and safetensors, each with what a reader must find in it, plus files a reader must refuse.

Usage: /usr/bin/python3 weights_fixtures.py <outdir>
Writes <outdir>/expected.json: {"torch": version, "read": {file: {key: {"dtype", "shape", "values"}}},
"refuse": {file: text the one-line problem must contain}, "sentinel": a path that must not exist afterwards}.
"""
import io
import json
import math
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402

DTYPE_NAMES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64', torch.int64: 'I64'}


def expected(tensors):
    """What the reader must give: dtype, shape and the values (row-major, float64; JSON has no infinities, so those
    are the strings 'Infinity', '-Infinity', 'NaN', which JavaScript's Number() reads)."""
    def number(v):
        return v if math.isfinite(v) else {math.inf: 'Infinity', -math.inf: '-Infinity'}.get(v, 'NaN')

    return {k: {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'values': [number(v) for v in t.detach().double().flatten().tolist()]} for k, t in tensors.items()}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    read, refuse = {}, {}

    # Every storage type, a parameter, a transposed view, a slice sharing its storage with an offset.
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
    plain = OrderedDict()
    plain['conv.weight'] = torch.randn(3, 2, 3, 3)
    plain['half'] = torch.tensor([1.0, -2.5, 65504.0, 6e-8, float('inf')], dtype=torch.float16)
    plain['brain'] = torch.tensor([1.0, -0.15625, 3.0e38, 1e-30], dtype=torch.bfloat16)
    plain['double'] = torch.tensor([[1 / 3, -1e-300], [2.0 ** 60, 7.25]], dtype=torch.float64)
    plain['bn.num_batches_tracked'] = torch.tensor(12345, dtype=torch.int64)
    plain['counts'] = torch.tensor([-3, 0, 2 ** 40], dtype=torch.int64)
    plain['param'] = nn.Parameter(torch.randn(5))
    plain['base'] = base
    plain['transposed'] = base.t()
    plain['window'] = base[1:3, 2:5]
    plain['column'] = base[:, 4]
    plain['empty'] = torch.zeros(0, 3)
    torch.save(plain, os.path.join(out, 'plain.pth'))
    read['plain.pth'] = expected(plain)

    # A training checkpoint: the state dict nested under 'state_dict' beside numbers, strings and an optimiser.
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    opt = torch.optim.Adam(model.parameters())
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    torch.save({'epoch': 7, 'arch': 'toy', 'lr': 0.001, 'state_dict': model.state_dict(), 'optimizer': opt.state_dict()}, os.path.join(out, 'nested.pth'))
    read['nested.pth'] = expected({f'state_dict.{k}': v for k, v in model.state_dict().items()})

    write_safetensors(os.path.join(out, 'python.safetensors'), OrderedDict((k, v.contiguous()) for k, v in plain.items() if v.numel() > 0), metadata={'format': 'pt'})
    read['python.safetensors'] = expected(OrderedDict((k, v) for k, v in plain.items() if v.numel() > 0))

    # Refused: a pickle that would run a command if unpickled by Python, a compressed member, an int32 storage, the
    # pre-1.6 format, a zip that torch.save did not write.
    sentinel = os.path.join(out, 'pwned')
    evil = b'\x80\x02cos\nsystem\nq\x00X' + len(f'touch {sentinel}').to_bytes(4, 'little') + f'touch {sentinel}'.encode() + b'\x85q\x01Rq\x02.'
    with zipfile.ZipFile(os.path.join(out, 'evil.pth'), 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', evil)
        z.writestr('archive/version', '3\n')
    refuse['evil.pth'] = "'os.system'"
    evil2 = pickle.dumps({'x': __import__('builtins').print}, protocol=2)
    with zipfile.ZipFile(os.path.join(out, 'builtins.pth'), 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', evil2)
    refuse['builtins.pth'] = "print'"
    buf = io.BytesIO()
    torch.save({'w': torch.ones(3)}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(os.path.join(out, 'deflated.pth'), 'w', zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            z.writestr(name, src.read(name))
    refuse['deflated.pth'] = 'compressed'
    torch.save({'w': torch.ones(3, dtype=torch.int32)}, os.path.join(out, 'int32.pth'))
    refuse['int32.pth'] = 'torch.IntStorage'
    torch.save({'w': torch.ones(3)}, os.path.join(out, 'legacy.pth'), _use_new_zipfile_serialization=False)
    refuse['legacy.pth'] = 'before PyTorch 1.6'
    with zipfile.ZipFile(os.path.join(out, 'other.zip'), 'w', zipfile.ZIP_STORED) as z:
        z.writestr('readme.txt', 'not weights')
    refuse['other.zip'] = 'without data.pkl'

    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'read': read, 'refuse': refuse, 'sentinel': sentinel}, f)


if __name__ == '__main__':
    main()
