"""The full interpolation network: base, synthesis residual, attention refinement."""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
import torch.nn.functional as F

from .config import ModelConfig
from .flow import FlowHead
from .polish import polish_flow
from .refinement import RefinementNet
from .synthesis import SynthesisNet
from .warp import backward_warp


class NetOutput(NamedTuple):
    """What one forward pass produces (all [B, 3, H, W], range about [0, 1])."""

    synthesis: torch.Tensor  # I'2.5 = base + synthesis residual
    refined: torch.Tensor    # final frame
    base: torch.Tensor       # plain blend or motion-compensated blend


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
        self.flow = FlowHead(c.flow_widths, c.flow_cost_radii) if c.base == "flow" else None
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
        i2, i3 = frames[:, 1], frames[:, 2]
        if self.flow is not None:
            flow, mask = self.flow(frames.flatten(1, 2))
            flow = polish_flow(i2, i3, flow, self.config.polish)
            i2 = backward_warp(i2, flow[:, :2], self.config.warp_mode)
            i3 = backward_warp(i3, flow[:, 2:], self.config.warp_mode)
            base = mask * i2 + (1 - mask) * i3
        else:
            base = 0.5 * (i2 + i3)
        centred = frames - 0.5
        context = torch.cat([base, i2, i3], 1) - 0.5
        synthesis = base + self.synthesis(centred, context)
        refined = synthesis + self.refinement(synthesis - 0.5, i2 - 0.5, i3 - 0.5)
        if ph or pw:
            synthesis, refined, base = (x[..., :h, :w] for x in (synthesis, refined, base))
        return NetOutput(synthesis, refined, base)


def loss_fn(out: NetOutput, target: torch.Tensor, base_weight: float = 0.25) -> torch.Tensor:
    """0.5·L1(synthesis) + L1(refined) as in the paper, plus a small L1 on the base.

    The base term supervises the flow head directly (it is zero for the blend base,
    which has no parameters).
    """
    loss = 0.5 * F.l1_loss(out.synthesis, target) + F.l1_loss(out.refined, target)
    if base_weight:
        loss = loss + base_weight * F.l1_loss(out.base, target)
    return loss
