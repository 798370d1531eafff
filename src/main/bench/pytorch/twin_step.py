"""Reference for the training-step benchmark's new models: one training step (forward, cross-entropy, backward, Adam)
of a PyTorch twin (twins/<module>.py, the same architecture as ours, whose state-dict keys are our variable names), on
the CPU with the threads given, on a fixed random batch: cross-entropy averaged over every voxel (the product's
weighted CE with every weight 1), Adam lr 1e-3, as src/main/bench/training-step.bench.ts times ours.

Usage: /usr/bin/python3 twin_step.py <module> <config.json> --in C --classes K --shape N,(D,)H,W --threads T
                                     --warmup W --steps S
  <module>       a twin under twins/ by name (segresnet, unetr, segformer, …) or a path to a .py file with
                 build(cfg, in_channels, num_classes) -> torch.nn.Module (cfg: our resolved ModelConfig, camelCase keys)
Prints one JSON line: {"module", "threads", "times_s", "median_s", "cpu_median_s", "peak_rss_mb", "parameters"}.
"""
import argparse
import json

import torch

from step_timing import timed_steps
from twin_forward import load_twin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('module')
    ap.add_argument('config')
    ap.add_argument('--in', dest='in_channels', type=int, default=1)
    ap.add_argument('--classes', type=int, default=2)
    ap.add_argument('--shape', required=True, help='N,(D,)H,W')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--steps', type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(a.config) as f:
        cfg = json.load(f)
    twin = load_twin(a.module)
    torch.manual_seed(0)
    net = twin.build(cfg, a.in_channels, a.classes)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    n, *spatial = [int(s) for s in a.shape.split(',')]
    x = torch.randn(n, a.in_channels, *spatial)
    y = torch.randint(0, a.classes, (n, *spatial))
    report = timed_steps(net, opt, x, y, a.warmup, a.steps)
    print(json.dumps({'module': a.module, 'threads': a.threads, **report, 'parameters': sum(p.numel() for p in net.parameters())}))

if __name__ == '__main__':
    main()
