"""Coarse-to-fine flow head: the motion-compensated base the residual nets refine."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from .blocks import conv
from .warp import backward_warp

COST_SCALE = 10.0  # matching costs are mean absolute differences in [0, 1]; scaled to ~unit size


def bilateral_cost(w2: torch.Tensor, w3: torch.Tensor, radius: int) -> torch.Tensor:
    """Bilateral matching costs of symmetric flow updates, [B, (2r+1)^2, H, W].

    Channel (dy, dx) compares ``w2`` shifted by +d with ``w3`` shifted by -d: how well
    the two warped frames agree if the flow to I2 grew by d and the flow to I3 by -d
    (motion through the middle frame, as minterpolate's bilateral search assumes).
    The cost is the colour difference averaged over a 3x3 block, so the level sees a
    block-matching search over +-radius pixels of its own scale.
    """
    if radius <= 0:
        return w2.new_zeros(w2.shape[0], 0, *w2.shape[2:])
    h, w = w2.shape[-2:]
    r = radius
    p2 = F.pad(w2, (r, r, r, r), mode="replicate")
    p3 = F.pad(w3, (r, r, r, r), mode="replicate")
    costs = []
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            a = p2[..., r + dy:r + dy + h, r + dx:r + dx + w]
            b = p3[..., r - dy:r - dy + h, r - dx:r - dx + w]
            costs.append((a - b).abs().mean(1, keepdim=True))
    cost = torch.cat(costs, 1)
    cost = F.avg_pool2d(cost, 3, stride=1, padding=1, count_include_pad=False)
    return cost * COST_SCALE


class FlowLevel(nn.Module):
    """Predicts a flow and mask update at one scale from frames, warps and the current estimate.

    With ``cost_radius`` > 0 it also sees a bilateral cost volume around the current
    flow (see ``bilateral_cost``); those inputs come last, after the original ones.
    """

    def __init__(self, width: int, depth: int = 3, cost_radius: int = 0) -> None:
        super().__init__()
        self.cost_radius = cost_radius
        in_ch = 12 + 6 + 4 + 1 + (2 * cost_radius + 1) ** 2 * (cost_radius > 0)
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
        inputs = [frames, w2, w3, flow, mask]
        if self.cost_radius:
            inputs.append(bilateral_cost(w2, w3, self.cost_radius).to(frames.dtype))
        delta = self.head(self.body(torch.cat(inputs, 1)))
        return flow + delta[:, :4], mask + delta[:, 4:]


class FlowHead(nn.Module):
    """Estimates flows from the middle time to I2 and I3 plus a blend mask.

    Levels run at 1/2^n .. 1/2 resolution, one per entry of ``widths`` (coarsest
    first; three: 1/8, 1/4, 1/2; four: from 1/16); the result is upsampled to full
    resolution. It starts at zero flow and an even
    mask, that is at the plain blend of the paper, and learns away from it.
    ``cost_radii`` gives each level's bilateral search radius (0 or missing: none).
    With ``seed_sharpness`` > 0 the coarsest level starts from ``cost_seed`` over its
    own radius instead of zero flow.
    """

    def __init__(self, widths: tuple[int, ...] = (64, 32, 16),
                 cost_radii: tuple[int, ...] = (), seed_sharpness: float = 0.0) -> None:
        super().__init__()
        radii = tuple(cost_radii) + (0,) * (len(widths) - len(cost_radii))
        self.seed_sharpness = float(seed_sharpness)
        self.seed_radius = radii[0]
        self.scales = tuple(2 ** (len(widths) - i) for i in range(len(widths)))
        self.levels = nn.ModuleList(FlowLevel(w, cost_radius=r) for w, r in zip(widths, radii))

    def forward(self, frames: torch.Tensor, size: tuple[int, int] | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        """Flows [B, 4, h, w] (to I2, to I3, in pixels of ``size``), the sigmoid mask
        [B, 1, h, w] and each level's flow at its own scale (for deep supervision).

        ``frames`` [B, 12, H, W] may be a downscaled copy of frames of ``size`` (h, w)
        (default: their own size): the flow is then upsampled and rescaled to it.
        """
        b, _, h, w = frames.shape
        flow = mask = None
        levels = []
        for scale, level in zip(self.scales, self.levels):
            small_size = (max(1, h // scale), max(1, w // scale))
            small = F.interpolate(frames, size=small_size, mode="bilinear", align_corners=False,
                                  antialias=True)
            if flow is None:
                mask = small.new_zeros(b, 1, *small_size)
                if self.seed_sharpness and self.seed_radius:
                    flow = cost_seed(small[:, 3:6], small[:, 6:9], self.seed_radius,
                                     self.seed_sharpness)
                else:
                    flow = small.new_zeros(b, 4, *small_size)
            else:
                flow = resize_flow(flow, small_size)
                mask = F.interpolate(mask, size=small_size, mode="bilinear", align_corners=False)
            flow, mask = level(small, flow, mask)
            levels.append(flow)
        out_size = size or (h, w)
        flow = resize_flow(flow, out_size)
        mask = F.interpolate(mask, size=out_size, mode="bilinear", align_corners=False)
        return flow, torch.sigmoid(mask), levels


def cost_seed(i2: torch.Tensor, i3: torch.Tensor, radius: int, sharpness: float) -> torch.Tensor:
    """A classical starting flow [B, 4, h, w]: the soft-argmin of the bilateral matching
    cost over +-``radius`` px (``softmax(-sharpness * cost)``-weighted mean offset), as
    symmetric flows (d to I2, -d to I3). Where the texture is clear it finds motions up
    to the radius at this scale; the learned level corrects it where it is not."""
    cost = bilateral_cost(i2, i3, radius).float()
    weights = torch.softmax(-sharpness * cost, 1)
    steps = torch.arange(-radius, radius + 1, dtype=weights.dtype, device=weights.device)
    dy, dx = torch.meshgrid(steps, steps, indexing="ij")
    fx = (weights * dx.reshape(1, -1, 1, 1)).sum(1, keepdim=True)
    fy = (weights * dy.reshape(1, -1, 1, 1)).sum(1, keepdim=True)
    return torch.cat([fx, fy, -fx, -fy], 1).to(i2.dtype)


def resize_flow(flow: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of [B, 2k, h, w] pixel flows (dx, dy pairs) to ``size``, rescaling
    dx by the width ratio and dy by the height ratio."""
    h, w = flow.shape[-2:]
    if (h, w) == tuple(size):
        return flow
    out = F.interpolate(flow, size=size, mode="bilinear", align_corners=False)
    ratio = torch.tensor([size[1] / w, size[0] / h], dtype=out.dtype, device=out.device)
    return out * ratio.repeat(flow.shape[1] // 2)[None, :, None, None]
