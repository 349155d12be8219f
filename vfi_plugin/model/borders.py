"""Motion at the picture's edges, where one of the two frames has no pixels to match.

Bilateral matching (the flow head's cost volume and the Lucas-Kanade polish both compare
I2 at ``x + f`` with I3 at ``x - f``) has nothing to compare where one of the two samples
falls outside the picture: the strips along the edges that the motion carries out of the
frame, as wide as the motion. There the estimate drifts (measured on a 64 px pan at 720p:
32 px of flow grows to 54 px towards one edge and shrinks to 15 px at the other; the
strips' error reaches 45 RMSE). This module replaces the flow there by the flow of the
nearest well-matched pixels (a push-pull fill: the motion continues to the edge) and
makes the blend take the frame that does hold the content.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

# pixels this close to an unmatched one are refilled too: the head's convolutions and the
# polish's windows mix the bad matches into their neighbours
CONTAMINATION_PX = 8
FILL_LEVELS = 8      # push-pull pyramid depth: fills strips up to ~2^8 px deep
FILL_ROUNDS = 2      # a fill's wider motion can widen the strip it came from: once more
REACH_WINDOW = 128   # px around a pixel whose motion decides how wide its edge strip is
REACH_DOWNSCALE = 4  # the motion's extent is taken from a 1/4 copy of the flow
FILL_DOWNSCALE = 4   # the strips are filled on a 1/4 copy


def inside_weights(flow: torch.Tensor, content: tuple[int, int]) -> torch.Tensor:
    """[B, 1, H, W]: 1 where ``x + flow(x)`` lies inside the ``content`` (h, w) picture,
    falling linearly to 0 one pixel outside it."""
    h, w = content
    ys = torch.arange(flow.shape[-2], device=flow.device, dtype=flow.dtype).view(-1, 1)
    xs = torch.arange(flow.shape[-1], device=flow.device, dtype=flow.dtype)
    x, y = xs + flow[:, 0:1], ys + flow[:, 1:2]
    outside = ((-x).clamp(min=0) + (x - (w - 1)).clamp(min=0)
               + (-y).clamp(min=0) + (y - (h - 1)).clamp(min=0))
    return (1 - outside).clamp(min=0)


def _reach(flow: torch.Tensor, px: int = 1) -> torch.Tensor:
    """[B, 2, H, W]: the largest horizontal and vertical motion (of either frame)
    within about ``REACH_WINDOW`` full-size px, taken from a 1/``REACH_DOWNSCALE`` copy;
    ``px``: full-size px per pixel of ``flow``."""
    mag = flow.abs()
    mag = torch.stack([torch.maximum(mag[:, 0], mag[:, 2]),
                       torch.maximum(mag[:, 1], mag[:, 3])], 1)
    pool = max(1, REACH_DOWNSCALE // px)
    small = F.max_pool2d(mag, pool, ceil_mode=True)
    r = max(1, REACH_WINDOW // (2 * pool * px))
    small = F.max_pool2d(small, (1, 2 * r + 1), stride=1, padding=(0, r))
    small = F.max_pool2d(small, (2 * r + 1, 1), stride=1, padding=(r, 0))
    return F.interpolate(small, size=flow.shape[-2:], mode="nearest")


def matched_weight(flow: torch.Tensor, content: tuple[int, int], px: int = 1) -> torch.Tensor:
    """[B, 1, H, W] of 0 or 1: 0 within the strips along the picture's edges that the
    motion around them carries out of the picture in one of the frames (widened by
    ``CONTAMINATION_PX``) and wherever a frame's sample falls outside the picture.
    ``flow`` and ``content`` may be a 1/``px`` copy, in its own pixels."""
    h, w = content
    reach = _reach(flow, px) + CONTAMINATION_PX / px
    ys = torch.arange(flow.shape[-2], device=flow.device, dtype=flow.dtype).view(-1, 1)
    xs = torch.arange(flow.shape[-1], device=flow.device, dtype=flow.dtype)
    near = ((torch.minimum(xs, (w - 1) - xs) < reach[:, 0:1])
            | (torch.minimum(ys, (h - 1) - ys) < reach[:, 1:2]))
    both = inside_weights(flow[:, :2], content) * inside_weights(flow[:, 2:], content)
    return ((~near) & (both >= 1)).to(flow.dtype)


def _push_pull(values: torch.Tensor, weight: torch.Tensor, levels: int) -> torch.Tensor:
    """``values`` where ``weight`` is 1; elsewhere a weighted mean of the nearest weighted
    values (normalised averaging over an image pyramid, coarse levels filling holes)."""
    if levels == 0 or min(values.shape[-2:]) < 2:
        total = weight.sum((-2, -1), keepdim=True)
        mean = (values * weight).sum((-2, -1), keepdim=True) / total.clamp(min=1e-6)
        return weight * values + (1 - weight) * mean
    w_small = F.avg_pool2d(weight, 2, ceil_mode=True)
    v_small = F.avg_pool2d(values * weight, 2, ceil_mode=True) / w_small.clamp(min=1e-6)
    coarse = _push_pull(v_small, (4 * w_small).clamp(max=1), levels - 1)
    up = F.interpolate(coarse, size=values.shape[-2:], mode="bilinear", align_corners=False)
    return weight * values + (1 - weight) * up


def fill_unmatched(flow: torch.Tensor, content: tuple[int, int]) -> torch.Tensor:
    """``flow`` [B, 4, H, W] with its unmatched edge strips replaced by the motion of the
    nearest matched pixels (float32). A picture with no matched pixel keeps its flow.

    The fill is smooth by nature, so it is worked out on a 1/``FILL_DOWNSCALE`` copy (a
    sixth of the full-size cost, measured: 96 ms of a 620 ms 720p frame at full size);
    matched pixels keep their own flow exactly.
    """
    flow = flow.float()
    h, w = flow.shape[-2:]
    k = FILL_DOWNSCALE if min(h, w) >= 8 * FILL_DOWNSCALE else 1
    small = F.avg_pool2d(flow, k, ceil_mode=True) / k
    small_content = (-(-content[0] // k), -(-content[1] // k))
    keep = torch.ones_like(small[:, :1])
    for _ in range(FILL_ROUNDS):
        weight = matched_weight(small, small_content, k)
        if bool((weight >= 1).all()):
            break
        has_any = weight.flatten(1).amax(1).view(-1, 1, 1, 1) > 0
        small = torch.where(has_any, _push_pull(small, weight, FILL_LEVELS), small)
        keep = keep * torch.where(has_any, weight, torch.ones_like(weight))
    if bool((keep >= 1).all()):
        return flow
    filled = F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False) * k
    keep = F.interpolate(keep, size=(h, w), mode="nearest")
    return torch.where(keep >= 1, flow, filled)


def prefer_inside(mask: torch.Tensor, flow: torch.Tensor, content: tuple[int, int]
                  ) -> torch.Tensor:
    """The blend ``mask`` (weight of warped I2) re-weighted so that a frame whose flow
    samples outside the picture gives way to the other: content entering at an edge
    exists in one input only, and the other's border pixels would smear into it.
    Where both sample outside, the mask is kept."""
    flow = flow.float()
    v2, v3 = inside_weights(flow[:, :2], content), inside_weights(flow[:, 2:], content)
    m = mask.float()
    a, b = m * v2, (1 - m) * v3
    total = a + b
    return torch.where(total > 1e-3, a / total.clamp(min=1e-3), m).to(mask.dtype)
