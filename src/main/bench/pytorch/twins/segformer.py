"""PyTorch twin of the workbench's SegFormer (src/main/core/training/models/segformer.ts): the authors' Mix
Transformer (mit_b0 … mit_b3: OverlapPatchEmbed, Block with the efficient Attention and the Mix-FFN with DWConv,
per-stage LayerNorms) under `backbone`, and mmseg's SegFormerHead (linear_c1..c4 MLPs, linear_fuse = ConvModule
(1x1 conv without bias, BatchNorm `bn`, ReLU), linear_pred) under `decode_head`, in plain torch (no timm, mmcv or
mmseg), so its state-dict keys are an mmseg SegFormer checkpoint's (less the decode head's unused conv_seg). Drop
path and dropout 0; a grayscale input is repeated to 3 channels; the logits are resized bilinearly (align_corners
False) to the input, as mmseg's EncoderDecoder does. Init as the authors' _init_weights (trunc_normal 0.02 linears,
LayerNorm 1/0, conv N(0, 2/fan_out)) for the encoder, as mmseg builds the head (torch defaults for the linears and
linear_pred, Kaiming-normal fan_out for the fuse conv, BN 1/0).

build(cfg, in_channels, num_classes): cfg is the workbench's resolved model config as JSON (camelCase): kind
'segformer2d', size 'b0'..'b3'; a `mit` dict {embedDims, depths, heads, srRatios, decoderDim} overrides the size
(the specs' tiny nets).
bench/pytorch/mit_weights.py saves this twin's encoder as an ImageNet MiT checkpoint holds it (the --init-from specs).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

SIZES = {
    'b0': dict(embedDims=[32, 64, 160, 256], depths=[2, 2, 2, 2], decoderDim=256),
    'b1': dict(embedDims=[64, 128, 320, 512], depths=[2, 2, 2, 2], decoderDim=256),
    'b2': dict(embedDims=[64, 128, 320, 512], depths=[3, 4, 6, 3], decoderDim=768),
    'b3': dict(embedDims=[64, 128, 320, 512], depths=[3, 4, 18, 3], decoderDim=768),
}
HEADS = [1, 2, 5, 8]
SR_RATIOS = [8, 4, 2, 1]
MLP_RATIO = 4


def init_weights(m):
    """The authors' _init_weights."""
    if isinstance(m, nn.Linear):
        nn.init.trunc_normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.constant_(m.bias, 0)
    elif isinstance(m, nn.LayerNorm):
        nn.init.constant_(m.bias, 0)
        nn.init.constant_(m.weight, 1.0)
    elif isinstance(m, nn.Conv2d):
        fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups
        m.weight.data.normal_(0, math.sqrt(2.0 / fan_out))
        if m.bias is not None:
            m.bias.data.zero_()


class DWConv(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, bias=True, groups=dim)

    def forward(self, x, h, w):
        b, n, c = x.shape
        return self.dwconv(x.transpose(1, 2).reshape(b, c, h, w)).flatten(2).transpose(1, 2)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = DWConv(hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x, h, w):
        return self.fc2(self.act(self.dwconv(self.fc1(x), h, w)))


class Attention(nn.Module):
    def __init__(self, dim, heads, sr_ratio):
        super().__init__()
        self.num_heads = heads
        self.scale = (dim // heads) ** -0.5
        self.q = nn.Linear(dim, dim, bias=True)
        self.kv = nn.Linear(dim, 2 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)
        self.sr_ratio = sr_ratio
        if sr_ratio > 1:
            self.sr = nn.Conv2d(dim, dim, kernel_size=sr_ratio, stride=sr_ratio)
            self.norm = nn.LayerNorm(dim)

    def forward(self, x, h, w):
        b, n, c = x.shape
        q = self.q(x).reshape(b, n, self.num_heads, c // self.num_heads).permute(0, 2, 1, 3)
        if self.sr_ratio > 1:
            x_ = self.sr(x.permute(0, 2, 1).reshape(b, c, h, w)).reshape(b, c, -1).permute(0, 2, 1)
            x = self.norm(x_)
        kv = self.kv(x).reshape(b, -1, 2, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        k, v = kv[0], kv[1]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads, sr_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, sr_ratio)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, dim * MLP_RATIO)

    def forward(self, x, h, w):
        x = x + self.attn(self.norm1(x), h, w)
        return x + self.mlp(self.norm2(x), h, w)


class OverlapPatchEmbed(nn.Module):
    def __init__(self, patch, stride, cin, dim):
        super().__init__()
        self.proj = nn.Conv2d(cin, dim, kernel_size=patch, stride=stride, padding=patch // 2)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        x = self.proj(x)
        _, _, h, w = x.shape
        return self.norm(x.flatten(2).transpose(1, 2)), h, w


class MixVisionTransformer(nn.Module):
    def __init__(self, cin, mit):
        super().__init__()
        dims, depths = mit['embedDims'], mit['depths']
        for i in range(4):
            patch, stride = (7, 4) if i == 0 else (3, 2)
            self.add_module(f'patch_embed{i + 1}', OverlapPatchEmbed(patch, stride, cin if i == 0 else dims[i - 1], dims[i]))
        for i in range(4):
            self.add_module(f'block{i + 1}', nn.ModuleList(Block(dims[i], mit['heads'][i], mit['srRatios'][i]) for _ in range(depths[i])))
            self.add_module(f'norm{i + 1}', nn.LayerNorm(dims[i], eps=1e-6))
        self.apply(init_weights)

    def forward(self, x):
        outs = []
        for i in range(1, 5):
            x, h, w = getattr(self, f'patch_embed{i}')(x)
            for blk in getattr(self, f'block{i}'):
                x = blk(x, h, w)
            x = getattr(self, f'norm{i}')(x).reshape(x.shape[0], h, w, -1).permute(0, 3, 1, 2).contiguous()
            outs.append(x)
        return outs


class MLP(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.proj = nn.Linear(cin, dim)

    def forward(self, x):
        return self.proj(x.flatten(2).transpose(1, 2))


class ConvModule(nn.Module):
    """mmcv's ConvModule(1x1, norm=BN, act=ReLU): bias-free conv (Kaiming-normal fan_out), `bn` (1/0)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        nn.init.kaiming_normal_(self.conv.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class SegFormerHead(nn.Module):
    def __init__(self, in_dims, dim, num_classes):
        super().__init__()
        for i in (4, 3, 2, 1):
            self.add_module(f'linear_c{i}', MLP(in_dims[i - 1], dim))
        self.linear_fuse = ConvModule(4 * dim, dim)
        self.linear_pred = nn.Conv2d(dim, num_classes, 1)

    def forward(self, feats):
        c1 = feats[0]
        n, _, h, w = c1.shape
        ups = []
        for i in (4, 3, 2, 1):
            c = feats[i - 1]
            e = getattr(self, f'linear_c{i}')(c).permute(0, 2, 1).reshape(n, -1, c.shape[2], c.shape[3])
            ups.append(e if i == 1 else F.interpolate(e, size=(h, w), mode='bilinear', align_corners=False))
        return self.linear_pred(self.linear_fuse(torch.cat(ups, dim=1)))


class SegFormer(nn.Module):
    def __init__(self, in_channels, num_classes, mit):
        super().__init__()
        self.gray = in_channels == 1
        self.backbone = MixVisionTransformer(3 if self.gray else in_channels, mit)
        self.decode_head = SegFormerHead(mit['embedDims'], mit['decoderDim'], num_classes)

    def forward(self, x):
        size = x.shape[2:]
        logits = self.decode_head(self.backbone(x.repeat(1, 3, 1, 1) if self.gray else x))
        return F.interpolate(logits, size=size, mode='bilinear', align_corners=False)


def mit_of(cfg):
    if 'mit' in cfg:
        return cfg['mit']
    return dict(SIZES[cfg['size']], heads=HEADS, srRatios=SR_RATIOS)


def build(cfg, in_channels, num_classes):
    return SegFormer(in_channels, num_classes, mit_of(cfg))
