"""Building blocks shared by the synthesis, refinement and flow networks."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F


def act() -> nn.Module:
    """The non-linearity used throughout (no norm layers: same behaviour in train and eval)."""
    return nn.LeakyReLU(0.1, inplace=True)


def conv(in_ch: int, out_ch: int, stride: int = 1, kernel: int = 3) -> nn.Sequential:
    """Conv + activation."""
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, kernel, stride, kernel // 2), act())


class EncodingBlock(nn.Module):
    """Stride-2 conv + conv applied to every time step (time folded into batch)."""

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.body = nn.Sequential(conv(in_ch, out_ch, stride=2), conv(out_ch, out_ch))

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        b, t = seq.shape[:2]
        y = self.body(seq.flatten(0, 1))
        return y.unflatten(0, (b, t))


class DecodingBlock(nn.Module):
    """Upsample x2, concatenate the skip connection, two convs (run once, not per time step)."""

    def __init__(self, in_ch: int, skip_ch: int, out_ch: int) -> None:
        super().__init__()
        self.reduce = conv(in_ch, out_ch)
        self.body = nn.Sequential(conv(out_ch + skip_ch, out_ch), conv(out_ch, out_ch))

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.body(torch.cat([self.reduce(x), skip], 1))


class ChannelAttention(nn.Module):
    """Squeeze-and-excitation (Hu et al.) with reduction ratio r."""

    def __init__(self, channels: int, reduction: int = 3) -> None:
        super().__init__()
        hidden = max(1, channels // reduction)
        self.fc = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(inplace=True),
                                nn.Linear(hidden, channels), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.fc(x.mean((2, 3)))
        return x * w[:, :, None, None]


class SpatialAttention(nn.Module):
    """CBAM-style spatial attention: 7x7 conv over channel mean and max."""

    def __init__(self, kernel: int = 7) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel, padding=kernel // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)
        return x * torch.sigmoid(self.conv(pooled))


class AttentionBlock(nn.Module):
    """conv-act-conv, channel then spatial attention, residual connection."""

    def __init__(self, channels: int, reduction: int = 3) -> None:
        super().__init__()
        self.body = nn.Sequential(conv(channels, channels),
                                  nn.Conv2d(channels, channels, 3, padding=1))
        self.channel = ChannelAttention(channels, reduction)
        self.spatial = SpatialAttention()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.spatial(self.channel(self.body(x)))


class ToImage(nn.Module):
    """Half-resolution features to a full-resolution 3-channel residual (pixel shuffle)."""

    def __init__(self, in_ch: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_ch, 12, 3, padding=1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pixel_shuffle(self.proj(x), 2)
