"""Frames in, frames out: the network wrapped for inference on numpy frames.

Frames are HxWx3 (RGB) or HxWx4 (RGBA) arrays of uint8 or uint16 (full range): deep
frames are interpolated in float and come back at 16 bits; alpha moves with the
colour's motion (``Net.carry``).
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ..errors import UserInputError
from ..model import Net, load_net
from .device import autocast_dtype, resolve_device
from .tiling import run_tiled

Window = Sequence[np.ndarray]  # four HxWxC (C = 3 or 4) uint8 or uint16 frames I1..I4
PEAK = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


@dataclass(frozen=True)
class InferenceOptions:
    """How to run the net: precision, memory layout, batching and tiling budgets."""

    precision: str = "auto"          # auto | fp32 | bf16 | fp16
    channels_last: bool = False      # measured slower on this CPU (see benchmarks/README)
    batch_pixels: int | None = None  # windows per pass ~ batch_pixels / (H*W); None: by device
    tile_pixels: int = 2_400_000     # frames above this are tiled ...
    tile_size: int = 768             # ... into tiles of this side ...
    tile_overlap: int = 64           # ... overlapping by this much


class Interpolator:
    """Predicts the frame halfway between f2 and f3 from four frames f1..f4 of any size."""

    def __init__(self, net: Net, device: str | torch.device = "auto",
                 options: InferenceOptions | None = None) -> None:
        self.device = device if isinstance(device, torch.device) else resolve_device(device)
        self.options = options or InferenceOptions()
        self.dtype = autocast_dtype(self.device, self.options.precision)
        self.net = net.to(self.device).eval()
        if self.options.channels_last:
            self.net = self.net.to(memory_format=torch.channels_last)
        self.net_calls = 0
        # one pass at a time: a panel's preview and render may share this object, and torch
        # gains nothing from two passes competing for the same cores
        self._lock = threading.Lock()

    @property
    def config(self):
        return self.net.config

    def batch_size(self, height: int, width: int) -> int:
        """Windows per forward pass for frames of this size.

        On a CPU batching gains little (measured 0.57 s vs 0.64 s per 640x360 frame at batch
        1 vs 4) and delays cancellation, so only small frames are batched there.
        """
        budget = self.options.batch_pixels
        if budget is None:
            budget = 8_000_000 if self.device.type == "cuda" else 200_000
        return max(1, budget // max(1, height * width))

    def midpoint(self, f1: np.ndarray, f2: np.ndarray, f3: np.ndarray, f4: np.ndarray) -> np.ndarray:
        """The frame halfway between f2 and f3 (same shape and dtype)."""
        return self.midpoints([(f1, f2, f3, f4)])[0]

    def midpoints(self, windows: Sequence[Window]) -> list[np.ndarray]:
        """Midpoints of several windows (same frame size), batched."""
        if not windows:
            return []
        shape = check_window(windows[0])
        for win in windows[1:]:
            first = windows[0][0]
            if (check_window(win) != shape or win[0].shape != first.shape
                    or win[0].dtype != first.dtype):
                raise UserInputError(f"all frames must have one shape and type, got {first.shape} "
                                     f"{first.dtype} and {win[0].shape} {win[0].dtype}")
        results: list[np.ndarray | None] = [None] * len(windows)
        todo = []
        for i, (_, f2, f3, _) in enumerate(windows):
            if np.array_equal(f2, f3):
                results[i] = f2.copy()  # nothing moves: the exact answer, no model noise
            else:
                todo.append(i)
        step = self.batch_size(shape[0], shape[1])
        for k in range(0, len(todo), step):
            idx = todo[k:k + step]
            for i, frame in zip(idx, self._run([windows[i] for i in idx])):
                results[i] = frame
        return results  # type: ignore[return-value]

    def _run(self, windows: Sequence[Window]) -> list[np.ndarray]:
        with self._lock:
            out = self._pass(windows)
            self.net_calls += len(windows)
        return out

    @torch.inference_mode()
    def _pass(self, windows: Sequence[Window]) -> list[np.ndarray]:
        arr = np.stack([np.stack(w) for w in windows])  # B,4,H,W,C uint8 or uint16
        peak = PEAK[arr.dtype]
        if arr.dtype == np.uint16:  # torch has no uint16 arithmetic on every build
            arr = arr.astype(np.int32)
        x = torch.from_numpy(arr).to(self.device).permute(0, 1, 4, 2, 3).float().div_(peak)
        h, w = x.shape[-2:]
        opts = self.options
        if h * w > opts.tile_pixels:
            out = run_tiled(self._forward, x, opts.tile_size, opts.tile_overlap)
        else:
            out = self._forward(x)
        out = out.float().clamp_(0, 1).mul_(peak).round_().permute(0, 2, 3, 1).contiguous()
        if peak == 255.0:  # the 8-bit fast path: straight to uint8, as before deep frames
            return list(out.to(torch.uint8).cpu().numpy())
        return list(out.to(torch.int32).cpu().numpy().astype(np.uint16))

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.options.channels_last:
            b, t = x.shape[:2]
            x = x.flatten(0, 1).contiguous(memory_format=torch.channels_last).unflatten(0, (b, t))
        ctx = (torch.autocast(self.device.type, dtype=self.dtype) if self.dtype is not None
               else contextlib.nullcontext())
        with ctx:
            out = self.net(x[:, :, :3])
            if x.shape[2] == 3:
                return out.refined.float()
        with torch.autocast(self.device.type, enabled=False):  # alpha edges want fp32
            alpha = self.net.carry(out, x[:, 1, 3:].float(), x[:, 2, 3:].float())
        return torch.cat([out.refined.float(), alpha], 1)


def check_window(window: Window) -> tuple[int, int]:
    """Validate four HxWxC frames (C = 3 or 4, uint8 or uint16) of one shape and dtype;
    return (H, W)."""
    if len(window) != 4:
        raise UserInputError(f"midpoint needs four frames, got {len(window)}")
    first = window[0]
    for f in window:
        if (not isinstance(f, np.ndarray) or f.dtype not in (np.uint8, np.uint16) or f.ndim != 3
                or f.shape[2] not in (3, 4)):
            raise UserInputError("frames must be HxWx3 (RGB) or HxWx4 (RGBA) uint8 or uint16 "
                                 "numpy arrays")
        if f.shape != first.shape or f.dtype != first.dtype:
            raise UserInputError(f"all frames must have one shape and type, got {first.shape} "
                                 f"{first.dtype} and {f.shape} {f.dtype}")
    return first.shape[0], first.shape[1]


def default_weights_path() -> Path:
    """The weights shipped inside the package."""
    from importlib.resources import files

    return Path(str(files("vfi_plugin.resources") / "weights" / "slowmo.safetensors"))


def load_interpolator(weights: str | Path | None = None, device: str = "auto",
                      options: InferenceOptions | None = None) -> Interpolator:
    """Load the shipped (or given) weights and return a ready ``Interpolator``."""
    path = Path(weights) if weights is not None else default_weights_path()
    dev = resolve_device(device)
    return Interpolator(load_net(path), dev, options)
