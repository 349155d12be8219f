"""Synthesis U-Net with ConvLSTM encoder (Suzuki & Ikehara 2020, section III-A)."""
from __future__ import annotations

import torch
from torch import nn

from .blocks import DecodingBlock, EncodingBlock, ToImage, conv
from .convlstm import ConvLSTMLayer


class SynthesisNet(nn.Module):
    """Predicts the residual between the middle frame and a base image.

    The encoder runs bidirectional ConvLSTMs over I1..I4 at 1/2, 1/4 and 1/8
    resolution; a bottleneck at 1/16 and a decoder that runs once on the
    LSTMs' fused summary states produce a residual at full resolution. A
    context stem sees the base image and the two (aligned) neighbours, so
    the residual knows what it corrects.
    """

    def __init__(self, widths: tuple[int, int, int] = (8, 16, 32), bottleneck: int = 64) -> None:
        super().__init__()
        c1, c2, c3 = widths
        self.enc1 = EncodingBlock(3, c1)
        self.lstm1 = ConvLSTMLayer(c1, c1)
        self.enc2 = EncodingBlock(c1, c2)
        self.lstm2 = ConvLSTMLayer(c2, c2)
        self.enc3 = EncodingBlock(c2, c3)
        self.lstm3 = ConvLSTMLayer(c3, c3)
        self.bottleneck = nn.Sequential(conv(c3, bottleneck, stride=2), conv(bottleneck, bottleneck))
        self.context = nn.Sequential(conv(9, c1, stride=2), conv(c1, c1))
        self.dec3 = DecodingBlock(bottleneck, c3, c3)
        self.dec2 = DecodingBlock(c3, c2, c2)
        self.dec1 = DecodingBlock(c2, 2 * c1, c1)
        self.out = ToImage(c1)

    def forward(self, seq: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """seq: [B, 4, 3, H, W] centred frames; context: [B, 9, H, W]. Returns [B, 3, H, W]."""
        s1, h1 = self.lstm1(self.enc1(seq))
        s2, h2 = self.lstm2(self.enc2(s1))
        _, h3 = self.lstm3(self.enc3(s2))
        x = self.bottleneck(h3)
        x = self.dec3(x, h3)
        x = self.dec2(x, h2)
        x = self.dec1(x, torch.cat([h1, self.context(context)], 1))
        return self.out(x)
