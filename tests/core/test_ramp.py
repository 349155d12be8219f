"""Speed ramps: the curve's maths, its timing on the bisection grid, renders from the API
and the command line, and one-line errors for bad keys."""
from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest

from clips import write_clip
from vfi_plugin import load_interpolator, render
from vfi_plugin.engine import Ramp, RampKey, RetimePlan, Retimer, parse_factor, parse_ramp
from vfi_plugin.engine.ramp import _smooth_integral, _smooth_inverse
from vfi_plugin.errors import UserInputError
from vfi_plugin.media import probe, read_frames

FPS = Fraction(25)


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


# -- the curve --------------------------------------------------------------------------------


def test_parse_times_speeds_and_eases():
    keys = parse_ramp("0:1~, 1.2:1/4 ,00:00:02:05:0.25~,60f:1", FPS)
    assert keys == (RampKey(0.0, 1.0, "smooth"), RampKey(1.2, 0.25),
                    RampKey(2.2, 0.25, "smooth"), RampKey(2.4, 1.0))
    assert parse_ramp([(0, 1), ("00:00:01.200", "0.25~"), (2.0, 0.25, "smooth")], FPS) == (
        RampKey(0.0, 1.0), RampKey(1.2, 0.25, "smooth"), RampKey(2.0, 0.25, "smooth"))


@pytest.mark.parametrize("text,expected", [
    ("0:1,abc:0.5", "bad ramp key 'abc:0.5': the time 'abc'"),
    ("0:1,1:fast", "bad ramp key '1:fast': the speed 'fast' is not a number"),
    ("0:1,1:0", "bad ramp key '1:0': the speed must be from 1/64"),
    ("0:1,1:5", "bad ramp key '1:5': the speed must be from 1/64"),
    ("0:1,1", "bad ramp key '1': use TIME:SPEED"),
    ("1:1,0.5:0.25", "key times must increase (a key at 0.5 s follows one at 1 s)"),
    ("1:1,1:0.25", "key times must increase"),
    ("", "bad ramp ''"),
])
def test_bad_keys_are_one_line_errors(text, expected):
    with pytest.raises(UserInputError) as err:
        parse_ramp(text, FPS)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_linear_ramp_times_follow_the_closed_form():
    """Speed 1 -> 0.25 over 10 frames, then held: tau(t) = L ln(v(t)/v0)/(v1 - v0)."""
    ramp = Ramp(parse_ramp("0:1,1:0.25", 10), 10, 0, 21)
    tau_10 = 10 * math.log(0.25) / (0.25 - 1)  # 18.48 output frames
    assert ramp.output_time(10) == pytest.approx(tau_10, abs=1e-12)
    assert ramp.output_time(20) == pytest.approx(tau_10 + 40, abs=1e-12)
    assert ramp.frame_count() == math.floor(tau_10 + 40) + 1 == 59
    assert ramp.duration() == pytest.approx(59 / 10)
    for j in range(ramp.frame_count()):
        t = ramp.wanted_time(j)
        assert ramp.output_time(t) == pytest.approx(j, abs=1e-9)
        v = 1 - 0.075 * t if t < 10 else 0.25
        assert ramp.speed_at(t) == pytest.approx(v)
    assert ramp.wanted_time(ramp.frame_count()) > 20  # the next frame is past the range


def test_range_start_and_keys_outside_the_range():
    """Keys are clip times; a range starting at frame 5 starts its output there, and the
    speed before the first key is the first key's."""
    ramp = Ramp(parse_ramp("1:0.5,2:0.5", 10), 10, 5, 11)  # frames 5..15, keys at 10 and 20
    assert ramp.speed_at(0) == ramp.speed_at(-3) == 0.5
    assert ramp.frame_count() == 21
    assert ramp.source_time(0) == pytest.approx(0.5) and ramp.source_time(20) == pytest.approx(1.5)


@pytest.mark.parametrize("a,b", [(1.0, 1 / 64), (1 / 64, 1.0), (4.0, 0.25), (0.3, 0.9)])
def test_smooth_segments_integrate_to_1e12_against_mpmath(a, b):
    mpmath.mp.dps = 30
    for u in (0.05, 0.3, 0.5, 0.77, 0.999, 1.0):
        ref = mpmath.quad(lambda x: 1 / (a + (b - a) * (3 * x ** 2 - 2 * x ** 3)),
                          [0, 0.5, u] if u > 0.5 else [0, u])
        got = _smooth_integral(a, b, u)
        assert abs(got - float(ref)) <= 1e-12 * float(ref)
        assert _smooth_inverse(a, b, got) == pytest.approx(u, abs=1e-12)


@pytest.mark.parametrize("factor", ["2", "4", "8", "3", "2.5"])
def test_constant_speed_gives_the_constant_factors_timing(factor):
    plan = RetimePlan(parse_factor(factor))
    ramp = Ramp(parse_ramp(f"0:{1 / plan.factor}", FPS), FPS, 3, 9)
    assert ramp.frame_count() == plan.output_frames(9)
    assert [ramp.grid_time(j) for j in range(ramp.frame_count())] == \
        [plan.grid_time(j) for j in range(plan.output_frames(9))]


def test_every_frame_lands_within_an_eighth_of_its_output_interval():
    ramp = Ramp(parse_ramp("0:1~,0.4:0.15,0.8:0.15~,1.2:2", FPS), FPS, 0, 40)
    depths = set()
    for j in range(ramp.frame_count()):
        t = ramp.wanted_time(j)
        error = abs(float(ramp.grid_time(j)) - t)
        assert error <= ramp.max_timing_error(j) + 1e-12
        assert error <= ramp.speed_at(t) / 8 + 1e-12
        depths.add(ramp.depth_at(j))
    assert depths >= {1, 2, 5}  # 2x: 1 level, full speed: 2, 0.15 (6.7x): 5


def test_presets_ease_in_out():
    n = 31
    ease_in = Ramp.ease_in(FPS, 10, n)
    ease_out = Ramp.ease_out(FPS, 10, n)
    both = Ramp.ease_in_out(FPS, 10, n, speed=0.2)
    assert ease_in.speed_at(0) == 1 and ease_in.speed_at(n - 1) == 0.25
    assert ease_out.speed_at(0) == 0.25 and ease_out.speed_at(n - 1) == 1
    assert both.speed_at(0) == 1 == both.speed_at(n - 1) and both.speed_at(15) == 0.2
    # smooth steps are flat at the keys: a tenth of a frame from the key, hardly any change
    assert 1 - ease_in.speed_at(0.1) < 1e-3
    # mirror images take as long
    assert ease_in.frame_count() == ease_out.frame_count()
    assert both.source_time(0) == pytest.approx(10 / 25)
    assert both.source_time(both.frame_count() - 1) <= (10 + n - 1) / 25
    with pytest.raises(UserInputError, match="preset"):
        Ramp.preset("whoosh", FPS, 0, n)


# -- frames at their times ---------------------------------------------------------------------


def bar_clip(n: int, speed: float = 3.0) -> list[np.ndarray]:
    """Frames whose content tells their time: a bright bar at x = 6 + speed * t."""
    frames = []
    xx = np.arange(80)[None, :]
    for t in range(n):
        img = np.full((32, 80, 3), 50, np.uint8)
        x0 = 6 + speed * t
        img[8:24][:, (xx[0] >= x0) & (xx[0] < x0 + 5)] = (230, 220, 200)
        frames.append(img)
    return frames


def bar_time(frame: np.ndarray, speed: float = 3.0) -> float:
    profile = frame[8:24].astype(float).mean(axis=(0, 2)) - 50
    profile[profile < 0] = 0
    centre = (profile * np.arange(profile.size)).sum() / profile.sum()
    return (centre - 2 - 6) / speed


def test_ramp_frames_show_their_source_times(interp):
    """Every output frame's bar sits where the ramp's time for it puts it (to 0.05 frame;
    measured: 0.015)."""
    src = bar_clip(12)
    ramp = Ramp(parse_ramp("0:1,0.12:0.25,0.24:0.25~,0.32:1", FPS), FPS, 0, len(src))
    out = list(Retimer(interp, ramp).run(iter(src)))
    # frames 0-3 linear 1 -> 0.25: 3 ln(4)/0.75 = 5.545 output frames; 3-6 at 0.25: 12;
    # 6-8 eased 0.25 -> 1: 2 x 1.98694 (mpmath); 8-11 at 1: 3; floor(24.519) + 1 frames
    assert len(out) == ramp.frame_count() == 25
    shown = [bar_time(f) for f in out]
    for j, t in enumerate(shown):
        assert t == pytest.approx(float(ramp.grid_time(j)), abs=0.05), j
    # slow where the ramp is slow: a quarter frame per output frame, whole frames at the ends
    assert shown[12] - shown[11] == pytest.approx(0.25, abs=0.05)
    assert shown[-1] - shown[-2] == pytest.approx(1.0, abs=0.1)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """64x48, 25 fps, 10 index frames, with audio."""
    return write_clip(tmp_path_factory.mktemp("ramp") / "clip.mp4", 64, 48, FPS, 10, audio=True)


@pytest.mark.parametrize("factor", ["4", "2.5"])
def test_constant_ramp_render_equals_the_constant_factor_render(tmp_path, clip, interp, factor):
    by_factor = render(clip, tmp_path / "f.mkv", factor=factor, start="2f", end="5f",
                       codec="ffv1", interpolator=interp)
    notices = []
    by_ramp = render(clip, tmp_path / "r.mkv", ramp=[(0, 1 / Fraction(factor))], start="2f",
                     end="5f", codec="ffv1", interpolator=interp, notice=notices.append)
    a, b = list(read_frames(by_factor.output)), list(read_frames(by_ramp.output))
    assert len(a) == len(b) == by_ramp.frames == by_factor.frames
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert by_ramp.net_calls == by_factor.net_calls
    assert any(f"3 source frames (0.120 s) become {len(a)} frames" in n for n in notices)


def test_ramp_render_counts_frames_and_drops_audio_with_a_notice(tmp_path, clip, interp):
    notices = []
    keys = "0:1,0.1:0.5~,0.3:0.5,0.36:1"
    result = render(clip, tmp_path / "r.mp4", ramp=keys, interpolator=interp,
                    notice=notices.append)  # audio "auto": dropped (stretch: test_ramp_audio.py)
    expected = Ramp(parse_ramp(keys, FPS), FPS, 0, 10).frame_count()
    info = probe(result.output)
    assert result.frames == expected == info.frame_count and info.fps == FPS
    assert not info.audio
    assert any("the audio is dropped" in n for n in notices)
    with pytest.raises(UserInputError, match="a factor or a ramp, not both"):
        render(clip, tmp_path / "x.mp4", factor=2, ramp=keys, interpolator=interp)
    with pytest.raises(UserInputError, match="mode 'smooth'"):
        render(clip, tmp_path / "x.mp4", ramp=keys, mode="smooth", interpolator=interp)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.mp4"]


# -- segments ------------------------------------------------------------------------------------


class MixInterpolator:
    """Exact and cheap: a weighted mix of the four frames (a window clamped otherwise shows)."""

    net_calls = 0

    def batch_size(self, h: int, w: int) -> int:
        return 3

    def midpoints(self, windows):
        return [((f1.astype(np.int64) + 7 * f2 + 11 * f3 + 13 * f4) // 32).astype(np.uint8)
                for f1, f2, f3, f4 in windows]


@pytest.mark.parametrize("keys", ["0:1,0.12:0.25~,0.3:0.25,0.4:1", "0:0.5~,0.2:3,0.4:1/6"])
def test_ramp_segments_cover_every_frame_once_and_equal_one_process(keys):
    from vfi_plugin.farm.segments import split

    frames = [np.full((8, 8, 3), 10 + 9 * i, np.uint8) for i in range(14)]
    ramp = Ramp(parse_ramp(keys, FPS), FPS, 0, len(frames))
    whole = list(Retimer(MixInterpolator(), ramp).run(iter(frames)))
    assert len(whole) == ramp.frame_count()
    for size in (1, 2, 3, 5, 14):
        segs = split(len(frames), ramp, size)
        assert segs[0].first == 0 and segs[-1].stop == len(whole)
        assert all(s.stop == t.first for s, t in zip(segs, segs[1:]))
        parts = []
        for seg in segs:
            assert all(seg.a <= ramp.wanted_time(j) < seg.b or j == len(whole) - 1
                       for j in range(seg.first, seg.stop))
            parts.extend(Retimer(MixInterpolator(), ramp).run_span(
                iter(frames[seg.read_start:seg.read_end]), seg.read_start, seg.first,
                seg.stop, len(frames)))
        assert len(parts) == len(whole)
        assert all(np.array_equal(a, b) for a, b in zip(whole, parts)), size


def test_ramp_render_in_segments_equals_one_process(tmp_path, clip):
    """Segments run one window per pass (farm.segments): with such a model, the segmented
    render's frames are the one-process render's."""
    from vfi_plugin.farm.segments import segment_options

    one = load_interpolator(device="cpu", options=segment_options())
    keys = "0:1,0.04:0.5~,0.12:1"
    whole = render(clip, tmp_path / "w.mkv", ramp=keys, end="5f", interpolator=one,
                   notice=lambda text: None)
    parts = render(clip, tmp_path / "s.mkv", ramp=keys, end="5f", interpolator=one,
                   segment_frames=2, notice=lambda text: None)
    a, b = list(read_frames(whole.output)), list(read_frames(parts.output))
    assert len(a) == len(b) == Ramp(parse_ramp(keys, FPS), FPS, 0, 5).frame_count() == 6
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


# -- the command line ----------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vfi_plugin", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_cli_ramp_shows_frames_and_duration_before_rendering(tmp_path, clip):
    res = run_cli(str(clip), "-o", "o.mkv", "--ramp", "0:1,0.12:0.5,0.2:1", "--end", "6f",
                  "--audio", "drop", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    count = Ramp(parse_ramp("0:1,0.12:0.5,0.2:1", FPS), FPS, 0, 6).frame_count()
    assert (f"notice: {clip}: ramp (speed 0.5 to 1, 3 keys): 6 source frames (0.240 s) "
            f"become {count} frames ({count / 25:.3f} s at 25 fps)") in res.stderr.splitlines()
    assert "audio" not in res.stderr  # asked to drop it: nothing to say
    assert probe(tmp_path / "o.mkv").frame_count == count


@pytest.mark.parametrize("args,expected", [
    (["--ramp", "0:1,0.2:0.25", "--factor", "2"], "not allowed with argument"),
    (["--ramp", "0:1,0.2"], "bad ramp key '0.2': use TIME:SPEED"),
    (["--ramp", "0:1,00:00:00:30:0.5"], "the time '00:00:00:30' is not seconds"),
    (["--ramp", "0.3:1,0.2:0.5"], "key times must increase"),
    (["--ramp", "0:1,0.2:-1"], "the speed must be from 1/64"),
    (["--ramp", "0:1", "--mode", "smooth"], "a ramp plays at the source rate"),
])
def test_cli_bad_ramps_exit_2_with_one_line(tmp_path, clip, args, expected):
    res = run_cli(str(clip), "-o", "o.mp4", *args, cwd=tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert expected in lines[0]
    assert not (tmp_path / "o.mp4").exists()
