"""A second opinion on the motion: the camera's global motion, kept where it matches better.

The learned flow head is right on average but noisy pixel to pixel (measured on a 24 px pan
of a held-out photo: 1.2 px mean error, 3.2 px at the 90th percentile), and the Lucas-Kanade
polish, being local, settles in the nearest minimum: 0.84 px after it. Most large motion in
footage is the camera's (pans, tilts, push-ins, handheld drift): one affine motion for the
whole picture. This module fits that affine motion robustly to the polished flow, polishes it
in turn (0.04 px on the same pan) and keeps whichever of the two flows matches I2 and I3
better, so objects moving on their own keep the head's flow. The choice is a vote over a
window (``vote`` px at the comparison's scale) among the pixels where the two flows
disagree: an object is a region, and pixel by pixel a weakly textured patch of a moving
object can match the camera's motion as well as its own (v3.2 chose per pixel: a layer
moving 32 px at 1080p lost 7 dB to it, docs/motion.md), while pixels where both flows agree
(a still background around a small object) have no say.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .flow import resize_flow
from .polish import _box, polish_flow
from .warp import backward_warp

FIT_DOWNSCALE = 8     # the affine fit sees the flow averaged over 8x8 blocks
FIT_ITERATIONS = 4    # iteratively reweighted least squares rounds
FIT_SCALE_PX = 0.5    # residual (px) at which a block's weight halves (Cauchy)
MATCH_WINDOW = 5      # px at the comparison's scale: the matching error's averaging square
COMPARE_DOWNSCALE = 2 # the two flows are compared on frames at half size
DISAGREE_PX = 2.0     # flows closer than this (px, full size) agree: those pixels do not vote


def affine_motion(flow: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """The affine motion [B, 4, H, W] (to I2, and its mirror to I3) that best explains the
    flow to I2 of ``flow`` [B, 4, H, W], robust to the pixels that move on their own.
    ``weight`` [B, 1, H, W] (optional) says which pixels may take part."""
    flow = flow.float()
    b, _, h, w = flow.shape
    weight = torch.ones_like(flow[:, :1]) if weight is None else weight.float()
    k = max(1, min(FIT_DOWNSCALE, h // 4, w // 4))
    wsum = F.avg_pool2d(weight, k, ceil_mode=True)
    small = F.avg_pool2d(flow[:, :2] * weight, k, ceil_mode=True) / wsum.clamp(min=1e-6)
    sh, sw = small.shape[-2:]
    ys = (torch.arange(sh, dtype=flow.dtype, device=flow.device) + 0.5) * k - 0.5
    xs = (torch.arange(sw, dtype=flow.dtype, device=flow.device) + 0.5) * k - 0.5
    gy, gx = torch.meshgrid(ys / h, xs / w, indexing="ij")
    basis = torch.stack([gx.flatten(), gy.flatten(), torch.ones_like(gx).flatten()], 1)  # N x 3
    target = small.flatten(2).transpose(1, 2)                                              # B x N x 2
    wts = (wsum > 0.5).to(flow.dtype).flatten(1)                                           # B x N
    coef = flow.new_zeros(b, 3, 2)
    for _ in range(FIT_ITERATIONS):
        weighted = basis[None] * wts[..., None]                                            # B x N x 3
        normal = weighted.transpose(1, 2) @ basis[None] + 1e-6 * torch.eye(3, dtype=flow.dtype,
                                                                             device=flow.device)
        coef = torch.linalg.solve(normal, weighted.transpose(1, 2) @ target)             # B x 3 x 2
        residual = (basis[None] @ coef - target).norm(dim=-1)
        wts = (wsum > 0.5).to(flow.dtype).flatten(1) / (1 + (residual / FIT_SCALE_PX) ** 2)
    fy, fx = torch.meshgrid(torch.arange(h, dtype=flow.dtype, device=flow.device) / h,
                            torch.arange(w, dtype=flow.dtype, device=flow.device) / w,
                            indexing="ij")
    full = torch.stack([fx, fy, torch.ones_like(fx)], -1)                                  # H x W x 3
    to_i2 = torch.einsum("hwk,bkc->bchw", full, coef)
    return torch.cat([to_i2, -to_i2], 1)


def matching_error(grey2: torch.Tensor, grey3: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """[B, 1, h, w]: how badly I2 and I3 warped by ``flow`` disagree, averaged locally; at
    the resolution of ``grey2``/``grey3``, ``flow`` being resized to it."""
    flow = resize_flow(flow, grey2.shape[-2:])
    diff = backward_warp(grey2, flow[:, :2]) - backward_warp(grey3, flow[:, 2:])
    return _box(diff.abs(), MATCH_WINDOW)


def _vote(better: torch.Tensor, candidate: torch.Tensor, flow: torch.Tensor,
          window: int) -> torch.Tensor:
    """``better`` decided by a majority of the pixels around each one where the two flows
    disagree (by more than ``DISAGREE_PX``); pixels where they agree have no say, so a small
    object moving over a still background is decided by its own pixels."""
    size = better.shape[-2:]
    gap = (resize_flow(candidate, size) - resize_flow(flow, size)).abs().amax(1, keepdim=True)
    disagree = (gap * COMPARE_DOWNSCALE > DISAGREE_PX).float()
    votes, voters = _box(better.float() * disagree, window), _box(disagree, window)
    return torch.where(voters > 1e-6, votes > 0.5 * voters, better)


def with_global_motion(i2: torch.Tensor, i3: torch.Tensor, flow: torch.Tensor,
                       stages: tuple[tuple[int, int, int], ...],
                       weight: torch.Tensor | None = None, vote: int = 1) -> torch.Tensor:
    """``flow`` (polished), or where it matches better, the global affine motion fitted to it
    and polished by ``stages`` (float32). ``weight`` limits which pixels the fit sees. The
    two are compared on frames at 1/``COMPARE_DOWNSCALE``, each pixel taking what most
    pixels of the ``vote`` x ``vote`` square around it chose (1: each its own)."""
    with torch.autocast(flow.device.type, enabled=False):
        flow = flow.float()
        candidate = polish_flow(i2, i3, affine_motion(flow, weight), stages)
        size = (max(1, i2.shape[-2] // COMPARE_DOWNSCALE), max(1, i2.shape[-1] // COMPARE_DOWNSCALE))
        grey2, grey3 = (F.interpolate(x.float().mean(1, keepdim=True), size=size, mode="area")
                        for x in (i2, i3))
        better = matching_error(grey2, grey3, candidate) < matching_error(grey2, grey3, flow)
        if vote > 1:
            better = _vote(better, candidate, flow, vote)
        better = F.interpolate(better.float(), size=flow.shape[-2:], mode="nearest") > 0.5
        return torch.where(better, candidate, flow)
