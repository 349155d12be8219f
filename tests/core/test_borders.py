"""The flow at the picture's edges (vfi_plugin/model/borders.py): strips that one frame
cannot see get the motion of their matched neighbours and the frame that sees them."""
from __future__ import annotations

import torch

from vfi_plugin.model.borders import fill_unmatched, inside_weights, matched_weight, prefer_inside


def pan(h: int, w: int, half: float) -> torch.Tensor:
    """Symmetric flows of a horizontal pan: to I2 -half px, to I3 +half px."""
    flow = torch.zeros(1, 4, h, w)
    flow[:, 0], flow[:, 2] = -half, half
    return flow


def test_inside_weights_fall_to_zero_one_pixel_outside() -> None:
    flow = torch.zeros(1, 2, 4, 10)
    flow[:, 0] = -3.5  # x - 3.5: columns 0..2 sample 1.5 px or more outside, column 3 0.5 px
    weight = inside_weights(flow, (4, 10))[0, 0, 0]
    assert weight[:4].tolist() == [0.0, 0.0, 0.0, 0.5]
    assert bool((weight[4:] == 1).all())


def test_drifted_edge_strips_get_the_motion_of_the_matched_interior() -> None:
    """What the shipped head and polish did on a 64 px pan at 720p (measured): the flow
    grows towards one edge and shrinks towards the other, where one frame has no match."""
    h, w, half = 96, 320, 16.0
    drifted = pan(h, w, half)
    ramp = torch.linspace(0, 1, 24)
    drifted[:, 0, :, -24:] = -half - 20 * ramp  # grows towards the right edge
    drifted[:, 0, :, :24] = -half + 10 * ramp.flip(0)  # shrinks towards the left edge
    drifted[:, 2] = -drifted[:, 0]
    filled = fill_unmatched(drifted, (h, w))
    assert torch.allclose(filled, pan(h, w, half), atol=1e-4)
    # where both frames are matched the flow is untouched
    assert torch.equal(fill_unmatched(pan(h, w, half), (h, w))[..., 48:-48],
                       pan(h, w, half)[..., 48:-48])


def test_matched_weight_marks_strips_as_wide_as_the_motion() -> None:
    h, w = 64, 256
    weight = matched_weight(pan(h, w, 20.0), (h, w))[0, 0]
    row = weight[h // 2]
    # 20 px of motion plus the contamination margin are unmatched at both side edges
    assert row[:28].sum() == 0 and row[-28:].sum() == 0 and bool((row[28:-28] == 1).all())
    still = matched_weight(torch.zeros(1, 4, h, w), (h, w))[0, 0]
    assert still[h // 2, w // 2] == 1


def test_blend_takes_the_frame_that_sees_the_edge() -> None:
    h, w = 16, 64
    flow = pan(h, w, 8.0)  # left strip: I2 samples outside; right strip: I3 does
    mask = torch.full((1, 1, h, w), 0.5)
    out = prefer_inside(mask, flow, (h, w))[0, 0, 0]
    assert out[:7].max() == 0.0       # only I3 holds the content entering on the left
    assert out[-7:].min() == 1.0      # only I2 holds what is on the right
    assert bool((out[9:-9] == 0.5).all())


def test_padding_beyond_the_content_counts_as_outside() -> None:
    """Frames are padded to a multiple inside the net: the real edge is the content's."""
    h, w, content_w = 32, 128, 100
    flow = pan(h, w, 6.0)
    weight = matched_weight(flow, (h, content_w))[0, 0, h // 2]
    assert weight[content_w - 14:].sum() == 0 and weight[50] == 1
