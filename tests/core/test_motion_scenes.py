"""benchmarks/motion.py's scenes have exact ground truth, and render_scene's rectangular
frames agree with its square ones.

Built from small generated photos: neither the EVAL photos nor any model is needed.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch

from vfi_plugin.train.data.synthetic import (Background, Layer, Motion, PhotoBank, Scene,
                                             render_scene)

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "motion.py"
SIZE = (64, 48)  # (width, height)


def _texture(seed: int, h: int = 160, w: int = 200) -> torch.Tensor:
    """A smooth random colour texture with fine detail, uint8 [3, h, w]."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(1, 3, h // 8 + 2, w // 8 + 2, generator=g)
    x = torch.nn.functional.interpolate(x, size=(h, w), mode="bicubic", align_corners=False)
    x = x + 0.06 * torch.rand(1, 3, h, w, generator=g)
    return (x[0].clamp(0, 1) * 255).round().to(torch.uint8)


@pytest.fixture(scope="module")
def motion() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_motion", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bank() -> PhotoBank:
    return PhotoBank([_texture(0), _texture(1, 120, 150)])


def test_zero_displacement_gives_four_identical_frames(motion: ModuleType, bank: PhotoBank) -> None:
    for kind in motion.KINDS:
        frames, truth = motion.render_frames(motion.build_scene(kind, 0, SIZE, bank, 0, 1, 1.0),
                                             bank, SIZE)
        assert truth.shape == (SIZE[1], SIZE[0], 3) and truth.dtype == np.uint8
        assert len(frames) == 4 and all(np.array_equal(f, truth) for f in frames), kind


@pytest.mark.parametrize("d", [2, 8])
def test_integer_translation_is_exact(motion: ModuleType, bank: PhotoBank, d: int) -> None:
    s = d // 2
    (_, f1, f2, _), truth = motion.render_frames(
        motion.build_scene("translate-x", d, SIZE, bank, 0, 1, 1.0), bank, SIZE)
    assert np.array_equal(truth[:, s:], f1[:, :-s])   # d/2 px right from t=1 to t=1.5
    assert np.array_equal(f2[:, d:], f1[:, :-d])
    assert not np.array_equal(truth, f1)
    (_, f1, f2, _), truth = motion.render_frames(
        motion.build_scene("translate-y", d, SIZE, bank, 0, 1, 1.0), bank, SIZE)
    assert np.array_equal(truth[s:], f1[:-s])         # d/2 px down
    assert np.array_equal(f2[d:], f1[:-d])
    # at scale 1 the truth is the photo itself, centred
    photo = bank.get(0, 0).permute(1, 2, 0).numpy()
    y0, x0 = (photo.shape[0] - SIZE[1]) // 2, (photo.shape[1] - SIZE[0]) // 2
    assert np.array_equal(truth, photo[y0:y0 + SIZE[1], x0:x0 + SIZE[0]])


def test_zoom_and_rotation_move_the_corners_by_the_displacement(motion: ModuleType) -> None:
    r = motion.corner_radius(SIZE)
    d = 8.0
    z = motion.background_motion("zoom", d, SIZE).zoom
    assert r * (math.exp(z / 2) - math.exp(-z / 2)) == pytest.approx(d)
    spin = motion.background_motion("rotate", d, SIZE).spin
    assert 2 * r * math.sin(spin / 2) == pytest.approx(d)


def test_fit_scale_keeps_the_view_inside_the_photo(motion: ModuleType) -> None:
    for hw in ((720, 1280), (400, 600)):
        s = motion.fit_scale(hw, (1920, 1080), 96)
        assert 0 < s < 1
        for kind in motion.KINDS:
            ex, ey = motion.view_half_extent(kind, 96, (1920, 1080))
            assert 2 * ex * s <= hw[1] and 2 * ey * s <= hw[0], kind


def test_rectangular_frames_agree_with_square(bank: PhotoBank) -> None:
    layer = Layer(1, 0, tex_center=(75.0, 60.0), tex_scale=1.0, pos=(20.0, 14.0), radius=9.0,
                  angle=0.4, shape="ellipse", shape_params=(1.0, 0.7), softness=1.5,
                  motion=Motion(vel=(3.0, -1.0)))
    times = (0.0, 1.0, 1.5, 2.0)
    p, (h, w) = 40, (24, 36)
    square = Scene(Background(0, 0, (100.0, 80.0), 1.0, motion=Motion(vel=(2.5, 1.0))), [layer],
                   shutter=0.5, n_sub=3)
    out = render_scene(square, bank, times, p)
    assert out.shape == (4, 3, p, p)
    assert torch.equal(render_scene(square, bank, times, (p, p)), out)
    # a translating view: the same pixels, cropped, when the centre moves with the crop
    rect = Scene(Background(0, 0, (100.0 - (p - w) / 2, 80.0 - (p - h) / 2), 1.0,
                            motion=Motion(vel=(2.5, 1.0))), [layer], shutter=0.5, n_sub=3)
    got = render_scene(rect, bank, times, (h, w))
    assert got.shape == (4, 3, h, w)
    assert torch.allclose(got, out[..., :h, :w], atol=1e-5)
