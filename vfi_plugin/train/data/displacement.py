"""How far content moves between two frames, measured classically (numpy only).

``measured_displacement(a, b)`` is the number benchmarks/quality.py prints beside each
EVAL position: the 90th percentile of the per-block motion magnitudes in pixels of the
frames as given, from ``motion_field``: coarse-to-fine phase correlation of 32x32 blocks
on a grey, box-downscaled copy of the frames, refined at full resolution, keeping only
textured blocks whose vector their neighbours share. It needs no training and no ground
truth, so it describes real footage. On a pure shift of a texture it is within ~0.1 px
(tests/train/test_displacement.py); on real footage it is a rough size of the motion, not
a flow field to warp with: smooth, deforming content (fur, skin) matches poorly, is left
out, and so can be under-read.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 32             # block side (px at each pyramid level)
WORK_SIDE = 512        # frames are box-downscaled so that the long side is at most this
LEVELS = 3             # pyramid levels (factor 2 each) at and below the working scale
MIN_TEXTURE = 2.0      # grey std (0..255) of a block below this: too flat to measure
MIN_PEAK = 0.08        # phase-correlation peak below this: no reliable match
AGREE = 2              # a vector counts when at least this many of its 8 neighbours ...
AGREE_PX = 1.5         # ... agree with it within max(AGREE_PX, AGREE_FRAC * |vector|)
AGREE_FRAC = 0.25
PERCENTILE = 90.0


@dataclass
class MotionField:
    """Per-block motion from frame a to frame b, in pixels of the frames as given."""

    centres: np.ndarray    # [N, 2] (x, y) block centres
    vectors: np.ndarray    # [N, 2] (dx, dy): content at a's centre is at centre + vector in b
    peak: np.ndarray       # [N] phase-correlation peak (0..1) at the working scale
    valid: np.ndarray      # [N] bool: textured, a clear peak, shared by >= AGREE neighbours

    def magnitudes(self) -> np.ndarray:
        """|vector| of the valid blocks."""
        return np.hypot(*self.vectors[self.valid].T)


def _grey(frame: np.ndarray) -> np.ndarray:
    f = np.asarray(frame, dtype=np.float32)
    if f.ndim == 3:
        f = f[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32) if f.shape[2] >= 3 else f[..., 0]
    return f


def _box_down(img: np.ndarray, k: int) -> np.ndarray:
    if k <= 1:
        return img
    h, w = img.shape[0] // k * k, img.shape[1] // k * k
    return img[:h, :w].reshape(h // k, k, w // k, k).mean((1, 3))


def _windows(img: np.ndarray, x0: np.ndarray, y0: np.ndarray, size: int) -> np.ndarray:
    """[N, size, size] windows with top-left corners (x0, y0); edges replicated."""
    r = np.clip(y0[:, None] + np.arange(size), 0, img.shape[0] - 1)
    c = np.clip(x0[:, None] + np.arange(size), 0, img.shape[1] - 1)
    return img[r[:, :, None], c[:, None, :]]


def _phase_correlate(pa: np.ndarray, pb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dy, peak) per window pair: pb shows pa moved by (dx, dy), to a fraction of a
    pixel from the peak's larger neighbour along each axis; windows are mean-removed and
    Hann-tapered."""
    n = pa.shape[-1]
    hann = np.hanning(n + 2)[1:-1].astype(np.float32)
    win = hann[:, None] * hann[None, :]
    fa = np.fft.rfft2((pa - pa.mean((1, 2), keepdims=True)) * win)
    fb = np.fft.rfft2((pb - pb.mean((1, 2), keepdims=True)) * win)
    cross = fb * np.conj(fa)
    cross /= np.maximum(np.abs(cross), 1e-6)
    corr = np.fft.irfft2(cross, s=(n, n))
    flat = corr.reshape(len(corr), -1)
    idx = flat.argmax(1)
    iy, ix = np.divmod(idx, n)
    rows = np.arange(len(corr))
    peak = flat[rows, idx]

    def sub(c_m: np.ndarray, c_0: np.ndarray, c_p: np.ndarray) -> np.ndarray:
        # the larger neighbour's share of the peak: exact for the sinc-shaped peak of a
        # pure sub-pixel shift (Foroosh et al. 2002), less biased than a parabola
        right = c_p >= c_m
        side = np.maximum(np.where(right, c_p, c_m), 0.0)
        frac = side / np.maximum(side + c_0, 1e-9)
        return np.clip(np.where(right, frac, -frac), -0.5, 0.5)

    dy = iy + sub(corr[rows, (iy - 1) % n, ix], peak, corr[rows, (iy + 1) % n, ix])
    dx = ix + sub(corr[rows, iy, (ix - 1) % n], peak, corr[rows, iy, (ix + 1) % n])
    dy = (dy + n / 2) % n - n / 2  # wrap to [-n/2, n/2)
    dx = (dx + n / 2) % n - n / 2
    return dx, dy, peak


def _coherent(vec: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """[ny, nx] bool: `ok` blocks with at least AGREE `ok` 8-neighbours whose vectors lie
    within max(AGREE_PX, AGREE_FRAC * |own vector|). Matches on flat or noisy blocks point
    anywhere; real motion (of anything larger than a block or two) is shared by neighbours."""
    ny, nx = ok.shape
    pad_v = np.pad(vec, ((1, 1), (1, 1), (0, 0)))
    pad_ok = np.pad(ok, 1)
    tol = np.maximum(AGREE_PX, AGREE_FRAC * np.hypot(vec[..., 0], vec[..., 1]))
    votes = np.zeros((ny, nx), int)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                nv = pad_v[1 + dy:1 + dy + ny, 1 + dx:1 + dx + nx]
                nok = pad_ok[1 + dy:1 + dy + ny, 1 + dx:1 + dx + nx]
                close = np.hypot(*(nv - vec).transpose(2, 0, 1)) <= tol
                votes += nok & close
    return ok & (votes >= min(AGREE, (ny > 1) + (nx > 1) + (ny > 1 and nx > 1)))


def motion_field(a: np.ndarray, b: np.ndarray, *, block: int = BLOCK,
                 work_side: int = WORK_SIDE, levels: int = LEVELS) -> MotionField:
    """Block motion from frame `a` to frame `b` (HxW or HxWxC, any numeric dtype, same size).

    The frames are turned grey and box-downscaled by an integer factor so that the long
    side is at most `work_side`; a grid of `block`-px blocks (non-overlapping, at the
    working scale) is then matched coarse to fine over `levels` factor-2 levels: at each
    level every block of `a` is phase-correlated with the window of `b` displaced by the
    estimate so far, and the found shift is added. Each level corrects up to about
    +-block/2.5 px of its own scale, so the coarsest catches about 50 px at the working
    scale with the defaults (~100 px of a 640-wide frame, ~150 px of a 1280-wide one).
    When the frames were downscaled, a last pass at full resolution adds the sub-pixel
    detail (a correction of at most one working pixel). Blocks count as valid when
    textured (grey std >= MIN_TEXTURE), clearly matched (peak >= MIN_PEAK) and shared
    by at least AGREE of their 8 neighbours (see ``_coherent``). Vectors are in pixels
    of the input.
    """
    ga, gb = _grey(a), _grey(b)
    if ga.shape != gb.shape:
        raise ValueError(f"frame sizes differ: {ga.shape} vs {gb.shape}")
    k = max(1, int(np.ceil(max(ga.shape) / work_side)))
    # (scale, a, b) from coarse to fine; the working scale k and its factor-2 reductions,
    # then the full resolution for the sub-pixel refinement when k > 1
    pyr = [(k, _box_down(ga, k), _box_down(gb, k))]
    for _ in range(levels - 1):
        s, pa, pb = pyr[-1]
        pyr.append((2 * s, _box_down(pa, 2), _box_down(pb, 2)))
    pyr = pyr[::-1] + ([(1, ga, gb)] if k > 1 else [])
    h, w = pyr[-1 if k == 1 else -2][1].shape
    nx, ny = max(1, w // block), max(1, h // block)
    ox, oy = (w - nx * block) // 2, (h - ny * block) // 2
    cx = (ox + block * np.arange(nx) + block / 2) * k
    cy = (oy + block * np.arange(ny) + block / 2) * k
    cxx, cyy = (v.ravel().astype(np.float64) for v in np.meshgrid(cx, cy))  # full-res px
    vec = np.zeros((len(cxx), 2))  # (dx, dy) in full-res px
    peak = np.zeros(len(cxx))
    for s, ia, ib in pyr:
        if min(ia.shape) < block // 2:
            continue  # too small a level for a block: start at a finer one
        x0 = np.round(cxx / s - block / 2).astype(int)
        y0 = np.round(cyy / s - block / 2).astype(int)
        sx, sy = np.round(vec[:, 0] / s).astype(int), np.round(vec[:, 1] / s).astype(int)
        dx, dy, pk = _phase_correlate(_windows(ia, x0, y0, block),
                                      _windows(ib, x0 + sx, y0 + sy, block))
        new = np.stack([(sx + dx) * s, (sy + dy) * s], axis=1)
        if s < k:
            # full-resolution refinement: its small windows see little of flat content,
            # so only a sub-working-pixel correction is taken, and the peak stays that
            # of the working scale
            keep = np.abs(new - vec).max(1) <= k
            vec[keep] = new[keep]
        else:
            vec, peak = new, pk
    _, wa, _ = pyr[-1 if k == 1 else -2]  # texture of a's blocks at the working scale
    texture = _windows(wa, np.round(cxx / k - block / 2).astype(int),
                       np.round(cyy / k - block / 2).astype(int), block).std((1, 2))
    valid = _coherent(vec.reshape(ny, nx, 2), ((texture >= MIN_TEXTURE) & (peak >= MIN_PEAK)
                                                ).reshape(ny, nx)).ravel()
    return MotionField(centres=np.stack([cxx, cyy], axis=1), vectors=vec, peak=peak,
                       valid=valid)


def measured_displacement(a: np.ndarray, b: np.ndarray, percentile: float = PERCENTILE,
                          **kwargs) -> float:
    """The `percentile` (default 90th) of the block motion magnitudes from `a` to `b`,
    in pixels of the frames as given (see ``motion_field``; keywords go to it).

    Over the textured, clearly matched blocks only; NaN when there are none (flat frames).
    The 90th percentile describes the fast part of the picture: a pan moving everything
    by d gives about d, a still shot with one small moving object gives about 0 unless the
    object covers more than a tenth of the frame.
    """
    mags = motion_field(a, b, **kwargs).magnitudes()
    return float(np.percentile(mags, percentile)) if len(mags) else float("nan")
