"""Speed ramps: the speed of a retime as a curve over source time, given by keyframes.

A key is (source time in seconds on the clip, speed); speed = 1/factor (0.25 is 4x slow
motion, 1 is real time, up to 4 fast motion). Between two keys the speed moves linearly
or, for a key marked ``ease="smooth"``, along a smooth step (3u^2 - 2u^3: flat at both
keys); before the first key and after the last it stays at that key's speed.

The output plays at the source rate. Output time advances by 1/speed per source frame, so
the source time ``t`` (range-relative frames) is reached at output time
``tau(t) = integral from 0 to t of ds / speed(s)``, and output frame ``j`` shows the source
time ``t_j`` with ``tau(t_j) = j``: ``floor(tau(N - 1)) + 1`` frames for a range of N
frames (a constant speed 1/F gives the constant factor's ``(N - 1)·F + 1``). Linear segments
integrate and invert in closed form; smooth ones by composite Gauss-Legendre quadrature
(``_PANELS`` panels of ``_NODES`` nodes) and Newton's method, accurate to about 1e-12 output
frames (tests/core/test_ramp.py checks it against mpmath at a 64:1 speed ratio).

Each output frame is computed at its exact time by the bisection grid (``Retimer``): the
nearest k/2^d with d = ceil(log2(1/speed)) + 2 at that frame, as for a non-power-of-two
constant factor, so the timing error is at most 2^-(d+1) source intervals: no more than 1/8
of the output frame interval there. A ramp costs what its slowest part costs.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Iterable, Sequence

import numpy as np

from ..errors import UserInputError
from .timing import MAX_FACTOR

EASES = ("linear", "smooth")
MIN_SPEED = 1 / MAX_FACTOR
MAX_SPEED = 4.0
EASE_MARK = "~"  # "1.2:0.25~" in the ramp syntax: the segment from this key eases
_PANELS = 64
_NODES = 8
_GL_X, _GL_W = np.polynomial.legendre.leggauss(_NODES)
AUDIO_STEP_S = 0.02  # audio follows a ramp in steps this long (Ramp.tempo_steps)
_SNAP = 1e-9  # output or source times this close to a whole frame count as on it


@dataclass(frozen=True)
class RampKey:
    """One keyframe: ``time`` in source seconds (from the clip's first frame), ``speed``
    (1/factor), and ``ease``: how the speed moves from this key to the next
    ("linear" or "smooth")."""

    time: float
    speed: float
    ease: str = "linear"

    def __post_init__(self) -> None:
        if self.ease not in EASES:
            raise UserInputError(f"bad ramp ease '{self.ease}': use {' or '.join(EASES)}")
        if not (isinstance(self.speed, (int, float, Fraction)) and
                MIN_SPEED <= self.speed <= MAX_SPEED):
            raise UserInputError(f"bad ramp speed '{self.speed}': the speed must be from "
                                 f"1/{MAX_FACTOR} ({MAX_FACTOR}x slow motion) to {MAX_SPEED:g}")
        if not (isinstance(self.time, (int, float, Fraction)) and math.isfinite(self.time)
                and self.time >= 0):
            raise UserInputError(f"bad ramp key time '{self.time}': the time must be seconds "
                                 f"from the clip's start (0 or more)")


def _speed_text(text: str, item: str) -> tuple[float, str]:
    value = text.strip()
    ease = "linear"
    if value.endswith(EASE_MARK):
        ease, value = "smooth", value[:-1].strip()
    try:
        speed = float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        raise UserInputError(f"bad ramp key '{item}': the speed '{value}' is not a number "
                             f"(use e.g. 0.25 for 4x slow motion)") from None
    return speed, ease


def parse_ramp(value: str | Iterable, fps: Fraction) -> tuple[RampKey, ...]:
    """Keys from the ramp syntax or from a sequence, in time order.

    Text: comma-separated ``TIME:SPEED`` items, TIME as seconds, HH:MM:SS.mmm,
    HH:MM:SS:FF or a frame number ("30f") on the clip, SPEED as 1/factor ("0.25", "1/3");
    a ``~`` after the speed eases the segment that starts at that key (smooth step), e.g.
    ``0:1~,1.2:0.25,2.0:0.25~,2.4:1``. A sequence holds ``RampKey``s or tuples
    ``(time, speed)`` / ``(time, speed, ease)`` with time in seconds or as text.
    """
    from ..media.timecode import parse_time

    fps = Fraction(fps)
    if isinstance(value, str):
        items: list = value.split(",")
        if not value.strip():
            raise UserInputError("bad ramp '': give keys as TIME:SPEED,... e.g. 0:1,1.2:0.25")
    else:
        items = list(value)
    keys: list[RampKey] = []
    for item in items:
        if isinstance(item, RampKey):
            keys.append(item)
            continue
        if isinstance(item, str):
            shown = item.strip()
            if ":" not in shown:
                raise UserInputError(f"bad ramp key '{shown}': use TIME:SPEED, e.g. 1.2:0.25")
            when, speed_text = shown.rsplit(":", 1)
            speed, ease = _speed_text(speed_text, shown)
        elif isinstance(item, (tuple, list)) and len(item) in (2, 3):
            when, speed = item[0], item[1]
            ease = item[2] if len(item) == 3 else "linear"
            shown = ":".join(str(x) for x in item)
            if isinstance(speed, str):
                speed, mark = _speed_text(speed, shown)
                ease = mark if len(item) == 2 else ease
        else:
            raise UserInputError(f"bad ramp key {item!r}: use (time, speed) or "
                                 f"(time, speed, ease)")
        if isinstance(when, str) and _is_seconds(when):
            seconds = float(Fraction(when.strip()))
        elif isinstance(when, str):
            try:
                seconds = float(Fraction(parse_time(when, fps)) / fps)
            except UserInputError:
                raise UserInputError(f"bad ramp key '{shown}': the time '{when.strip()}' is not "
                                     f"seconds, HH:MM:SS.mmm, HH:MM:SS:FF or 120f") from None
        else:
            seconds = when
        if isinstance(speed, bool) or not isinstance(speed, (int, float, Fraction)):
            raise UserInputError(f"bad ramp key '{shown}': the speed is not a number")
        try:
            keys.append(RampKey(float(seconds), float(speed), ease))
        except UserInputError as exc:
            raise UserInputError(f"bad ramp key '{shown}': {str(exc).split(': ', 1)[1]}") from None
        except TypeError:
            raise UserInputError(f"bad ramp key '{shown}': the time is not a number") from None
    if not keys:
        raise UserInputError("bad ramp: it has no keys (give TIME:SPEED,...)")
    for a, b in zip(keys, keys[1:]):
        if b.time <= a.time:
            raise UserInputError(f"bad ramp: key times must increase (a key at {b.time:g} s "
                                 f"follows one at {a.time:g} s)")
    return tuple(keys)


def _is_seconds(text: str) -> bool:
    try:
        Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        return False
    return True


@dataclass(frozen=True)
class _Piece:
    """One stretch of the curve in range-relative source frames: [t0, t0 + length)."""

    t0: float
    length: float  # inf for the last piece
    a: float       # speed at t0
    b: float       # speed at the end
    ease: str      # "linear" or "smooth" (constant when a == b)

    def speed(self, dt: float) -> float:
        if self.a == self.b or not math.isfinite(self.length):
            return self.a
        u = min(max(dt / self.length, 0.0), 1.0)
        s = u if self.ease == "linear" else u * u * (3.0 - 2.0 * u)
        return self.a + (self.b - self.a) * s

    def advance(self, dt: float) -> float:
        """Output frames from t0 to t0 + dt (0 <= dt <= length)."""
        if self.a == self.b or not math.isfinite(self.length):
            return dt / self.a
        if self.ease == "linear":
            slope = (self.b - self.a) / self.length
            return math.log1p(slope * dt / self.a) / slope
        return self.length * _smooth_integral(self.a, self.b, dt / self.length)

    def reach(self, dtau: float) -> float:
        """The source step dt whose advance is ``dtau`` (the inverse of ``advance``)."""
        if self.a == self.b or not math.isfinite(self.length):
            return dtau * self.a
        if self.ease == "linear":
            slope = (self.b - self.a) / self.length
            return self.a * math.expm1(slope * dtau) / slope
        return self.length * _smooth_inverse(self.a, self.b, dtau / self.length)


def _smooth_integral(a: float, b: float, u: float) -> float:
    """The integral over [0, u] (0 <= u <= 1) of 1 / (a + (b - a)(3x^2 - 2x^3))."""
    if u <= 0.0:
        return 0.0
    edges = np.linspace(0.0, u, _PANELS + 1)
    half = (edges[1] - edges[0]) / 2
    x = (edges[:-1, None] + half) + half * _GL_X[None, :]
    s = x * x * (3.0 - 2.0 * x)
    return float(half * np.sum(_GL_W[None, :] / (a + (b - a) * s)))


def _smooth_inverse(a: float, b: float, target: float) -> float:
    """The u in [0, 1] with ``_smooth_integral(a, b, u) == target`` (Newton, bracketed)."""
    lo, hi = 0.0, 1.0
    u = min(max(target * (a + b) / 2, 0.0), 1.0)
    for _ in range(60):
        err = _smooth_integral(a, b, u) - target
        if err == 0:
            return u
        if err > 0:
            hi = u
        else:
            lo = u
        s = u * u * (3.0 - 2.0 * u)
        step = u - err * (a + (b - a) * s)
        step = step if lo <= step <= hi else (lo + hi) / 2
        if abs(step - u) <= 1e-15 or hi - lo <= 1e-15:
            return step
        u = step
    return u


@dataclass(frozen=True)
class Ramp:
    """A speed ramp over a render's source range: the timing a ``Retimer`` runs.

    ``keys`` are in source seconds on the clip (``RampKey``), ``fps`` the source rate,
    ``start_frame`` the range's first frame on the clip and ``source_frames`` the range's
    length. The output plays at the source rate (``mode`` "slowmo"). Output frame j shows
    ``source_time(j)`` (seconds on the clip); ``frame_count()`` frames in all.
    Retimer interface: ``wanted_time``/``grid_time`` (range-relative source frames),
    ``output_frames``, ``output_fps``, ``first_frame_at`` (segments), ``mode``.
    """

    keys: tuple[RampKey, ...]
    fps: Fraction
    start_frame: int = 0
    source_frames: int = 2
    mode: str = field(default="slowmo", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.keys))
        object.__setattr__(self, "fps", Fraction(self.fps))
        if not self.keys:
            raise UserInputError("bad ramp: it has no keys")
        if any(b.time <= a.time for a, b in zip(self.keys, self.keys[1:])):
            raise UserInputError("bad ramp: key times must increase")
        if self.fps <= 0 or self.source_frames < 1:
            raise ValueError("a ramp needs a positive frame rate and at least one frame")

    # -- presets -------------------------------------------------------------------------

    @classmethod
    def preset(cls, name: str, fps: Fraction, start_frame: int, source_frames: int,
               speed: float = 0.25, share: float = 1 / 3) -> "Ramp":
        """A preset over the range: "ease-in" (full speed easing down to ``speed`` over the
        first ``share`` of the range, then held), "ease-out" (``speed`` held, then easing
        back up to full speed over the last ``share``) or "ease-in-out" (both)."""
        if name not in PRESETS:
            raise UserInputError(f"bad ramp preset '{name}': use {', '.join(PRESETS)}")
        if not 0 < share <= (0.5 if name == "ease-in-out" else 1):
            raise UserInputError(f"bad ramp preset share {share:g}")
        fps = Fraction(fps)
        begin = float(start_frame / fps)
        span = float((source_frames - 1) / fps)
        ease_in = [RampKey(begin, 1.0, "smooth"), RampKey(begin + share * span, speed)]
        ease_out = [RampKey(begin + (1 - share) * span, speed, "smooth"),
                    RampKey(begin + span, 1.0)]
        keys = {"ease-in": ease_in, "ease-out": ease_out,
                "ease-in-out": ease_in + ease_out if share < 0.5 else
                [ease_in[0], RampKey(ease_in[1].time, speed, "smooth"), ease_out[1]]}[name]
        return cls(tuple(keys), fps, start_frame, source_frames)

    @classmethod
    def ease_in(cls, fps: Fraction, start_frame: int, source_frames: int,
                speed: float = 0.25) -> "Ramp":
        """Full speed easing into ``speed`` over the first third of the range."""
        return cls.preset("ease-in", fps, start_frame, source_frames, speed)

    @classmethod
    def ease_out(cls, fps: Fraction, start_frame: int, source_frames: int,
                 speed: float = 0.25) -> "Ramp":
        """``speed`` easing back to full speed over the last third of the range."""
        return cls.preset("ease-out", fps, start_frame, source_frames, speed)

    @classmethod
    def ease_in_out(cls, fps: Fraction, start_frame: int, source_frames: int,
                    speed: float = 0.25) -> "Ramp":
        """Full speed, eased into ``speed`` over the first third, back out over the last."""
        return cls.preset("ease-in-out", fps, start_frame, source_frames, speed)

    # -- the curve ------------------------------------------------------------------------

    @cached_property
    def _pieces(self) -> tuple[_Piece, ...]:
        to_frames = [float(k.time * self.fps - self.start_frame) for k in self.keys]
        pieces = []
        for i, key in enumerate(self.keys):
            if i + 1 < len(self.keys):
                nxt = self.keys[i + 1]
                pieces.append(_Piece(to_frames[i], to_frames[i + 1] - to_frames[i], key.speed,
                                     nxt.speed, key.ease))
            else:
                pieces.append(_Piece(to_frames[i], math.inf, key.speed, key.speed, "linear"))
        return tuple(pieces)

    @cached_property
    def _starts(self) -> tuple[list[float], list[float]]:
        """Each piece's start in source frames and in output frames (tau, from frame 0)."""
        t0 = [p.t0 for p in self._pieces]
        tau = [0.0]
        for p in self._pieces[:-1]:
            tau.append(tau[-1] + p.advance(p.length))
        origin = self._tau_from(t0, tau, 0.0)
        return t0, [x - origin for x in tau]

    def _tau_from(self, t0: list[float], tau: list[float], t: float) -> float:
        if t < t0[0]:  # before the first key: its speed
            return tau[0] + (t - t0[0]) / self.keys[0].speed
        i = bisect.bisect_right(t0, t) - 1
        return tau[i] + self._pieces[i].advance(t - t0[i])

    def speed_at(self, t: float) -> float:
        """The speed at range-relative source frame ``t``."""
        t0 = self._starts[0]
        if t < t0[0]:
            return self.keys[0].speed
        i = bisect.bisect_right(t0, t) - 1
        return self._pieces[i].speed(t - t0[i])

    def output_time(self, t: float) -> float:
        """Output frames from the range's first frame to source frame ``t`` (range-relative)."""
        t0, tau = self._starts
        return self._tau_from(t0, tau, t)

    def _inverse(self, j: float) -> float:
        t0, tau = self._starts
        if j < tau[0]:
            return t0[0] + (j - tau[0]) * self.keys[0].speed
        i = bisect.bisect_right(tau, j) - 1
        piece = self._pieces[i]
        return t0[i] + piece.reach(j - tau[i])

    # -- what a front-end shows -------------------------------------------------------------

    def output_frames(self, source_frames: int | None = None) -> int:
        """Frames written for a range of ``source_frames`` (default: this ramp's range)."""
        n = self.source_frames if source_frames is None else source_frames
        if n <= 0:
            return 0
        return math.floor(self.output_time(n - 1) + _SNAP) + 1

    def frame_count(self) -> int:
        """Frames the ramp writes over its range (known before rendering)."""
        return self.output_frames()

    def duration(self) -> float:
        """The output's duration in seconds (it plays at the source rate)."""
        return float(self.frame_count() / self.fps)

    def source_time(self, j: int) -> float:
        """The source time output frame ``j`` shows, in seconds on the clip."""
        return float((self.wanted_time(j) + self.start_frame) / self.fps)

    def tempo_steps(self, seconds: float,
                    step: float = AUDIO_STEP_S) -> tuple[tuple[float, float], ...]:
        """The ramp as audio tempos over the range's first ``seconds`` of source: (seconds
        from the range's first frame, tempo from there on) every ``step`` seconds, each the
        exact mean speed over its step, so stretched audio reaches every step's source time
        when the video does."""
        if seconds <= 0 or step <= 0:
            raise ValueError("tempo steps need a positive length and step")
        fps = float(self.fps)
        count = max(1, math.ceil(seconds / step - 1e-9))
        steps = []
        for i in range(count):
            a, b = i * step, min(seconds, (i + 1) * step)
            advance = self.output_time(b * fps) - self.output_time(a * fps)
            steps.append((a, (b - a) * fps / advance))
        return tuple(steps)

    @property
    def max_factor(self) -> float:
        """1 / the slowest speed: what the ramp costs at its slowest."""
        return 1.0 / min(k.speed for k in self.keys)

    def describe(self) -> str:
        """A one-line summary: speeds, frames and duration."""
        speeds = sorted({k.speed for k in self.keys})
        span = (f"speed {speeds[0]:g}" if len(speeds) == 1
                else f"speed {speeds[0]:g} to {speeds[-1]:g}")
        n = self.source_frames
        return (f"ramp ({span}, {len(self.keys)} keys): {n} source frames "
                f"({float(n / self.fps):.3f} s) become {self.frame_count()} frames "
                f"({self.duration():.3f} s at {float(self.fps):g} fps)")

    # -- the Retimer's interface ----------------------------------------------------------------

    def output_fps(self, source_fps: Fraction) -> Fraction:
        return Fraction(source_fps)

    def wanted_time(self, j: int) -> float:
        """The source time output frame ``j`` should show, in range-relative frames (a time
        within 1e-9 of a whole frame is that frame)."""
        t = self._inverse(float(j))
        near = round(t)
        return float(near) if abs(t - near) < _SNAP else t

    def depth_at(self, j: int) -> int:
        """Bisection levels for frame ``j``: ceil(log2(1/speed)) + 2 at its time."""
        speed = self.speed_at(self.wanted_time(j))
        return max(0, math.ceil(math.log2(1.0 / speed) - 1e-12) + 2)

    def max_timing_error(self, j: int) -> Fraction:
        """Largest distance between frame ``j``'s wanted and shown time (source intervals):
        at most 1/8 of the output frame interval there."""
        return Fraction(1, 2 ** (self.depth_at(j) + 1))

    def grid_time(self, j: int) -> Fraction:
        """The reachable time k/2^d nearest to frame ``j``'s wanted time (ties go earlier)."""
        scale = 2 ** self.depth_at(j)
        x = self.wanted_time(j) * scale
        k = math.floor(x + 0.5) if x - math.floor(x) != 0.5 else math.floor(x)
        return Fraction(k, scale)

    def first_frame_at(self, t: int) -> int:
        """The first output frame whose wanted time is at or after source frame ``t``."""
        if t <= 0:
            return 0
        j = max(0, math.ceil(self.output_time(t) - _SNAP))
        while j > 0 and self.wanted_time(j - 1) >= t:
            j -= 1
        while self.wanted_time(j) < t:
            j += 1
        return j


PRESETS = ("ease-in", "ease-out", "ease-in-out")


def ramp_for_range(value: str | Sequence | Ramp, fps: Fraction, start_frame: int,
                   source_frames: int) -> Ramp:
    """A ``Ramp`` over a render's range from the ramp syntax, keys, or a Ramp's keys."""
    keys = value.keys if isinstance(value, Ramp) else parse_ramp(value, fps)
    return Ramp(keys, Fraction(fps), start_frame, source_frames)
