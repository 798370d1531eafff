"""One forward pass of a PyTorch twin from its own (seeded, torch-default) initial weights, for the parity specs
(src/main/core/training/weights/twin-parity.spec-helpers.ts): the workbench loads the weights written here through
its --init-from loader and must give the same logits.

Usage: /usr/bin/python3 twin_forward.py <module> <config.json> <outdir> --in C --classes K --shape N,(D,)H,W --seed S
  <module>  a twin under twins/ by name (segresnet, unetr, …) or a path to a .py file exposing the same
            build(cfg, in_channels, num_classes) -> torch.nn.Module (cfg: our resolved ModelConfig, camelCase keys)
Writes into <outdir>:
  weights.safetensors      the state dict right after build (torch.manual_seed(S) before it), keys as they are
  input.f32                a seeded N(0, 1) input [N, (D,) H, W, C], channels last, little-endian float32
  logits-eval.f32          the logits in eval mode, channels last [N, (D,) H, W, K]
  logits-train.f32         then the logits in training mode (batch statistics; BN running statistics move)
  state-after-train.safetensors  the buffers (running statistics) after that training-mode pass
  manifest.json            shapes, the parameter count (sum of numel of parameters()), every state-dict key's shape
"""
import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from safetensors_io import write_safetensors  # noqa: E402


def load_twin(module):
    path = module if module.endswith('.py') else os.path.join(HERE, 'twins', f'{module}.py')
    if not os.path.isfile(path):
        raise SystemExit(f'twin_forward: no twin module at {path}')
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def channels_last(t):
    return np.ascontiguousarray(t.detach().movedim(1, -1).numpy().astype('<f4'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('module')
    ap.add_argument('config')
    ap.add_argument('outdir')
    ap.add_argument('--in', dest='in_channels', type=int, required=True)
    ap.add_argument('--classes', type=int, required=True)
    ap.add_argument('--shape', required=True, help='N,(D,)H,W')
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open(args.config) as f:
        cfg = json.load(f)
    twin = load_twin(args.module)
    spatial = [int(s) for s in args.shape.split(',')]
    os.makedirs(args.outdir, exist_ok=True)

    torch.manual_seed(args.seed)
    net = twin.build(cfg, args.in_channels, args.classes)
    state = net.state_dict()
    write_safetensors(os.path.join(args.outdir, 'weights.safetensors'), state)

    # The input has its own generator so it does not depend on how many numbers the init drew.
    gen = torch.Generator().manual_seed(args.seed + 1)
    x_last = torch.randn(*spatial, args.in_channels, generator=gen, dtype=torch.float32)
    x_last.numpy().astype('<f4').tofile(os.path.join(args.outdir, 'input.f32'))
    x = x_last.movedim(-1, 1).contiguous()

    with torch.no_grad():
        net.eval()
        y_eval = net(x)
        channels_last(y_eval).tofile(os.path.join(args.outdir, 'logits-eval.f32'))
        net.train()
        y_train = net(x)
        channels_last(y_train).tofile(os.path.join(args.outdir, 'logits-train.f32'))
    write_safetensors(os.path.join(args.outdir, 'state-after-train.safetensors'), {k: v for k, v in net.state_dict().items() if k in dict(net.named_buffers())})

    manifest = {
        'module': args.module,
        'config': cfg,
        'torch': torch.__version__,
        'seed': args.seed,
        'inputShape': list(x_last.shape),
        'logitsShape': list(y_eval.movedim(1, -1).shape),
        'parameters': sum(p.numel() for p in net.parameters()),
        'stateDict': [{'key': k, 'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', '')} for k, v in state.items()],
    }
    with open(os.path.join(args.outdir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)


if __name__ == '__main__':
    main()
