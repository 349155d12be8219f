"""Overlapping tiles with feathered blending, for frames larger than a memory budget."""
from __future__ import annotations

from typing import Callable, Iterator

import torch


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets covering ``length`` with tiles of ``tile`` overlapping by >= ``overlap``."""
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step)) + [length - tile]
    return sorted(set(starts))


def feather(length: int, overlap: int, first: bool, last: bool, device, dtype) -> torch.Tensor:
    """1-D weights: linear ramps over the overlaps, flat elsewhere, never zero."""
    w = torch.ones(length, device=device, dtype=dtype)
    ramp = torch.linspace(0.0, 1.0, overlap + 2, device=device, dtype=dtype)[1:-1]
    if not first and overlap:
        w[:overlap] = ramp
    if not last and overlap:
        w[-overlap:] = ramp.flip(0)
    return w


def tiles(h: int, w: int, tile: int, overlap: int) -> Iterator[tuple[int, int, int, int]]:
    """(y0, y1, x0, x1) boxes of the tiling."""
    for y in tile_starts(h, tile, overlap):
        for x in tile_starts(w, tile, overlap):
            yield y, min(y + tile, h), x, min(x + tile, w)


def run_tiled(fn: Callable[[torch.Tensor], torch.Tensor], frames: torch.Tensor,
              tile: int, overlap: int) -> torch.Tensor:
    """Apply ``fn`` ([B,T,C,h,w] -> [B,C,h,w]) tile by tile and blend the tiles without seams."""
    b, _, c, h, w = frames.shape
    out = frames.new_zeros(b, c, h, w, dtype=torch.float32)
    weight = frames.new_zeros(1, 1, h, w, dtype=torch.float32)
    ys, xs = tile_starts(h, tile, overlap), tile_starts(w, tile, overlap)
    for y0, y1, x0, x1 in tiles(h, w, tile, overlap):
        pred = fn(frames[..., y0:y1, x0:x1]).float()
        wy = feather(y1 - y0, overlap, y0 == ys[0], y0 == ys[-1], out.device, out.dtype)
        wx = feather(x1 - x0, overlap, x0 == xs[0], x0 == xs[-1], out.device, out.dtype)
        wt = wy[:, None] * wx[None, :]
        out[..., y0:y1, x0:x1] += pred * wt
        weight[..., y0:y1, x0:x1] += wt
    return out / weight
