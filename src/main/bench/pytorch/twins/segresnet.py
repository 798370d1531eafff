"""PyTorch twin of the workbench's SegResNet (src/main/core/training/models/segresnet.ts): MONAI's SegResNet
(monai/networks/nets/segresnet.py) in plain torch, with MONAI's defaults (group norm of 8 groups, ReLU, no
dropout, 'nontrainable' linear x2 up-sampling with align_corners False, no VAE branch), written so that its
module tree, and therefore its state-dict keys, are MONAI's: MONAI's conv-only Convolution is a Sequential
holding one child `conv`, the down levels are Sequential(pre-conv or Identity, ResBlock...), the up levels
are ModuleLists up_layers / up_samples, the head is conv_final = Sequential(GroupNorm, ReLU, Convolution).

build(cfg, in_channels, num_classes): cfg is the workbench's resolved model config as JSON (camelCase):
kind 'segresnet2d' | 'segresnet3d', baseChannels (init_filters), blocksDown, blocksUp.
"""
import torch
from torch import nn

GROUPS = 8


class ConvOnly(nn.Sequential):
    """MONAI's Convolution(conv_only=True): one conv, padding (k - 1) / 2, in a module named `conv`."""

    def __init__(self, dims, cin, cout, kernel=3, stride=1, bias=False):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.add_module('conv', conv(cin, cout, kernel, stride=stride, padding=(kernel - 1) // 2, bias=bias))


class ResBlock(nn.Module):
    """norm1 -> ReLU -> conv1 -> norm2 -> ReLU -> conv2, plus the input (MONAI's attribute names and order)."""

    def __init__(self, dims, channels):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, channels)
        self.norm2 = nn.GroupNorm(GROUPS, channels)
        self.act = nn.ReLU()
        self.conv1 = ConvOnly(dims, channels, channels)
        self.conv2 = ConvOnly(dims, channels, channels)

    def forward(self, x):
        h = self.conv1(self.act(self.norm1(x)))
        return self.conv2(self.act(self.norm2(h))) + x


class SegResNet(nn.Module):
    def __init__(self, dims, init_filters, in_channels, out_channels, blocks_down, blocks_up):
        super().__init__()
        f = init_filters
        self.convInit = ConvOnly(dims, in_channels, f)
        self.down_layers = nn.ModuleList()
        for i, blocks in enumerate(blocks_down):
            c = f * 2 ** i
            pre = ConvOnly(dims, c // 2, c, stride=2) if i > 0 else nn.Identity()
            self.down_layers.append(nn.Sequential(pre, *[ResBlock(dims, c) for _ in range(blocks)]))
        self.up_layers, self.up_samples = nn.ModuleList(), nn.ModuleList()
        n_up = len(blocks_up)
        for i, blocks in enumerate(blocks_up):
            c = f * 2 ** (n_up - i)
            self.up_layers.append(nn.Sequential(*[ResBlock(dims, c // 2) for _ in range(blocks)]))
            mode = 'bilinear' if dims == 2 else 'trilinear'
            self.up_samples.append(nn.Sequential(ConvOnly(dims, c, c // 2, kernel=1), nn.Upsample(scale_factor=2, mode=mode, align_corners=False)))
        self.conv_final = nn.Sequential(nn.GroupNorm(GROUPS, f), nn.ReLU(), ConvOnly(dims, f, out_channels, kernel=1, bias=True))

    def forward(self, x):
        x = self.convInit(x)
        levels = []
        for down in self.down_layers:
            x = down(x)
            levels.append(x)
        levels.reverse()
        for i, (up, layer) in enumerate(zip(self.up_samples, self.up_layers)):
            x = layer(up(x) + levels[i + 1])
        return self.conv_final(x)


def build(cfg, in_channels, num_classes):
    kind = cfg['kind']
    if kind not in ('segresnet2d', 'segresnet3d'):
        raise ValueError(f'segresnet twin builds segresnet2d/3d, not {kind}')
    dims = 3 if kind == 'segresnet3d' else 2
    return SegResNet(dims, cfg['baseChannels'], in_channels, num_classes, list(cfg['blocksDown']), list(cfg['blocksUp']))
