"""PyTorch twin of the workbench's UNETR (src/main/core/training/models/unetr.ts): MONAI's UNETR
(monai/networks/nets/unetr.py with its ViT, PatchEmbeddingBlock, TransformerBlock, SABlock, MLPBlock and the
UnetrBasicBlock / UnetrPrUpBlock / UnetrUpBlock / UnetResBlock / UnetOutBlock blocks) in plain torch, with MONAI's
defaults: conv patch embedding, learned position embeddings, qkv without bias, exact GELU, LayerNorm eps 1e-5,
instance norm without affine parameters, LeakyReLU 0.01, bias-free convs except the patch embedding and the output,
dropout 0. Its module tree, and so its state-dict keys, are MONAI's (MONAI's Convolution is a Sequential holding one
child `conv`), less the cross-attention modules that MONAI >= 1.4 builds into every TransformerBlock but never uses
when with_cross_attention is False.

The one generalisation (as the workbench's): MONAI fixes the ViT patch at 16 and every decoder stage doubles; for a
patch 2^k < 16 the finest k stages double and the coarser ones use kernel = stride = 1.

build(cfg, in_channels, num_classes): cfg is the workbench's resolved model config as JSON (camelCase): kind
'unetr3d', baseChannels (feature_size), hiddenSize, layers, heads, mlpDim, patchEdge, imageSize [D, H, W].
"""
import math

import torch
from torch import nn

LEAKY_SLOPE = 0.01


class Convolution(nn.Sequential):
    """MONAI's Convolution as get_conv_layer builds it here: one (transposed) conv in a child named `conv`."""

    def __init__(self, cin, cout, kernel, stride=1, bias=False, transposed=False):
        super().__init__()
        if transposed:
            self.add_module('conv', nn.ConvTranspose3d(cin, cout, kernel, stride=stride, bias=bias))
        else:
            self.add_module('conv', nn.Conv3d(cin, cout, kernel, stride=stride, padding=(kernel - 1) // 2, bias=bias))


class UnetResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = Convolution(cin, cout, 3)
        self.conv2 = Convolution(cout, cout, 3)
        self.lrelu = nn.LeakyReLU(LEAKY_SLOPE)
        self.norm1 = nn.InstanceNorm3d(cout)
        self.norm2 = nn.InstanceNorm3d(cout)
        if cin != cout:
            self.conv3 = Convolution(cin, cout, 1)
            self.norm3 = nn.InstanceNorm3d(cout)

    def forward(self, x):
        out = self.lrelu(self.norm1(self.conv1(x)))
        out = self.norm2(self.conv2(out))
        residual = self.norm3(self.conv3(x)) if hasattr(self, 'conv3') else x
        return self.lrelu(out + residual)


class UnetrBasicBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.layer = UnetResBlock(cin, cout)

    def forward(self, x):
        return self.layer(x)


class UnetrPrUpBlock(nn.Module):
    def __init__(self, cin, cout, factors):
        super().__init__()
        self.transp_conv_init = Convolution(cin, cout, factors[0], factors[0], transposed=True)
        self.blocks = nn.ModuleList(
            nn.Sequential(Convolution(cout, cout, f, f, transposed=True), UnetResBlock(cout, cout)) for f in factors[1:]
        )

    def forward(self, x):
        x = self.transp_conv_init(x)
        for blk in self.blocks:
            x = blk(x)
        return x


class UnetrUpBlock(nn.Module):
    def __init__(self, cin, cout, factor):
        super().__init__()
        self.transp_conv = Convolution(cin, cout, factor, factor, transposed=True)
        self.conv_block = UnetResBlock(2 * cout, cout)

    def forward(self, x, skip):
        return self.conv_block(torch.cat((self.transp_conv(x), skip), dim=1))


class UnetOutBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = Convolution(cin, cout, 1, bias=True)

    def forward(self, x):
        return self.conv(x)


class PatchEmbeddingBlock(nn.Module):
    def __init__(self, cin, image_size, patch, hidden):
        super().__init__()
        self.n_patches = math.prod(s // patch for s in image_size)
        self.patch_embeddings = nn.Conv3d(cin, hidden, patch, stride=patch)
        self.position_embeddings = nn.Parameter(torch.zeros(1, self.n_patches, hidden))
        nn.init.trunc_normal_(self.position_embeddings, mean=0.0, std=0.02, a=-2.0, b=2.0)

    def forward(self, x):
        return self.patch_embeddings(x).flatten(2).transpose(-1, -2) + self.position_embeddings


class SABlock(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.num_heads = heads
        self.out_proj = nn.Linear(hidden, hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden, bias=False)
        self.scale = (hidden // heads) ** -0.5

    def forward(self, x):
        b, n, c = x.shape
        # "b h (qkv l d) -> qkv b l h d": q, k, v in that order, each head's features contiguous.
        q, k, v = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        att = (torch.einsum('blxd,blyd->blxy', q, k) * self.scale).softmax(dim=-1)
        y = torch.einsum('bhxy,bhyd->bhxd', att, v)
        return self.out_proj(y.transpose(1, 2).reshape(b, n, c))


class MLPBlock(nn.Module):
    def __init__(self, hidden, mlp_dim):
        super().__init__()
        self.linear1 = nn.Linear(hidden, mlp_dim)
        self.linear2 = nn.Linear(mlp_dim, hidden)
        self.fn = nn.GELU()

    def forward(self, x):
        return self.linear2(self.fn(self.linear1(x)))


class TransformerBlock(nn.Module):
    def __init__(self, hidden, mlp_dim, heads):
        super().__init__()
        self.mlp = MLPBlock(hidden, mlp_dim)
        self.norm1 = nn.LayerNorm(hidden)
        self.attn = SABlock(hidden, heads)
        self.norm2 = nn.LayerNorm(hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, cin, image_size, patch, hidden, mlp_dim, layers, heads):
        super().__init__()
        self.patch_embedding = PatchEmbeddingBlock(cin, image_size, patch, hidden)
        self.blocks = nn.ModuleList(TransformerBlock(hidden, mlp_dim, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(hidden)

    def forward(self, x):
        x = self.patch_embedding(x)
        hidden_states = []
        for blk in self.blocks:
            x = blk(x)
            hidden_states.append(x)
        return self.norm(x), hidden_states


def stage_factor(patch, stage):
    """Decoder stage 0 (decoder2, finest) … 3 (decoder5): 2 for the finest log2(patch) stages, else 1."""
    return 2 if stage < math.log2(patch) else 1


class UNETR(nn.Module):
    def __init__(self, cin, cout, image_size, feature_size, hidden, mlp_dim, layers, heads, patch):
        super().__init__()
        f = [stage_factor(patch, s) for s in range(4)]
        self.feat_size = [s // patch for s in image_size]
        self.hidden_size = hidden
        self.quarter = layers // 4
        fs = feature_size
        self.vit = ViT(cin, image_size, patch, hidden, mlp_dim, layers, heads)
        self.encoder1 = UnetrBasicBlock(cin, fs)
        self.encoder2 = UnetrPrUpBlock(hidden, 2 * fs, [f[3], f[2], f[1]])
        self.encoder3 = UnetrPrUpBlock(hidden, 4 * fs, [f[3], f[2]])
        self.encoder4 = UnetrPrUpBlock(hidden, 8 * fs, [f[3]])
        self.decoder5 = UnetrUpBlock(hidden, 8 * fs, f[3])
        self.decoder4 = UnetrUpBlock(8 * fs, 4 * fs, f[2])
        self.decoder3 = UnetrUpBlock(4 * fs, 2 * fs, f[1])
        self.decoder2 = UnetrUpBlock(2 * fs, fs, f[0])
        self.out = UnetOutBlock(fs, cout)

    def proj_feat(self, x):
        return x.view(x.size(0), *self.feat_size, self.hidden_size).permute(0, 4, 1, 2, 3).contiguous()

    def forward(self, x_in):
        x, hidden_states = self.vit(x_in)
        q = self.quarter
        enc1 = self.encoder1(x_in)
        enc2 = self.encoder2(self.proj_feat(hidden_states[q]))
        enc3 = self.encoder3(self.proj_feat(hidden_states[2 * q]))
        enc4 = self.encoder4(self.proj_feat(hidden_states[3 * q]))
        dec3 = self.decoder5(self.proj_feat(x), enc4)
        dec2 = self.decoder4(dec3, enc3)
        dec1 = self.decoder3(dec2, enc2)
        return self.out(self.decoder2(dec1, enc1))


def build(cfg, in_channels, num_classes):
    return UNETR(
        in_channels, num_classes, cfg['imageSize'], cfg['baseChannels'], cfg['hiddenSize'], cfg['mlpDim'], cfg['layers'], cfg['heads'], cfg['patchEdge'],
    )
