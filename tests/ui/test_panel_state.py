"""The panel's Qt-free state model (vfi_plugin.session): summary, names, request; no torch."""
from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from vfi_plugin.engine import choices, timing
from vfi_plugin.errors import UserInputError
from vfi_plugin.media import probe
from vfi_plugin.session import PanelState
from vfi_plugin.session import state as panel_state

UI = Path(__file__).resolve().parents[2] / "ui"


def test_summary_and_name_come_without_torch_or_qt(make_clip):
    source = make_clip("light.mp4", 96, 64, fps=10, frames=20)
    code = f"""
import sys
from vfi_plugin.media import probe
from vfi_plugin.session import PanelState
info = probe({str(source)!r})
state = PanelState(info=info, start=2, end=12, factor=2.5)
summary = state.summary()
print(summary.frames, state.suggested_name())
print(sorted(m for m in ("torch", "PySide6", "vfi_plugin.jobs") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    frames, modules = done.stdout.splitlines()
    assert frames == "23 light_slowmo2.5x.mp4"  # floor(9 * 2.5) + 1
    assert modules == "[]"


def test_summary_counts_the_marked_range(make_clip):
    info = probe(make_clip("sum.mp4", 96, 64, fps=10, frames=20))
    assert PanelState().summary().frames is None
    slow = PanelState(info=info, start=0, end=20, factor=2.0).summary()
    assert slow.frames == 39 and slow.fps == 10
    assert slow.result_text.startswith("39 frames") and "slower" in slow.detail_text
    assert "20 frames (2.00 s)" in slow.range_text
    smooth = PanelState(info=info, start=0, end=20, factor=2.0, mode="smooth").summary()
    assert smooth.frames == 40 and smooth.fps == 20 and "frame rate" in smooth.detail_text
    bad = PanelState(info=info, start=0, end=20, factor=1.0).summary()
    assert bad.frames is None and "greater than 1" in bad.detail_text


def test_an_odd_size_says_the_h264_output_is_padded(make_clip):
    info = probe(make_clip("odd.mp4", 96, 64, fps=10, frames=4))
    odd = dataclasses.replace(info, width=97, height=63)
    text = PanelState(info=odd, start=0, end=4, codec="h264").summary().detail_text
    assert "98\u00d764" in text and "even" in text
    assert "padded" not in PanelState(info=odd, start=0, end=4, codec="ffv1").summary().detail_text
    assert "padded" not in PanelState(info=info, start=0, end=4, codec="h264").summary().detail_text


def test_suggested_name_follows_the_settings_and_never_clashes(make_clip):
    source = make_clip("shot.mp4", 96, 64, fps=10, frames=4)
    state = PanelState(info=probe(source), start=0, end=4, factor=4, mode="smooth")
    assert state.suggested_name() == "shot_smooth4x.mp4"
    (source.parent / "shot_smooth4x.mp4").write_bytes(b"")
    assert state.suggested_name() == "shot_smooth4x_2.mp4"
    state.codec = "png"
    assert state.suggested_name() == "shot_smooth4x"  # a folder of frames
    assert PanelState().suggested_name() is None


def test_to_request_is_the_cores_request(make_clip, tmp_path):
    from vfi_plugin.jobs import RenderRequest

    source = make_clip("req.mp4", 96, 64, fps=10, frames=12)
    state = PanelState(info=probe(source), start=3, end=9, factor=8 / 3, mode="smooth",
                       codec="ffv1", audio="drop", device="cpu", name="out.mkv",
                       folder=str(tmp_path), replace=True)
    request = state.to_request()
    assert isinstance(request, RenderRequest)
    assert (request.source, request.output) == (source, tmp_path / "out.mkv")
    assert (request.start, request.end, request.factor) == ("3f", "9f", "2.67")
    assert (request.mode, request.codec, request.audio, request.device, request.overwrite) == (
        "smooth", "ffv1", "drop", "cpu", True)
    assert request.fps is None  # a video's own rate
    # the copy a render keeps does not follow later edits
    job = state.snapshot()
    state.factor = 4
    assert job.to_request().factor == "2.67"
    with pytest.raises(UserInputError, match="open a clip"):
        PanelState().to_request()
    with pytest.raises(UserInputError, match="name"):
        dataclasses.replace(state, name=" ").to_request()
    with pytest.raises(UserInputError, match="ramp has no keys"):
        dataclasses.replace(state, ramp=()).to_request()  # Ramp chosen, no keys yet


def test_the_panels_choices_are_the_cores():
    from vfi_plugin.jobs import AUDIO_CHOICES

    assert set(panel_state.AUDIO_LABELS) <= set(AUDIO_CHOICES)
    assert tuple(panel_state.DEVICE_LABELS) == choices.DEVICE_CHOICES
    assert panel_state.MODES is timing.MODES and panel_state.MAX_FACTOR is timing.MAX_FACTOR
    # and ui/ defines none of them again
    shadow = re.compile(r"^(MAX_FACTOR|MIN_FACTOR|MODES|PRESETS|AUDIO_CHOICES|DEVICE_LABELS|"
                        r"AUDIO_LABELS|DEVICE_CHOICES|APP_NAME)\s*=", re.M)
    found = [f"{p.name}: {m.group(0)}" for p in UI.rglob("*.py")
             for m in shadow.finditer(p.read_text())]
    assert found == []
    assert panel_state.clamp_factor(100) == 64 and panel_state.clamp_factor(1) == 1.01
    assert Fraction(PanelState(factor=2.5).factor_text) == Fraction(5, 2)
