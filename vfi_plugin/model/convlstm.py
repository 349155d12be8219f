"""Convolutional LSTM (Shi et al. 2015) cell and a bidirectional layer over time."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F


class ConvLSTMCell(nn.Module):
    """One ConvLSTM step: gates from a 3x3 convolution over [input, hidden].

    The convolution is linear, so it splits into an input part (``input_gates``, which a
    layer runs once for all time steps) and a hidden part (``step``, skipped when the
    state is zero): the same numbers as one convolution over the concatenation, without
    the per-step copy, and the parameters stay one ``gates`` convolution.
    """

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.gates = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels,
                               kernel_size, padding=kernel_size // 2)

    def zero_state(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """States in the input's dtype and device, so bf16/fp16 inference works."""
        b, _, h, w = x.shape
        z = x.new_zeros(b, self.hidden_channels, h, w)
        return z, z

    def input_gates(self, x: torch.Tensor) -> torch.Tensor:
        """The input's share of the gate pre-activations (with the bias), for [N, C, H, W]."""
        weight = self.gates.weight[:, :self.in_channels]
        return F.conv2d(x, weight, self.gates.bias, padding=self.gates.padding)

    def step(self, pre: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """One step from the input's gate share ``pre``; ``state`` None means zero state."""
        if state is not None:
            h, c = state
            weight = self.gates.weight[:, self.in_channels:]
            pre = pre + F.conv2d(h.to(pre.dtype), weight, padding=self.gates.padding)
        n = self.hidden_channels
        ifo = torch.sigmoid(pre[:, :3 * n])
        i, f, o = ifo[:, :n], ifo[:, n:2 * n], ifo[:, 2 * n:]
        g = torch.tanh(pre[:, 3 * n:])
        c_new = i * g if state is None else f * state[1].to(i.dtype) + i * g
        return o * torch.tanh(c_new), c_new

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
                ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.step(self.input_gates(x), state)


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
        b, t = seq.shape[:2]
        flat = seq.flatten(0, 1)  # every step's input gates in one convolution per direction
        pre_f = self.forward_cell.input_gates(flat).unflatten(0, (b, t)).unbind(1)
        pre_b = self.backward_cell.input_gates(flat).unflatten(0, (b, t)).unbind(1)
        fwd, bwd = [], []
        state = None
        for pre in pre_f:
            state = self.forward_cell.step(pre, state)
            fwd.append(state[0])
        state = None
        for pre in reversed(pre_b):
            state = self.backward_cell.step(pre, state)
            bwd.append(state[0])
        bwd.reverse()
        outputs = torch.stack([torch.cat([f, b], 1) for f, b in zip(fwd, bwd)], 1)
        summary = torch.cat([fwd[-1], bwd[0]], 1)
        return outputs, summary
