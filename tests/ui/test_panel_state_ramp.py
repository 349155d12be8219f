"""``PanelState`` with a speed ramp: summary, name, request and farm bundle (Qt-free)."""
from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from vfi_plugin.engine import Ramp, RampKey, parse_ramp
from vfi_plugin.errors import UserInputError
from vfi_plugin.media import probe
from vfi_plugin.session import PanelState
from vfi_plugin.session.naming import format_percent, ramp_text

DIP = (RampKey(0.4, 1.0), RampKey(1.0, 0.25, "smooth"), RampKey(1.4, 0.25), RampKey(1.8, 1.0))


@pytest.fixture
def info(make_clip):
    return probe(make_clip("ramp.mp4", 96, 64, fps=10, frames=30))


def test_summary_counts_the_ramps_frames_over_the_marked_range(info):
    state = PanelState(info=info, start=2, end=22, ramp=DIP)
    ramp = Ramp(DIP, Fraction(10), 2, 20)
    summary = state.summary()
    assert summary.frames == ramp.frame_count() and summary.fps == 10
    assert summary.frames > 20  # slower than the source, not as slow as 4x everywhere
    assert summary.frames < 19 * 4 + 1
    assert summary.result_text.startswith(f"{ramp.frame_count()} frames")
    assert f"({ramp.duration():.2f} s)" in summary.result_text
    assert summary.detail_text.startswith(
        "ramp 100 % \u2192 25 % \u2192 100 %, up to 4\u00d7 slower; at 10 fps, from 20 source "
        "frames")
    # the constant factor is not what is rendered
    assert PanelState(info=info, start=2, end=22, factor=4).summary().frames == 77


def test_keys_belong_to_the_clip_and_the_range_picks_part_of_the_curve(info):
    ramp_keys = (RampKey(0.0, 1.0), RampKey(2.0, 0.25))
    # frames 10..19 (1.0 s to 1.9 s): the curve from 62.5 % down, keys outside the range
    state = PanelState(info=info, start=10, end=20, ramp=ramp_keys)
    assert state.range_ramp() == Ramp(ramp_keys, Fraction(10), 10, 10)
    speeds = state.ramp_speeds()
    assert speeds[0] == pytest.approx(0.625) and speeds[-1] == pytest.approx(1 - 0.75 * 0.95)
    assert state.summary().frames == Ramp(ramp_keys, Fraction(10), 10, 10).frame_count()
    assert state.summary().detail_text.startswith("ramp 62.5 % \u2192 28.8 %, up to 3.48\u00d7")
    # after the last key the curve holds its speed: 25 % all along, as the 4x factor
    held = dataclasses.replace(state, start=22, end=30)
    assert held.ramp_speeds() == [0.25]
    assert held.summary().frames == (8 - 1) * 4 + 1
    # the request carries every key, not only those in the range
    state.name = "out.mp4"
    assert state.to_request().ramp == ramp_keys


def test_no_keys_or_smooth_mode_say_what_to_do(info):
    empty = PanelState(info=info, start=0, end=30, ramp=(), name="x.mp4")
    assert empty.summary().frames is None
    assert "double-click the speed lane" in empty.summary().detail_text
    with pytest.raises(UserInputError, match="no keys"):
        empty.to_request()
    smooth = PanelState(info=info, start=0, end=30, ramp=DIP, mode="smooth", name="x.mp4")
    assert smooth.summary().frames is None
    assert "source rate" in smooth.summary().detail_text
    with pytest.raises(UserInputError, match="Slow motion"):
        smooth.to_request()


def test_name_request_and_bundle_say_ramp(info, tmp_path):
    state = PanelState(info=info, start=2, end=22, ramp=DIP, folder=str(tmp_path))
    assert state.suggested_name() == "ramp_slowmo_ramp.mp4"
    state.name = state.suggested_name()
    request = state.to_request()
    assert request.ramp == DIP and request.mode == "slowmo"
    assert (request.start, request.end) == ("2f", "22f")
    argv = state.bundle_argv(tmp_path / "bundle")
    assert "--factor" not in argv
    text = argv[argv.index("--ramp") + 1]
    assert text == ramp_text(DIP) and parse_ramp(text, info.fps) == DIP
    # the CLI reads it back as the same render
    from vfi_plugin.cli import build_parser
    from vfi_plugin.farm.commands import request_from_args

    args = build_parser().parse_args(argv[:argv.index("--bundle")])
    again = request_from_args(args)
    assert parse_ramp(again.ramp, info.fps) == DIP and again.start == "2f"
    # a constant factor's bundle is unchanged
    constant = dataclasses.replace(state, ramp=None)
    assert "--ramp" not in constant.bundle_argv(tmp_path / "b")
    assert constant.suggested_name() == "ramp_slowmo2x.mp4"


def test_presets_lie_over_the_marked_range_down_to_the_factor(info):
    state = PanelState(info=info, start=3, end=24, factor=8)
    keys = state.ramp_preset("ease-in-out")
    assert keys == Ramp.ease_in_out(Fraction(10), 3, 21, 1 / 8).keys
    assert keys[0].time == pytest.approx(0.3) and keys[-1].time == pytest.approx(2.3)
    assert min(k.speed for k in keys) == 1 / 8
    state.ramp = keys
    assert state.ramp_speeds() == [1.0, 0.125, 1.0]
    assert "up to 8\u00d7 slower" in state.summary().detail_text
    with pytest.raises(UserInputError):
        PanelState().ramp_preset("ease-in")


def test_percentages():
    assert [format_percent(s) for s in (1, 0.5, 0.125, 1 / 3, 1 / 64)] == [
        "100 %", "50 %", "12.5 %", "33.3 %", "1.6 %"]
