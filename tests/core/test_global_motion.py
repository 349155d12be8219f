"""The global (camera) motion candidate (vfi_plugin/model/candidates.py)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from vfi_plugin.model.candidates import affine_motion, with_global_motion

POLISH = ((4, 2, 7), (2, 2, 7))


def affine_field(h: int, w: int, coef: list[list[float]]) -> torch.Tensor:
    ys, xs = torch.meshgrid(torch.arange(h) / h, torch.arange(w) / w, indexing="ij")
    basis = torch.stack([xs, ys, torch.ones_like(xs)], -1)
    to_i2 = torch.einsum("hwk,kc->chw", basis, torch.tensor(coef))[None]
    return torch.cat([to_i2, -to_i2], 1)


def test_affine_fit_recovers_the_camera_motion_past_an_object_moving_on_its_own() -> None:
    h, w = 96, 160
    truth = affine_field(h, w, [[4.0, 0.5], [-1.0, 3.0], [-6.0, 2.0]])  # zoom, shear, pan
    flow = truth.clone()
    flow[:, :2, 20:50, 30:70] = torch.tensor([9.0, -7.0]).view(1, 2, 1, 1)  # a car
    fitted = affine_motion(flow)
    assert (fitted - truth).abs().max() < 0.05


def test_affine_fit_ignores_pixels_outside_its_weight() -> None:
    h, w = 64, 96
    truth = affine_field(h, w, [[0.0, 0.0], [0.0, 0.0], [5.0, -2.0]])
    flow = truth.clone()
    flow[..., :, :40] = 30.0  # garbage that a weight of 0 excludes, though it covers 40 %
    weight = torch.ones(1, 1, h, w)
    weight[..., :, :40] = 0
    assert (affine_motion(flow, weight) - truth).abs().max() < 1e-3


def textured(h: int, w: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    noise = torch.rand(1, 3, h // 4, w // 4, generator=g)
    return F.interpolate(noise, size=(h, w), mode="bicubic", align_corners=False).clamp(0, 1)


def test_global_motion_replaces_a_noisy_flow_on_a_pan_and_keeps_a_good_one() -> None:
    """I2 and I3 of a 24 px pan (12 px each way from the middle); the starting flow is the
    right pan plus 1.5 px of noise, as the learned head gives (measured ~1.2 px mean)."""
    h, w, half = 96, 160, 6
    scene = textured(h, w + 4 * half)
    i2 = scene[..., :, 0:w]                    # the middle view sits at 2*half
    i3 = scene[..., :, 4 * half:4 * half + w]
    truth = torch.zeros(1, 4, h, w)
    truth[:, 0], truth[:, 2] = 2 * half, -2 * half  # I2 shows the middle view 12 px on
    noisy = truth + 1.5 * torch.randn(1, 4, h, w, generator=torch.Generator().manual_seed(1))
    out = with_global_motion(i2, i3, noisy, POLISH)
    inner = (slice(None), slice(None), slice(8, -8), slice(20, -20))
    assert (out - truth)[inner][:, 0].abs().mean() < 0.1
    assert (noisy - truth)[inner][:, 0].abs().mean() > 1.0
    # a flow that is already right stays right
    assert (with_global_motion(i2, i3, truth, POLISH) - truth)[inner].abs().mean() < 0.05


def test_the_vote_keeps_a_small_object_its_own_motion() -> None:
    """A weakly textured object (40x56 px) moving 16 px over a still background, the head's
    flow right plus 2 px of noise: pixel by pixel, 5 % of the object took the camera's (still)
    motion; a plain majority over the 31 px window would give it half (the background
    outvotes it); the vote of the pixels where the flows disagree keeps it moving."""
    h, w, d = 96, 160, 8
    background = textured(h, w, seed=3)
    texture = 0.5 + 0.08 * (textured(40, 56, seed=7) - 0.5)

    def frame(shift: int) -> torch.Tensor:
        image = background.clone()
        image[..., 28:68, 50 + shift:106 + shift] = texture
        return image

    i2, i3 = frame(-d), frame(d)
    truth = torch.zeros(1, 4, h, w)
    truth[:, 0, 28:68, 50:106], truth[:, 2, 28:68, 50:106] = -d, d
    start = truth + 2.0 * torch.randn(1, 4, h, w, generator=torch.Generator().manual_seed(1))
    inside = (slice(None), 0, slice(32, 64), slice(56, 100))
    still = {vote: float((with_global_motion(i2, i3, start, POLISH, vote=vote)[inside].abs() < 2)
                         .float().mean()) for vote in (1, 31)}
    assert still[1] > 0.03 and still[31] < 0.01, still


def test_files_before_the_vote_choose_pixel_by_pixel() -> None:
    from vfi_plugin.model.config import ModelConfig

    assert ModelConfig.from_dict({"global_motion": True}).motion_vote == 1
    assert ModelConfig().motion_vote == 31
