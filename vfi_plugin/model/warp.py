"""Backward warping of images by dense optical flow."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def backward_warp(image: torch.Tensor, flow: torch.Tensor, mode: str = "bilinear") -> torch.Tensor:
    """Sample ``image`` at ``x + flow(x)``; flow is [B, 2, H, W] in pixels (dx, dy).

    ``mode`` is grid_sample's: "bilinear", or "bicubic", which blurs fractional
    positions less (a half-pixel bilinear shift is a [1/2, 1/2] low-pass) at ~4x the cost.
    """
    if mode == "bicubic" and image.device.type == "mps":
        mode = "bilinear"  # MPS's grid_sample has no bicubic kernel; never fail there
    b, _, h, w = image.shape
    ys = torch.arange(h, device=image.device, dtype=flow.dtype)
    xs = torch.arange(w, device=image.device, dtype=flow.dtype)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    x = (gx + flow[:, 0]) * (2.0 / max(w - 1, 1)) - 1.0
    y = (gy + flow[:, 1]) * (2.0 / max(h - 1, 1)) - 1.0
    grid = torch.stack([x, y], -1)
    return F.grid_sample(image, grid.to(image.dtype), mode=mode,
                         padding_mode="border", align_corners=True)
