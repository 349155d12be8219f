"""Refinement net with channel (SE, r=3) and spatial attention (Suzuki & Ikehara, III-B)."""
from __future__ import annotations

import torch
from torch import nn

from .blocks import AttentionBlock, ToImage, conv


class RefinementNet(nn.Module):
    """Sharpens I'2.5 from (I'2.5, I2, I3); returns a residual to add to I'2.5."""

    def __init__(self, width: int = 12, blocks: int = 3, reduction: int = 3) -> None:
        super().__init__()
        self.stem = conv(9, width, stride=2)
        self.blocks = nn.Sequential(*(AttentionBlock(width, reduction) for _ in range(blocks)))
        self.out = ToImage(width)

    def forward(self, synthesis: torch.Tensor, i2: torch.Tensor, i3: torch.Tensor) -> torch.Tensor:
        return self.out(self.blocks(self.stem(torch.cat([synthesis, i2, i3], 1))))
