"""PyTorch twin of one training run of the product, for the training-quality benchmark: the same net (the 2D
U-Net of src/main/core/training/models/unet.ts, see unet_step.py), loss, optimiser, steps, batch, slice size and
split, on the data the product loads (written by src/main/bench/quality-bundle.ts). It shares no code with the
product, so its test Dice is an independent reference for ours.

Protocol, as the product's (slice-sampler.ts, losses.ts, predict-slices.ts, scores.ts):
- a batch is `batch` (volume, slice) pairs drawn uniformly with replacement from every annotated slice of the
  training volumes; each slice centre-padded with zeros to the slice size (extra pixel after), or randomly cropped
  where larger; padding is background with loss weight 1;
- Adam with the run's schedule (constant, or poly: lr·(1 − t/T)^power at 0-based step t);
- 'dice-ce': soft Dice over the whole batch per class, background included, mean over classes (smooth 1e-5), plus
  cross-entropy averaged over pixels; 'ce': cross-entropy alone; Adam (PyTorch defaults but lr);
- evaluation in eval mode (batch-norm running statistics): each slice centre-padded to the next multiple of
  2^depth, argmax, foreground Dice per volume (label > 0 in both; both empty scores 1), mean over volumes.

Usage: /usr/bin/python3 quality_twin.py BUNDLE_DIR --threads T [--val-every N]
Prints one JSON line: {"test_dice", "volumes", "val_curve", "ms_per_step", "train_s", "steps", "seed"}.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from unet_step import UNet


def load(bundle):
    with open(os.path.join(bundle, 'manifest.json')) as f:
        manifest = json.load(f)
    volumes = []
    for v in manifest['volumes']:
        shape = (v['slices'], v['rows'], v['cols'])
        image = np.fromfile(os.path.join(bundle, v['file'] + '.image.f32'), dtype='<f4').reshape(shape)
        labels = np.fromfile(os.path.join(bundle, v['file'] + '.labels.u8'), dtype=np.uint8).reshape(shape)
        volumes.append({**v, 'image': image, 'labels': labels})
    return manifest, volumes


def fit(source, target, rng):
    """(source start, target start, length) of a centred pad or a random crop along one axis."""
    if source <= target:
        return 0, (target - source) // 2, source
    return int(rng.integers(source - target + 1)), 0, target


def batch_of(pairs, volumes, size, batch, rng):
    h, w = size
    images = np.zeros((batch, 1, h, w), np.float32)
    labels = np.zeros((batch, h, w), np.int64)
    for b in range(batch):
        vi, s = pairs[int(rng.integers(len(pairs)))]
        v = volumes[vi]
        rs, rt, rn = fit(v['rows'], h, rng)
        cs, ct, cn = fit(v['cols'], w, rng)
        images[b, 0, rt:rt + rn, ct:ct + cn] = v['image'][s, rs:rs + rn, cs:cs + cn]
        labels[b, rt:rt + rn, ct:ct + cn] = v['labels'][s, rs:rs + rn, cs:cs + cn]
    return torch.from_numpy(images), torch.from_numpy(labels)


def loss_of(logits, labels, kind, classes):
    ce = F.cross_entropy(logits, labels)
    if kind == 'ce':
        return ce
    probs = torch.softmax(logits, 1)
    target = F.one_hot(labels, classes).permute(0, 3, 1, 2).float()
    dims = (0, 2, 3)
    inter = (probs * target).sum(dims)
    dice = (2 * inter + 1e-5) / (probs.sum(dims) + target.sum(dims) + 1e-5)
    return (1 - dice).mean() + ce


def foreground_scores(pred, truth):
    """Foreground Dice and IoU (label > 0 in both); both empty scores 1."""
    p, t = pred > 0, truth > 0
    inter, total = int((p & t).sum()), int(p.sum() + t.sum())
    if total == 0:
        return 1.0, 1.0
    return 2 * inter / total, inter / (total - inter)


@torch.no_grad()
def evaluate(net, volumes, multiple):
    net.eval()
    scores = []
    for v in volumes:
        rows, cols = v['rows'], v['cols']
        ph, pw = -(-rows // multiple) * multiple, -(-cols // multiple) * multiple
        top, left = (ph - rows) // 2, (pw - cols) // 2
        x = np.zeros((v['slices'], 1, ph, pw), np.float32)
        x[:, 0, top:top + rows, left:left + cols] = v['image']
        pred = net(torch.from_numpy(x)).argmax(1).numpy()[:, top:top + rows, left:left + cols]
        dice, iou = foreground_scores(pred, v['labels'])
        scores.append({'caseId': v['caseId'], 'dice': dice, 'iou': iou})
    net.train()
    return scores


def main():
    p = argparse.ArgumentParser()
    p.add_argument('bundle')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--val-every', type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    manifest, volumes = load(a.bundle)
    config = manifest['config']
    model, optimizer, loss = config['model'], config['optimizer'], config['loss']
    if model['kind'] != 'unet2d' or model.get('normalisation', 'batch') != 'batch':
        raise SystemExit(f"the twin builds a batch-norm unet2d, not {model['kind']}/{model.get('normalisation')}")
    if optimizer['kind'] != 'adam' or loss['kind'] not in ('ce', 'dice-ce') or loss.get('classWeights'):
        raise SystemExit('the twin trains with Adam and unweighted ce or dice-ce')
    schedule = config.get('schedule', {'kind': 'constant'})
    if schedule['kind'] not in ('constant', 'poly') or schedule.get('warmupSteps', 0):
        raise SystemExit('the twin trains with a constant or poly learning rate, without warm-up')
    if config.get('augment', {}).get('flip'):
        raise SystemExit('the twin trains without flips')
    seed, steps, batch = config['seed'], config['steps'], config['batchSize']
    size, classes, depth = config['sliceSize'], manifest['numClasses'], model['depth']
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    train = [v for v in volumes if v['split'] == 'train']
    val = [v for v in volumes if v['split'] == 'val']
    test = [v for v in volumes if v['split'] == 'test']
    pairs = [(i, s) for i, v in enumerate(train) for s in v['annotatedSlices']]
    net = UNet(2, base=model['baseChannels'], depth=depth, classes=classes)
    opt = torch.optim.Adam(net.parameters(), lr=optimizer['lr'])
    curve = []
    train_s = 0.0
    for step in range(1, steps + 1):
        x, y = batch_of(pairs, train, size, batch, rng)
        started = time.perf_counter()
        if schedule['kind'] == 'poly':
            # The product's rule for 0-based step t of T: lr·(1 − t/T)^power.
            for group in opt.param_groups:
                group['lr'] = optimizer['lr'] * (1 - (step - 1) / steps) ** schedule.get('power', 0.9)
        opt.zero_grad(set_to_none=True)
        l = loss_of(net(x), y, loss['kind'], classes)
        l.backward()
        opt.step()
        train_s += time.perf_counter() - started
        if a.val_every and (step % a.val_every == 0 or step == steps):
            scores = evaluate(net, val, 2 ** depth)
            curve.append({'step': step, 'dice': float(np.mean([s['dice'] for s in scores])), 'iou': float(np.mean([s['iou'] for s in scores])), 'loss': float(l)})
    scores = evaluate(net, test, 2 ** depth)
    print(json.dumps({
        'test_dice': float(np.mean([s['dice'] for s in scores])),
        'volumes': scores,
        'val_curve': curve,
        'ms_per_step': 1000 * train_s / steps,
        'train_s': train_s,
        'steps': steps,
        'seed': seed,
    }))


if __name__ == '__main__':
    main()
