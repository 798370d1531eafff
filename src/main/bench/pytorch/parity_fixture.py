"""A toy twin for testing the parity harness and the state-dict loader themselves (not an architecture of the
workbench): every TorchLayout once, in 2D or 3D (cfg['dims']), with batch norm so eval and training differ.
  stem  Conv(C -> 4, k3, pad 1)                       conv            ours [k…, in, out]
  bn    BatchNorm(4), then ReLU                        same (+ running statistics, num_batches_tracked)
  up    ConvTranspose(4 -> 3, k2, stride 2)            conv-transpose  ours [k…, out, in]
  dw    Conv(3 -> 3, k3, pad 1, groups 3)              depthwise       ours [k…, C, 1]
  gamma a per-channel scale Parameter [3]              same
  head  Linear(3 -> K) over the channels               linear          ours [in, out]
The spec that mirrors it is src/main/core/training/weights/twin-parity.spec.ts.
"""
import torch
from torch import nn


class Toy(nn.Module):
    def __init__(self, dims, in_channels, num_classes):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.stem = conv(in_channels, 4, 3, padding=1)
        self.bn = (nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d)(4)
        self.up = (nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d)(4, 3, 2, stride=2)
        self.dw = conv(3, 3, 3, padding=1, groups=3)
        self.gamma = nn.Parameter(torch.rand(3) + 0.5)
        self.head = nn.Linear(3, num_classes)

    def forward(self, x):
        h = torch.relu(self.bn(self.stem(x)))
        h = self.dw(self.up(h))
        h = h * self.gamma.view(1, -1, *([1] * (h.dim() - 2)))
        return self.head(h.movedim(1, -1)).movedim(-1, 1)


def build(cfg, in_channels, num_classes):
    return Toy(cfg['dims'], in_channels, num_classes)
