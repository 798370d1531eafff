"""Reference for the training-step benchmark: one training step (forward, cross-entropy, backward, Adam) of
the same U-Net as src/main/bench/training-step.bench.ts, in PyTorch on the CPU.

Usage: /usr/bin/python3 unet_step.py --dims 2|3 --threads N --warmup W --steps S
Prints one JSON line: {"dims", "threads", "times_s", "median_s", "peak_rss_mb"}.
2D: 128x128, batch 8; 3D: 32^3, batch 2; 16 base channels, 3 down-levels, 2 classes, batch norm.
"""
import argparse
import json
import resource
import time

import torch
from torch import nn


def block(dims, ci, co):
    conv = nn.Conv2d if dims == 2 else nn.Conv3d
    norm = nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d
    return nn.Sequential(
        conv(ci, co, 3, padding=1, bias=False), norm(co), nn.ReLU(inplace=True),
        conv(co, co, 3, padding=1, bias=False), norm(co), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, dims, base=16, depth=3, in_ch=1, classes=2):
        super().__init__()
        widths = [base << i for i in range(depth + 1)]
        self.down = nn.ModuleList(block(dims, in_ch if i == 0 else widths[i - 1], w) for i, w in enumerate(widths))
        convT = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d
        self.ups = nn.ModuleList(convT(widths[i + 1], widths[i], 2, stride=2) for i in range(depth))
        self.up_blocks = nn.ModuleList(block(dims, 2 * widths[i], widths[i]) for i in range(depth))
        self.pool = nn.MaxPool2d(2) if dims == 2 else nn.MaxPool3d(2)
        self.head = (nn.Conv2d if dims == 2 else nn.Conv3d)(base, classes, 1)

    def forward(self, x):
        skips = []
        for i, b in enumerate(self.down):
            x = b(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = self.pool(x)
        for i in reversed(range(len(self.ups))):
            x = self.up_blocks[i](torch.cat([self.ups[i](x), skips[i]], 1))
        return self.head(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dims', type=int, default=2)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    shape = (8, 1, 128, 128) if a.dims == 2 else (2, 1, 32, 32, 32)
    net = UNet(a.dims)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(shape)
    y = torch.randint(0, 2, (shape[0],) + shape[2:])
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for s in range(a.warmup + a.steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if s >= a.warmup:
            times.append(time.perf_counter() - t)
    times_sorted = sorted(times)
    print(json.dumps({
        'dims': a.dims,
        'threads': a.threads,
        'times_s': times,
        'median_s': times_sorted[len(times_sorted) // 2],
        # ru_maxrss is in KiB on Linux.
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
