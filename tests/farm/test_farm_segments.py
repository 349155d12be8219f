"""Segments (issue 12): a render split into segments gives the frames of a one-process render.

The engine logic (ownership, context, clamping, cuts near the edges) is checked with a
fake interpolator that is exact and cheap, over every segment size; the real network and
ffmpeg follow in test_farm_render.py and test_farm_dask.py.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from vfi_plugin.engine.retime import Retimer
from vfi_plugin.engine.timing import RetimePlan
from vfi_plugin.errors import UserInputError
from vfi_plugin.farm import FarmOptions
from vfi_plugin.farm.segments import split

H, W = 16, 16


class FakeInterpolator:
    """Deterministic stand-in: a weighted mix of the four frames (depends on all four, so a
    window clamped differently shows)."""

    net_calls = 0

    def batch_size(self, h: int, w: int) -> int:
        return 3

    def midpoints(self, windows):
        out = []
        for f1, f2, f3, f4 in windows:
            mix = (f1.astype(np.int64) + 7 * f2 + 11 * f3 + 13 * f4) // 32
            out.append(mix.astype(np.uint8))
        return out


def shot_frames(n: int, cuts: tuple[int, ...] = ()) -> list[np.ndarray]:
    """Slowly changing frames; a cut at k jumps to a very different picture."""
    frames, base = [], 20
    for i in range(n):
        if i in cuts:
            base = 200 if base < 100 else 20
        frames.append(np.full((H, W, 3), base + 2 * (i % 5), np.uint8))
    return frames


def segmented(frames, plan, cuts_mode, size):
    out = []
    for seg in split(len(frames), plan, size):
        source = frames[seg.read_start:seg.read_end]
        out.extend(Retimer(FakeInterpolator(), plan, cuts=cuts_mode).run_span(
            iter(source), seg.read_start, seg.first, seg.stop, len(frames)))
    return out


@pytest.mark.parametrize("factor", [2, 3, Fraction(5, 2), 4])
@pytest.mark.parametrize("mode", ["slowmo", "smooth"])
def test_segments_cover_every_output_frame_once(factor, mode):
    plan = RetimePlan(Fraction(factor), mode)
    for n in (2, 3, 7, 12, 25):
        for size in (1, 2, 3, 5, 8, 30):
            segs = split(n, plan, size)
            assert segs[0].first == 0 and segs[-1].stop == plan.output_frames(n)
            for s, t in zip(segs, segs[1:]):
                assert s.stop == t.first and s.b == t.a
            assert all(s.frames > 0 and s.read_start <= s.a and s.read_end >= s.b for s in segs)
            if isinstance(factor, int):  # interval i, step j -> i*F + j
                assert all(s.first == s.a * factor for s in segs)


@pytest.mark.parametrize("factor,mode", [(2, "slowmo"), (4, "slowmo"), (3, "slowmo"),
                                         (2, "smooth"), (Fraction(5, 2), "smooth")])
def test_segments_equal_one_process(factor, mode):
    frames = shot_frames(14)
    plan = RetimePlan(Fraction(factor), mode)
    whole = list(Retimer(FakeInterpolator(), plan).run(iter(frames)))
    for size in (1, 2, 3, 4, 6, 13, 14):
        parts = segmented(frames, plan, "hold", size)
        assert len(parts) == len(whole)
        assert all(np.array_equal(a, b) for a, b in zip(whole, parts)), size


@pytest.mark.parametrize("cuts_mode", ["hold", "blend", "interpolate"])
def test_cuts_near_segment_edges(cuts_mode):
    """A cut at every distance from a segment's edge: each segment sees the cuts the
    one-process render saw (detected in its context; the first pair read is not trusted)."""
    plan = RetimePlan(Fraction(2))
    for cut in range(1, 15):
        frames = shot_frames(16, (cut,))
        retimer = Retimer(FakeInterpolator(), plan, cuts=cuts_mode)
        whole = list(retimer.run(iter(frames)))
        if cuts_mode != "interpolate":
            assert retimer.found_cuts == [cut]
        for size in (2, 3, 5, 8):
            parts = segmented(frames, plan, cuts_mode, size)
            assert all(np.array_equal(a, b) for a, b in zip(whole, parts)), (cut, size)
            assert len(parts) == len(whole)


def test_farm_options_are_checked():
    with pytest.raises(UserInputError, match="exclude each other"):
        FarmOptions(workers=2, scheduler="tcp://h:8786")
    with pytest.raises(UserInputError, match="tcp://host:8786"):
        FarmOptions(scheduler="h:8786")
    with pytest.raises(UserInputError, match="segment-frames"):
        FarmOptions(segment_frames=1)
    assert not FarmOptions().enabled and FarmOptions(segment_frames=8).enabled
