"""The classical displacement estimator that benchmarks/quality.py reports per position:
known shifts of a texture (synthetic and a real frame) must measure close to the shift."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vfi_plugin.train.data.displacement import measured_displacement, motion_field

CLIP = Path(__file__).resolve().parents[1] / "data" / "bikes_pan_192x128.mkv"


def _texture(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A deterministic RGB uint8 texture: smooth blobs plus finer detail (numpy only)."""
    rng = np.random.default_rng(seed)
    out = np.zeros((h, w, 3))
    for cell, amp in ((24, 0.6), (6, 0.3), (2, 0.1)):
        small = rng.random((h // cell + 2, w // cell + 2, 3))
        big = np.repeat(np.repeat(small, cell, 0), cell, 1)[:h, :w]
        k = np.ones(cell) / cell  # smooth the blocks with a box of the cell size
        big = np.apply_along_axis(lambda v: np.convolve(v, k, "same"), 0, big)
        big = np.apply_along_axis(lambda v: np.convolve(v, k, "same"), 1, big)
        out += amp * big
    return np.clip(out * 255, 0, 255).astype(np.uint8)


def _pair(big: np.ndarray, h: int, w: int, dx: int, dy: int) -> tuple[np.ndarray, np.ndarray]:
    """Two h x w views of `big`; the content of the second is moved by (dx, dy)."""
    y, x = (big.shape[0] - h) // 2, (big.shape[1] - w) // 2
    return big[y:y + h, x:x + w], big[y - dy:y - dy + h, x - dx:x - dx + w]


@pytest.fixture(scope="module")
def big() -> np.ndarray:
    return _texture(900, 1500)


@pytest.mark.parametrize("size", [(272, 640), (720, 1280)])
@pytest.mark.parametrize("dx,dy", [(0, 0), (1, 0), (3, -2), (0, 12), (-17, 9), (40, -25), (70, 0)])
def test_known_shift_of_a_texture(big: np.ndarray, size: tuple[int, int], dx: int, dy: int) -> None:
    a, b = _pair(big, *size, dx, dy)
    got = measured_displacement(a, b)
    assert got == pytest.approx(np.hypot(dx, dy), abs=0.3 + 0.02 * np.hypot(dx, dy))
    field = motion_field(a, b)
    assert field.valid.mean() > 0.8
    # direction too: the median vector is the shift
    assert np.median(field.vectors[field.valid], axis=0) == pytest.approx([dx, dy], abs=0.3)


@pytest.mark.parametrize("d", [0.25, 0.5, 1.5, 3.3])
def test_sub_pixel_shift(d: float) -> None:
    """A band-limited texture moved by a fraction of a pixel (a phase ramp, so the shift
    is exact), diagonally."""
    g = _texture(400, 560)[..., 1].astype(np.float64)
    ky, kx = np.fft.fftfreq(400)[:, None], np.fft.fftfreq(560)[None, :]
    moved = np.real(np.fft.ifft2(np.fft.fft2(g) * np.exp(-2j * np.pi * (kx + ky) * d)))
    inner = (slice(40, -40), slice(40, -40))  # away from the wrapped edges
    assert measured_displacement(g[inner], moved[inner]) == pytest.approx(d * np.sqrt(2), abs=0.1)


def test_known_shift_of_a_real_frame() -> None:
    """Crops of one real frame (tests/data, a street seen from above) shifted by (7, -4)."""
    from vfi_plugin.media import read_frames

    frame = np.asarray(next(iter(read_frames(CLIP))))  # 128 x 192
    a, b = _pair(frame, 96, 160, 7, -4)
    assert measured_displacement(a, b) == pytest.approx(np.hypot(7, 4), abs=0.5)


def test_what_the_percentile_describes(big: np.ndarray) -> None:
    """A still shot with one small moving patch reads ~0 (the 90th percentile ignores the
    fastest tenth); flat frames have no textured block and read NaN; grey frames work."""
    a, _ = _pair(big, 272, 640, 0, 0)
    b = a.copy()
    b[100:140, 300:340] = a[100:140, 330:370]  # a 40 px patch moved 30 px
    assert measured_displacement(a, b) < 0.5
    flat = np.full((200, 300, 3), 128, np.uint8)
    assert np.isnan(measured_displacement(flat, flat))
    g1, g2 = _pair(big[..., 1], 240, 320, 5, 5)
    assert measured_displacement(g1, g2) == pytest.approx(np.hypot(5, 5), abs=0.3)
