"""Reference for the training-step benchmark: one training step (forward, cross-entropy, backward, Adam) of the
product's U-Net (src/main/core/training/models/unet.ts), in PyTorch on the CPU.

Architecture as that file's header specifies: depth L, base B, c_i = B*2^i; per level two [3x3(x3) conv 'same'
without bias -> batch norm -> ReLU]; 2x2(x2) max-pool; bottleneck c_{L-1} -> c_L; decoder: 2x2(x2) stride-2
transposed conv with bias c_{i+1} -> c_i, concatenation [skip, up-sampled] (skip first), two CNR 2c_i -> c_i -> c_i;
1x1(x1) head with bias. (Our engine computes the decoder's first conv as conv(skip, W_skip) + conv(up, W_up),
which equals this conv of the concatenation; PyTorch's natural form is the concatenation.) Cross-entropy
averaged over all voxels (the product's weighted CE with every weight 1), Adam lr 1e-3.

Usage: /usr/bin/python3 unet_step.py --dims 2|3 --size S --batch N --classes K --threads T --warmup W --steps S
Prints one JSON line: {"dims", "threads", "device", "times_s", "median_s", "cpu_median_s", "peak_rss_mb"}.
"""
import argparse
import json

import torch
from torch import nn

from step_timing import timed_steps


def cnr(dims, ci, co):
    conv = nn.Conv2d if dims == 2 else nn.Conv3d
    norm = nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d
    return [conv(ci, co, 3, padding=1, bias=False), norm(co), nn.ReLU(inplace=True)]


def double_conv(dims, ci, co):
    return nn.Sequential(*cnr(dims, ci, co), *cnr(dims, co, co))


class UNet(nn.Module):
    def __init__(self, dims, base=16, depth=3, in_ch=1, classes=2):
        super().__init__()
        c = [base << i for i in range(depth + 1)]
        self.down = nn.ModuleList(double_conv(dims, in_ch if i == 0 else c[i - 1], c[i]) for i in range(depth))
        self.bottleneck = double_conv(dims, c[depth - 1], c[depth])
        conv_t = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d
        self.upconv = nn.ModuleList(conv_t(c[i + 1], c[i], 2, stride=2) for i in range(depth))
        self.up = nn.ModuleList(double_conv(dims, 2 * c[i], c[i]) for i in range(depth))
        self.pool = nn.MaxPool2d(2) if dims == 2 else nn.MaxPool3d(2)
        self.head = (nn.Conv2d if dims == 2 else nn.Conv3d)(base, classes, 1)

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for i in reversed(range(len(self.up))):
            x = self.up[i](torch.cat([skips[i], self.upconv[i](x)], 1))
        return self.head(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dims', type=int, default=2)
    p.add_argument('--size', type=int, default=0, help='spatial size (default 128 in 2D, 32 in 3D)')
    p.add_argument('--batch', type=int, default=0, help='batch size (default 8 in 2D, 2 in 3D)')
    p.add_argument('--classes', type=int, default=2)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda' (the GPU column of the benchmark)")
    a = p.parse_args()
    if a.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('CUDA is not available to this PyTorch')
    dev = torch.device(a.device)
    size = a.size or (128 if a.dims == 2 else 32)
    batch = a.batch or (8 if a.dims == 2 else 2)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    shape = (batch, 1) + (size,) * a.dims
    net = UNet(a.dims, classes=a.classes).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(shape).to(dev)
    y = torch.randint(0, a.classes, (batch,) + (size,) * a.dims).to(dev)
    print(json.dumps({'dims': a.dims, 'threads': a.threads, 'device': a.device, **timed_steps(net, opt, x, y, a.warmup, a.steps)}))

if __name__ == '__main__':
    main()
