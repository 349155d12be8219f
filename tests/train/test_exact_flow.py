"""Exact flow of synthetic scenes (the flow head's supervision) and the flow-supervised loss."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vfi_plugin.model import ModelConfig, Net, NetOutput, loss_fn
from vfi_plugin.model.warp import backward_warp
from vfi_plugin.train.data.exact_flow import scene_flow
from vfi_plugin.train.data.synthetic import (Background, Layer, Motion, PhotoBank, Scene,
                                             SyntheticMotion, render_scene)

P = 48


def _texture(seed: int, h: int = 200, w: int = 240) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(1, 3, h // 3 + 2, w // 3 + 2, generator=g)
    x = torch.nn.functional.interpolate(x, size=(h, w), mode="bicubic", align_corners=False)
    return (x[0].clamp(0, 1) * 255).round().to(torch.uint8)


@pytest.fixture(scope="module")
def bank() -> PhotoBank:
    return PhotoBank([_texture(i) for i in range(2)])


def _interior_psnr(a: torch.Tensor, b: torch.Tensor, m: int = 8) -> float:
    mse = ((a - b)[..., m:-m, m:-m] ** 2).mean()
    return float(-10 * torch.log10(mse.clamp_min(1e-12)))


@pytest.mark.parametrize("motion", [Motion(vel=(6.0, -4.0)), Motion(vel=(3.0, 1.0), acc=(0.5, -0.3)),
                                    Motion(spin=0.1), Motion(zoom=0.12)])
def test_background_flow_warps_neighbours_onto_the_middle(bank: PhotoBank, motion: Motion) -> None:
    scene = Scene(Background(0, 0, center=(120.0, 100.0), scale=1.0, motion=motion))
    i2, i3, mid = render_scene(scene, bank, (1.0, 2.0, 1.5), P)
    flow = scene_flow(scene, P)[None]
    assert flow.shape == (1, 4, P, P)
    blend = _interior_psnr(0.5 * (i2 + i3), mid)
    for frame, f in ((i2, flow[:, :2]), (i3, flow[:, 2:])):
        warped = _interior_psnr(backward_warp(frame[None], f)[0], mid)
        assert warped > 26 and warped > blend + 1, (warped, blend)
        for wrong in (0.5, 1.5):  # the exact flow beats a flow too short or too long
            assert warped > _interior_psnr(backward_warp(frame[None], wrong * f)[0], mid) + 3


def test_pure_translation_flow_is_half_the_motion_each_way(bank: PhotoBank) -> None:
    scene = Scene(Background(0, 0, center=(120.0, 100.0), scale=1.0, motion=Motion(vel=(8.0, -2.0))))
    flow = scene_flow(scene, (P, P + 16))
    assert flow.shape == (4, P, P + 16)
    want = torch.tensor([-4.0, 1.0, 4.0, -1.0])[:, None, None].expand_as(flow)
    assert torch.allclose(flow, want, atol=1e-5)


def test_layer_decides_the_flow_where_it_covers_the_middle_frame(bank: PhotoBank) -> None:
    layer = Layer(1, 0, tex_center=(100.0, 100.0), tex_scale=1.0, pos=(24.0, 24.0), radius=10.0,
                  angle=0.3, shape="ellipse", shape_params=(1.0, 1.0), softness=0.5,
                  motion=Motion(vel=(6.0, 0.0)))
    scene = Scene(Background(0, 0, center=(120.0, 100.0), scale=1.0), [layer])
    flow = scene_flow(scene, P)
    assert torch.allclose(flow[:, 24, 24], torch.tensor([-3.0, 0.0, 3.0, 0.0]))
    assert torch.equal(flow[:, 2, 2], torch.zeros(4))   # still background far from it


def test_samples_carry_flow_and_still_scenes_have_none(bank: PhotoBank) -> None:
    ds = SyntheticMotion(None, patch=32, photos=bank, seed=3, still_fraction=0.5, with_flow=True)
    kinds = set()
    for i in range(12):
        s = ds.sample(i)
        assert s["flow"].shape == (4, 32, 32) and float(s["flow_valid"]) == 1.0
        if torch.equal(s["frames"][1], s["frames"][2]):
            kinds.add("still")
            assert not s["flow"].abs().max() > 1.0
        else:
            kinds.add("moving")
    assert kinds == {"still", "moving"}


def test_flow_loss_is_zero_for_the_exact_flow_and_masked_where_unknown() -> None:
    target = torch.rand(2, 3, 32, 32)
    exact = torch.randn(2, 4, 32, 32)
    levels = (torch.nn.functional.interpolate(exact, size=(8, 8), mode="bilinear") / 4,)
    perfect = NetOutput(target, target, target, exact, levels)
    assert float(loss_fn(perfect, target, 1.0, exact, flow_weight=1.0)) < 0.3  # level resampling only
    wrong = perfect._replace(flow=exact + 2.0, flow_levels=())
    err = float(loss_fn(wrong, target, 1.0, exact, flow_weight=1.0))
    assert err == pytest.approx(2 * np.sqrt(2), rel=1e-4)  # end-point error of (2, 2)
    masked = float(loss_fn(wrong, target, 1.0, exact, torch.tensor([0.0, 0.0]), flow_weight=1.0))
    assert masked == 0.0


def test_flow_on_a_downscaled_copy_and_half_resolution_synthesis() -> None:
    cfg = ModelConfig(flow_widths=(16, 8, 8, 8), flow_cost_radii=(2, 1), flow_max_pixels=3000,
                      synthesis_scale=2, multiple=64)
    net = Net(cfg).eval()
    assert net.flow_downscale(64, 64) == 2 and net.flow_downscale(40, 60) == 1
    assert net.flow_downscale(256, 256) == 8
    x = torch.rand(1, 4, 3, 70, 90)
    with torch.inference_mode():
        out = net(x)
    assert out.refined.shape == (1, 3, 70, 90) and out.flow.shape == (1, 4, 70, 90)
    assert len(out.flow_levels) == 4
