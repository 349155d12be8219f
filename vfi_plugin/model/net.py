"""The full interpolation network: base, synthesis residual, attention refinement."""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
import torch.nn.functional as F

from .config import ModelConfig
from .flow import FlowHead, resize_flow
from .borders import fill_unmatched, matched_weight, prefer_inside
from .candidates import with_global_motion
from .polish import polish_flow
from .refinement import RefinementNet
from .synthesis import SynthesisNet
from .warp import backward_warp


class NetOutput(NamedTuple):
    """What one forward pass produces (all [B, 3, H, W], range about [0, 1])."""

    synthesis: torch.Tensor  # I'2.5 = base + synthesis residual
    refined: torch.Tensor    # final frame
    base: torch.Tensor       # plain blend or motion-compensated blend
    flow: torch.Tensor | None = None  # the flow head's [B, 4, H, W] flows before the polish
    flow_levels: tuple[torch.Tensor, ...] = ()  # each flow level's output, at its own scale
    warp_flow: torch.Tensor | None = None  # [B, 4, H, W] polished flows the base warps with
    mask: torch.Tensor | None = None       # [B, 1, H, W] the base's weight of warped I2


class Motion(NamedTuple):
    """The motion-compensated base and what it is made of (padded size)."""

    base: torch.Tensor
    i2: torch.Tensor                 # I2 warped to the middle time
    i3: torch.Tensor                 # I3 warped to the middle time
    flow: torch.Tensor | None        # the flow head's flows (before the polish)
    levels: tuple[torch.Tensor, ...]
    warp_flow: torch.Tensor | None   # the polished flows I2 and I3 were warped with
    mask: torch.Tensor | None        # the blend weight of warped I2


class Net(nn.Module):
    """Suzuki & Ikehara's residual ConvLSTM interpolator with an optional flow base.

    ``forward(frames)`` takes [B, 4, 3, H, W] frames I1..I4 in [0, 1] of any
    size (padded to ``config.multiple`` and cropped back inside) and returns
    the frame halfway between I2 and I3 as ``NetOutput(synthesis, refined, base)``.
    """

    def __init__(self, config: ModelConfig | None = None) -> None:
        super().__init__()
        self.config = config or ModelConfig()
        c = self.config
        self.flow = (FlowHead(c.flow_widths, c.flow_cost_radii, c.flow_seed_sharpness)
                     if c.base == "flow" else None)
        self.synthesis = SynthesisNet(c.lstm_widths, c.bottleneck)
        self.refinement = RefinementNet(c.refine_width, c.refine_blocks, c.se_reduction)

    def forward(self, frames: torch.Tensor) -> NetOutput:
        b, t, ch, h, w = frames.shape
        if t != 4 or ch != 3:
            raise ValueError(f"expected [B, 4, 3, H, W] frames, got {tuple(frames.shape)}")
        m = self.config.multiple
        ph, pw = (-h) % m, (-w) % m
        if ph or pw:
            flat = F.pad(frames.flatten(0, 1), (0, pw, 0, ph), mode="replicate")
            frames = flat.unflatten(0, (b, t))
        base, i2, i3, flow, levels, warp_flow, mask = self.motion(frames, (h, w))
        centred = frames - 0.5
        context = torch.cat([base, i2, i3], 1) - 0.5
        if self.config.synthesis_scale == 1:
            residual = self.synthesis(centred, context)
        else:
            size = (frames.shape[-2] // 2, frames.shape[-1] // 2)
            small = F.interpolate(centred.flatten(0, 1), size=size, mode="bilinear",
                                  align_corners=False, antialias=True).unflatten(0, (b, t))
            context = F.interpolate(context, size=size, mode="bilinear", align_corners=False,
                                    antialias=True)
            residual = F.interpolate(self.synthesis(small, context), size=frames.shape[-2:],
                                     mode="bilinear", align_corners=False)
        synthesis = base + residual
        refined = synthesis + self.refinement(synthesis - 0.5, i2 - 0.5, i3 - 0.5)
        if ph or pw:
            synthesis, refined, base = (x[..., :h, :w] for x in (synthesis, refined, base))
            flow, warp_flow, mask = (x[..., :h, :w] if x is not None else None
                                     for x in (flow, warp_flow, mask))
        return NetOutput(synthesis, refined, base, flow, levels, warp_flow, mask)

    def carry(self, out: NetOutput, a2: torch.Tensor, a3: torch.Tensor) -> torch.Tensor:
        """Another channel (alpha, [B, C, H, W] of I2 and I3) moved to the middle time
        with the motion of ``out``: warped like the colour and blended with its mask
        (for the blend base: the plain mean). Values are clamped to [0, 1]."""
        if out.warp_flow is None or out.mask is None:
            return (0.5 * (a2 + a3)).clamp(0, 1)
        flow = out.warp_flow.to(a2.dtype)
        w2 = backward_warp(a2, flow[:, :2], self.config.warp_mode)
        w3 = backward_warp(a3, flow[:, 2:], self.config.warp_mode)
        mask = out.mask.to(a2.dtype)
        return (mask * w2 + (1 - mask) * w3).clamp(0, 1)

    def flow_downscale(self, height: int, width: int) -> int:
        """1, 2, 4, ...: the factor the flow head's input is downscaled by at this size."""
        limit, k = self.config.flow_max_pixels, 1
        while limit and (height // k) * (width // k) > limit:
            k *= 2
        return k

    def motion(self, frames: torch.Tensor, content: tuple[int, int] | None = None) -> Motion:
        """The base and what it is made of, for padded [B, 4, 3, H, W] frames.

        ``content`` (h, w) is the size of the real picture inside the padding (default: all
        of it): the edge strips that only one frame sees are found against it
        (``borders.fill_unmatched``, ``borders.prefer_inside``), and the camera's motion
        competes with the head's flow where both frames are matched (``candidates``).
        """
        i2, i3 = frames[:, 1], frames[:, 2]
        if self.flow is None:
            return Motion(0.5 * (i2 + i3), i2, i3, None, (), None, None)
        h, w = frames.shape[-2:]
        flat = frames.flatten(1, 2)
        k = self.flow_downscale(h, w)
        if k > 1:
            flat = F.interpolate(flat, size=(h // k, w // k), mode="bilinear",
                                 align_corners=False, antialias=True)
        flow, mask, levels = self.flow(flat, size=(h, w))
        content = content or (h, w)
        stages = self.config.polish
        if self.config.global_motion and len(stages) > 1:
            # the camera's motion competes before the last (finest) polish stage, which
            # then refines whichever flow won, pixel by pixel
            coarse = polish_flow(i2, i3, flow, stages[:-1])
            matched = matched_weight(coarse, content)
            chosen = with_global_motion(i2, i3, coarse, stages[-2:-1], matched,
                                        self.config.motion_vote)
            polished = polish_flow(i2, i3, chosen, stages[-1:])
        else:
            polished = polish_flow(i2, i3, flow, stages)
        if self.config.edge_fill:
            polished = fill_unmatched(polished, content)
            mask = prefer_inside(mask, polished, content)
        i2 = backward_warp(i2, polished[:, :2], self.config.warp_mode)
        i3 = backward_warp(i3, polished[:, 2:], self.config.warp_mode)
        return Motion(mask * i2 + (1 - mask) * i3, i2, i3, flow, tuple(levels), polished, mask)


def loss_fn(out: NetOutput, target: torch.Tensor, base_weight: float = 0.25,
            flow_target: torch.Tensor | None = None, flow_valid: torch.Tensor | None = None,
            flow_weight: float = 0.0, image_weight: float = 1.0) -> torch.Tensor:
    """0.5·L1(synthesis) + L1(refined) as in the paper (times ``image_weight``; 0 when
    only the flow head trains), plus a small L1 on the base and, where the exact flow is
    known, ``flow_weight`` times the mean end-point error of the head's flow and of
    every level's (against the exact flow resized to that level).

    The base term supervises the flow head directly (it is zero for the blend base,
    which has no parameters). ``flow_valid`` [B] marks samples whose flow is known.
    """
    loss = target.new_zeros(())
    if image_weight:
        loss = loss + image_weight * (0.5 * F.l1_loss(out.synthesis, target)
                                      + F.l1_loss(out.refined, target))
    if base_weight:
        loss = loss + base_weight * F.l1_loss(out.base, target)
    if flow_weight and flow_target is not None and out.flow is not None:
        valid = flow_valid if flow_valid is not None else target.new_ones(target.shape[0])
        count = valid.sum().clamp_min(1.0)
        for pred in (out.flow,) + tuple(out.flow_levels):
            exact = resize_flow(flow_target, pred.shape[-2:])
            # end-point error in full-resolution pixels, per sample
            scale = flow_target.shape[-1] / pred.shape[-1]
            err = (pred.float() - exact).unflatten(1, (2, 2)).norm(dim=2).mean((1, 2, 3)) * scale
            loss = loss + flow_weight * (err * valid).sum() / count
    return loss
