"""Convolutional LSTM (Shi et al. 2015) cell and a bidirectional layer over time."""
from __future__ import annotations

import torch
from torch import nn


class ConvLSTMCell(nn.Module):
    """One ConvLSTM step: gates from a 3x3 convolution over [input, hidden]."""

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.hidden_channels = hidden_channels
        self.gates = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels,
                               kernel_size, padding=kernel_size // 2)

    def zero_state(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """States in the input's dtype and device, so bf16/fp16 inference works."""
        b, _, h, w = x.shape
        z = x.new_zeros(b, self.hidden_channels, h, w)
        return z, z

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
                ) -> tuple[torch.Tensor, torch.Tensor]:
        h, c = state
        i, f, o, g = self.gates(torch.cat([x, h.to(x.dtype)], 1)).chunk(4, 1)
        c = torch.sigmoid(f) * c.to(i.dtype) + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class ConvLSTMLayer(nn.Module):
    """Bidirectional ConvLSTM unrolled over a [B, T, C, H, W] sequence.

    Returns every step's hidden state (forward and backward concatenated, so
    ``out_channels = hidden_channels``) and the summary state that fuses both
    directions' final states, each of which has seen the whole sequence.
    """

    def __init__(self, in_channels: int, hidden_channels: int) -> None:
        super().__init__()
        if hidden_channels % 2:
            raise ValueError("hidden_channels must be even (split over two directions)")
        half = hidden_channels // 2
        self.forward_cell = ConvLSTMCell(in_channels, half)
        self.backward_cell = ConvLSTMCell(in_channels, half)
        self.out_channels = hidden_channels

    def forward(self, seq: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        steps = seq.unbind(1)
        fwd, bwd = [], []
        state = self.forward_cell.zero_state(steps[0])
        for x in steps:
            state = self.forward_cell(x, state)
            fwd.append(state[0])
        state = self.backward_cell.zero_state(steps[0])
        for x in reversed(steps):
            state = self.backward_cell(x, state)
            bwd.append(state[0])
        bwd.reverse()
        outputs = torch.stack([torch.cat([f, b], 1) for f, b in zip(fwd, bwd)], 1)
        summary = torch.cat([fwd[-1], bwd[0]], 1)
        return outputs, summary
