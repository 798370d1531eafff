"""A random MiT encoder saved as an ImageNet-pretrained MiT checkpoint holds it, for the --init-from specs
(src/main/core/training/weights/init-from-mit.spec.ts): the SegFormer twin (twins/segformer.py) is built whole from
a seed, its encoder's state dict is written WITHOUT the `backbone.` prefix and with a 1000-class classification
head (`head.weight`, `head.bias`) beside it, as safetensors and by torch.save (zip); its decode head goes to a file
of its own (keys `decode_head.…`), and one batch's eval-mode logits of the whole twin let the spec check that the
encoder landed where it belongs.

Usage: /usr/bin/python3 mit_weights.py <outdir> --size b0 --classes K --shape N,H,W --seed S
Writes mit.safetensors, mit.pth, decode-head.safetensors, input.f32 ([N,H,W,1] float32), logits-eval.f32
([N,H,W,K], channels last) and manifest.json (encoder keys, decode head keys).
"""
import argparse
import importlib.util
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from safetensors_io import write_safetensors  # noqa: E402

IMAGENET_CLASSES = 1000


def load_segformer_twin():
    spec = importlib.util.spec_from_file_location('segformer_twin', os.path.join(HERE, 'twins', 'segformer.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('outdir')
    ap.add_argument('--size', default='b0')
    ap.add_argument('--classes', type=int, default=2)
    ap.add_argument('--shape', default='1,64,64')
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.outdir, exist_ok=True)
    twin = load_segformer_twin()
    torch.manual_seed(args.seed)
    net = twin.build({'kind': 'segformer2d', 'size': args.size}, 1, args.classes).eval()

    encoder = dict(net.backbone.state_dict())
    # Like an ImageNet MiT checkpoint: the classifier over the last stage's pooled features.
    head = torch.nn.Linear(encoder['norm4.weight'].shape[0], IMAGENET_CLASSES)
    mit = dict(encoder, **{'head.weight': head.weight.detach(), 'head.bias': head.bias.detach()})
    write_safetensors(os.path.join(args.outdir, 'mit.safetensors'), mit)
    torch.save(mit, os.path.join(args.outdir, 'mit.pth'))
    decode = {f'decode_head.{k}': v for k, v in net.decode_head.state_dict().items()}
    write_safetensors(os.path.join(args.outdir, 'decode-head.safetensors'), decode)

    n, h, w = (int(s) for s in args.shape.split(','))
    gen = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(n, h, w, 1, generator=gen)
    x.numpy().astype('<f4').tofile(os.path.join(args.outdir, 'input.f32'))
    with torch.no_grad():
        y = net(x.permute(0, 3, 1, 2).contiguous())
    y.permute(0, 2, 3, 1).contiguous().numpy().astype('<f4').tofile(os.path.join(args.outdir, 'logits-eval.f32'))
    with open(os.path.join(args.outdir, 'manifest.json'), 'w') as f:
        json.dump({'encoderKeys': list(encoder), 'decodeHeadKeys': list(decode), 'logitsShape': [n, h, w, args.classes]}, f)


if __name__ == '__main__':
    main()
