"""PyTorch side of the training-parity benchmark (src/main/bench/training-parity.bench.ts): does our TF.js engine
train the U-Net as PyTorch does from the same weights on the same batch?

Reads a directory written by the bench: manifest.json plus raw little-endian files (float32 / int32) holding
  - the net's initial weights and state under OUR names and layouts (models/unet.ts header),
  - the fixed batch (images [N,H,W], labels int32 [N,H,W], loss weights [N,H,W]),
  - our training-mode logits of the first forward pass, our step-1 gradients, our weights and state after step 1,
  - a probe of one transposed convolution (input and our conv2dTranspose output, no bias).
Builds the UNet of unet_step.py (imported, not copied) with OUR weights, checks the probe, the initial forward
(logits, loss), the step-1 gradients (and PyTorch's own float32-vs-float64 gradient difference, the rounding
noise floor), the weights after one Adam step (and torch's Adam fed OUR gradients: the optimiser alone), then trains `steps` Adam steps on the
batch in float32 and again in float64 (a reference with little rounding noise), and prints one JSON line.

Layouts: our conv filters [kh,kw,in,out] -> torch [out,in,kh,kw]; our transposed-conv filters [kh,kw,out,in] ->
torch ConvTranspose2d [in,out,kh,kw]: both are the permutation (3,2,0,1). Our decoder's first filter
[3,3,2c,c] has its input channels ordered [skip, up], as torch.cat([skip, up]) in unet_step.UNet.

Usage: /usr/bin/python3 parity.py <dir>
"""
import json
import os
import re
import sys

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_step import UNet  # noqa: E402  (the benchmark's PyTorch U-Net, one definition for both benches)


def read(d, entry):
    dtype = {'float32': '<f4', 'int32': '<i4'}[entry['dtype']]
    return np.fromfile(os.path.join(d, entry['file']), dtype=dtype).reshape(entry['shape'])


def torch_name(ours):
    """Our variable name -> the state-dict key of unet_step.UNet (Sequential: conv, norm, relu, conv, norm, relu)."""
    m = re.fullmatch(r'(down(\d+)|bottleneck|up(\d+))\.(conv|norm)([12])\.(w|gamma|beta|mean|var)', ours)
    if m:
        block = 'bottleneck' if m.group(1) == 'bottleneck' else f"{'down' if m.group(2) is not None else 'up'}.{m.group(2) or m.group(3)}"
        index = (0 if m.group(4) == 'conv' else 1) + (3 if m.group(5) == '2' else 0)
        leaf = {'w': 'weight', 'gamma': 'weight', 'beta': 'bias', 'mean': 'running_mean', 'var': 'running_var'}[m.group(6)]
        return f'{block}.{index}.{leaf}'
    m = re.fullmatch(r'up(\d+)\.upconv\.(w|b)', ours)
    if m:
        return f"upconv.{m.group(1)}.{'weight' if m.group(2) == 'w' else 'bias'}"
    m = re.fullmatch(r'head\.(w|b)', ours)
    if m:
        return f"head.{'weight' if m.group(1) == 'w' else 'bias'}"
    raise ValueError(f'no PyTorch counterpart for {ours}')


def to_torch_layout(a):
    """Conv [kh,kw,in,out] and transposed conv [kh,kw,out,in] alike: permutation (3,2,0,1); vectors as they are."""
    return np.ascontiguousarray(a.transpose(3, 2, 0, 1)) if a.ndim == 4 else a


def rel_diff(ours, ref):
    """max |ours - ref| / max |ref|: relative to the tensor's scale (element-wise ratios blow up near zero)."""
    ref = np.asarray(ref, dtype=np.float64)
    scale = np.abs(ref).max()
    return float(np.abs(np.asarray(ours, dtype=np.float64) - ref).max() / (scale if scale > 0 else 1.0))


def build(cfg, dtype, weights, state):
    net = UNet(2, base=cfg['base'], depth=cfg['depth'], in_ch=cfg['inChannels'], classes=cfg['classes'])
    if cfg['normalisation'] == 'instance':
        # unet_step.UNet has batch norm; swap each for instance norm with affine gamma/beta (ours: no running stats).
        for seq in [*net.down, net.bottleneck, *net.up]:
            for i, layer in enumerate(seq):
                if isinstance(layer, nn.BatchNorm2d):
                    seq[i] = nn.InstanceNorm2d(layer.num_features, affine=True, eps=1e-5)
    elif cfg['normalisation'] != 'batch':
        raise ValueError(f"normalisation {cfg['normalisation']} is not mirrored here (unet_step.UNet has no conv bias)")
    sd = net.state_dict()
    loaded = set()
    for name, a in {**weights, **state}.items():
        key = torch_name(name)
        t = torch.from_numpy(to_torch_layout(a))
        if tuple(sd[key].shape) != tuple(t.shape):
            raise ValueError(f'{name} -> {key}: shape {tuple(t.shape)} vs {tuple(sd[key].shape)}')
        sd[key] = t
        loaded.add(key)
    missing = [k for k in sd if k not in loaded and not k.endswith('num_batches_tracked')]
    if missing:
        raise ValueError(f'not loaded from our weights: {missing}')
    net.load_state_dict(sd)
    return net.to(dtype)


def loss_fn(logits, y, w):
    """Our 'ce' with per-pixel weights: sum(w * nll) / sum(w) (all weights 1 in a dense batch: the plain mean)."""
    nll = F.cross_entropy(logits, y, reduction='none')
    return (nll * w).sum() / w.sum()


def adam_only(cfg, weights, state, man, d):
    net = build(cfg, torch.float32, weights, state)
    params = dict(net.named_parameters())
    opt = torch.optim.Adam(net.parameters(), lr=cfg['lr'])
    for n, e in man['grads'].items():
        params[torch_name(n)].grad = torch.from_numpy(to_torch_layout(read(d, e)))
    opt.step()
    return {n: rel_diff(to_torch_layout(read(d, e)), params[torch_name(n)].detach().numpy()) for n, e in man['after1'].items()}


def foreground(net, x):
    """Pixels predicted foreground (argmax > 0) in training mode, then in inference mode, as the bench does."""
    out = {}
    with torch.no_grad():
        for mode in ('train', 'eval'):
            net.train(mode == 'train')
            out[mode] = int((net(x).argmax(1) > 0).sum())
    return out


def main():
    d = sys.argv[1]
    with open(os.path.join(d, 'manifest.json')) as f:
        man = json.load(f)
    cfg = man['config']
    torch.set_num_threads(cfg.get('threads', 1))
    group = lambda g: {n: read(d, e) for n, e in man[g].items()}  # noqa: E731
    weights, state = group('weights'), group('state')
    batch = group('batch')
    result = {}

    # 1. The transposed-conv layout claim on one layer: ours vs ConvTranspose2d vs out[2i+a,2j+b,o] = Σ_c x[i,j,c]·w[a,b,o,c].
    probe = man['probe']
    px, py, pw = read(d, probe['x']), read(d, probe['y']), weights[probe['weight']]
    n, h, wd, _ = px.shape
    explicit = np.zeros((n, 2 * h, 2 * wd, pw.shape[2]), dtype=np.float64)
    for a in range(2):
        for b in range(2):
            explicit[:, a::2, b::2, :] = np.einsum('nijc,oc->nijo', px.astype(np.float64), pw[a, b].astype(np.float64))
    torch_y = F.conv_transpose2d(torch.from_numpy(px).permute(0, 3, 1, 2).double(), torch.from_numpy(to_torch_layout(pw)).double(), stride=2)
    result['upconv_probe'] = {
        'weight': probe['weight'],
        'ours_vs_explicit': rel_diff(py, explicit),
        'torch_vs_explicit': rel_diff(torch_y.permute(0, 2, 3, 1).numpy(), explicit),
    }

    x64 = torch.from_numpy(batch['images'][:, None]).double()
    y = torch.from_numpy(batch['labels']).long()
    w64 = torch.from_numpy(batch['weights']).double()
    for dtype, tag in ((torch.float32, 'f32'), (torch.float64, 'f64')):
        net = build(cfg, dtype, weights, state)
        x, w = x64.to(dtype), w64.to(dtype)
        params = dict(net.named_parameters())
        opt = torch.optim.Adam(net.parameters(), lr=cfg['lr'])
        losses = []
        for step in range(cfg['steps']):
            net.train()
            opt.zero_grad()
            logits = net(x)
            loss = loss_fn(logits, y, w)
            loss.backward()
            if step == 0:
                # 2. First forward and gradients against ours (ours are float32; the f64 figures show how much of
                # the f32 difference is rounding).
                ours_logits = read(d, man['logits0'])
                result[f'logits0_rel_diff_{tag}'] = rel_diff(ours_logits, logits.detach().permute(0, 2, 3, 1).numpy())
                result[f'grad_rel_diff_{tag}'] = {n: rel_diff(to_torch_layout(read(d, e)), params[torch_name(n)].grad.numpy()) for n, e in man['grads'].items()}
                if tag == 'f32':
                    torch32_grads = {n: params[torch_name(n)].grad.numpy().copy() for n in man['grads']}
                    # The optimiser alone: torch's Adam from our weights with OUR gradients vs our weights after step 1.
                    result['adam_only_rel_diff'] = adam_only(cfg, weights, state, man, d)
                else:
                    # Rounding noise of float32 itself: PyTorch's own float32 gradients vs its float64 ones.
                    result['grad_rel_diff_torch32_vs_f64'] = {n: rel_diff(g, params[torch_name(n)].grad.numpy()) for n, g in torch32_grads.items()}
            opt.step()
            losses.append(float(loss))
            if step == 0:
                # 3. Weights and running statistics after one step against ours. The first Adam step moves every
                # weight by about lr·sign(g), so a gradient element near 0 with a rounding-flipped sign shows here
                # as a 2·lr difference: compare adam_only_rel_diff for the optimiser itself.
                sd = net.state_dict()
                result[f'after1_rel_diff_{tag}'] = {n: rel_diff(to_torch_layout(read(d, e)), sd[torch_name(n)].numpy()) for n, e in {**man['after1'], **man['stateAfter1']}.items()}
        fg = foreground(net, x)
        result[tag] = {'losses': losses, 'fg_train': fg['train'], 'fg_eval': fg['eval']}
    result['truth_fg'] = int((batch['labels'] > 0).sum())
    result['torch'] = torch.__version__
    print(json.dumps(result))


if __name__ == '__main__':
    main()
