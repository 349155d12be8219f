"""Coarse-to-fine flow head: the motion-compensated base the residual nets refine."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from .blocks import conv
from .warp import backward_warp


class FlowLevel(nn.Module):
    """Predicts a flow and mask update at one scale from frames, warps and the current estimate."""

    def __init__(self, width: int, depth: int = 3) -> None:
        super().__init__()
        in_ch = 12 + 6 + 4 + 1  # I1..I4, two warped frames, two flows, mask logit
        layers = [conv(in_ch, width)] + [conv(width, width) for _ in range(depth)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Conv2d(width, 5, 3, padding=1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, frames: torch.Tensor, flow: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        i2, i3 = frames[:, 3:6], frames[:, 6:9]
        w2 = backward_warp(i2, flow[:, :2])
        w3 = backward_warp(i3, flow[:, 2:])
        delta = self.head(self.body(torch.cat([frames, w2, w3, flow, mask], 1)))
        return flow + delta[:, :4], mask + delta[:, 4:]


class FlowHead(nn.Module):
    """Estimates flows from the middle time to I2 and I3 plus a blend mask.

    Levels run at 1/8, 1/4 and 1/2 resolution (widths from ``widths``); the
    result is upsampled to full resolution. It starts at zero flow and an even
    mask, that is at the plain blend of the paper, and learns away from it.
    """

    def __init__(self, widths: tuple[int, ...] = (64, 32, 16)) -> None:
        super().__init__()
        self.scales = tuple(2 ** (len(widths) - i) for i in range(len(widths)))
        self.levels = nn.ModuleList(FlowLevel(w) for w in widths)

    def forward(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, _, h, w = frames.shape
        flow = mask = None
        for scale, level in zip(self.scales, self.levels):
            size = (h // scale, w // scale)
            small = F.interpolate(frames, size=size, mode="bilinear", align_corners=False,
                                  antialias=True)
            if flow is None:
                flow = small.new_zeros(b, 4, *size)
                mask = small.new_zeros(b, 1, *size)
            else:
                ratio = size[1] / flow.shape[-1]
                flow = F.interpolate(flow, size=size, mode="bilinear", align_corners=False) * ratio
                mask = F.interpolate(mask, size=size, mode="bilinear", align_corners=False)
            flow, mask = level(small, flow, mask)
        ratio = w / flow.shape[-1]
        flow = F.interpolate(flow, size=(h, w), mode="bilinear", align_corners=False) * ratio
        mask = F.interpolate(mask, size=(h, w), mode="bilinear", align_corners=False)
        return flow, torch.sigmoid(mask)
