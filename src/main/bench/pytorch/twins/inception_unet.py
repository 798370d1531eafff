"""PyTorch twin of the workbench's Inception-UNet (src/main/core/training/models/inception-unet.ts; its header is
the specification): a 2D U-Net (depth L, base B, c_i = B * 2^i, 2x2 max-pool, 2x2 stride-2 transposed conv with
bias, skip concatenation [skip, up-sampled], 1x1 head with bias) whose double-conv blocks are Inception modules
of four branches -- 1x1; 1x1 -> 3x3; 1x1 -> 3x3 -> 3x3; 3x3 max-pool (stride 1, padding 1) -> 1x1 -- each conv
followed by the norm and ReLU, the branch outputs concatenated in that order. Branch widths: the block's C
channels shared evenly, the remainder to the first branches. The state-dict keys are the workbench's variable
names (down.0.branch2.1.conv.weight, up.1.upconv.weight, head.bias, ...).

build(cfg, in_channels, num_classes): cfg is the workbench's resolved model config as JSON (camelCase):
kind 'inception-unet2d', depth, baseChannels, normalisation 'batch' | 'instance' | 'none'.
"""
import torch
from torch import nn
import torch.nn.functional as F


def branch_widths(channels):
    base, extra = divmod(channels, 4)
    return [base + (1 if b < extra else 0) for b in range(4)]


class ConvNormRelu(nn.Module):
    def __init__(self, cin, cout, kernel, normalisation):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=normalisation == 'none')
        if normalisation == 'batch':
            self.norm = nn.BatchNorm2d(cout)
        elif normalisation == 'instance':
            self.norm = nn.InstanceNorm2d(cout, affine=True)
        else:
            self.norm = nn.Identity()

    def forward(self, x):
        return F.relu(self.norm(self.conv(x)))


class Inception(nn.Module):
    def __init__(self, cin, cout, normalisation):
        super().__init__()
        w1, w2, w3, w4 = branch_widths(cout)
        self.branch1 = ConvNormRelu(cin, w1, 1, normalisation)
        self.branch2 = nn.Sequential(ConvNormRelu(cin, w2, 1, normalisation), ConvNormRelu(w2, w2, 3, normalisation))
        self.branch3 = nn.Sequential(ConvNormRelu(cin, w3, 1, normalisation), ConvNormRelu(w3, w3, 3, normalisation), ConvNormRelu(w3, w3, 3, normalisation))
        self.branch4 = ConvNormRelu(cin, w4, 1, normalisation)

    def forward(self, x):
        pooled = F.max_pool2d(x, 3, stride=1, padding=1)
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(pooled)], 1)


class UpLevel(nn.Module):
    def __init__(self, cin, cout, normalisation):
        super().__init__()
        self.upconv = nn.ConvTranspose2d(cin, cout, 2, stride=2)
        self.block = Inception(2 * cout, cout, normalisation)

    def forward(self, x, skip):
        return self.block(torch.cat([skip, self.upconv(x)], 1))


class InceptionUNet(nn.Module):
    def __init__(self, depth, base, in_channels, num_classes, normalisation):
        super().__init__()
        c = [base * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList(Inception(in_channels if i == 0 else c[i - 1], c[i], normalisation) for i in range(depth))
        self.bottleneck = Inception(c[depth - 1], c[depth], normalisation)
        self.up = nn.ModuleList(UpLevel(c[i + 1], c[i], normalisation) for i in range(depth))
        self.head = nn.Conv2d(c[0], num_classes, 1)

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for i in reversed(range(len(self.up))):
            x = self.up[i](x, skips[i])
        return self.head(x)


def build(cfg, in_channels, num_classes):
    if cfg['kind'] != 'inception-unet2d':
        raise ValueError(f"inception_unet twin builds inception-unet2d, not {cfg['kind']}")
    return InceptionUNet(cfg['depth'], cfg['baseChannels'], in_channels, num_classes, cfg['normalisation'])
