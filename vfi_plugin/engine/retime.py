"""Streaming recursive interpolation: a stream of frames in, the retimed stream out.

Each wanted time k/2^d is computed from the four equally spaced nodes of the
coarser level around it (t ± h, t ± 3h with h = 2^-d), down to the source
frames, so a power-of-two factor is exactly "one pass doubles the frame rate"
repeated, while other factors only compute the nodes they need. Times beyond
the clip's ends are clamped (edge frames repeated). Nodes are kept only while
later output can still need them, so memory stays flat whatever the clip length.

Scene cuts (``CutDetector``, as the frames stream in) split the clip into shots: a
node's window never reaches into another shot (shot ends are clamped like the clip's),
and the times between the last frame of a shot and the first of the next are held on
the last frame (``cuts="hold"``), cross-faded (``"blend"``) or interpolated across
the cut like any other interval (``"interpolate"``, no detection).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Iterable, Iterator

import numpy as np

from ..errors import Cancelled, MediaError
from .cuts import CUT_MODES, CutDetector
from .interpolator import Interpolator
from .timing import RetimePlan

REACH = 3  # a node depends on source frames at most 3 intervals away
CUT_MEMORY = 2  # a cut at frame k is judged from frames k-2, k-1 and k (CutDetector)


def span_context(first_time: int, end_time: int, frames: int) -> tuple[int, int]:
    """The source frames [r, e) that output times in [first_time, end_time) need.

    A node's window reaches less than REACH intervals either way (nodes under REACH - 1
    frames away, frames under REACH); its clamping sees the cuts of frames up to REACH + 1
    away; a cut is judged from the CUT_MEMORY frames before it, and the first pair read is
    judged alone (not trusted): so REACH + 1 + CUT_MEMORY + 1 frames before and
    REACH + 2 after, clamped to the clip.
    """
    return (max(0, first_time - REACH - CUT_MEMORY - 2), min(frames, end_time + REACH + 2))


class Retimer:
    """Runs a ``RetimePlan`` over a frame stream with an ``Interpolator``."""

    def __init__(self, interpolator: Interpolator, plan: RetimePlan,
                 cancel: Callable[[], bool] | None = None, cuts: str = "hold") -> None:
        if cuts not in CUT_MODES:
            raise ValueError(f"cuts must be one of {CUT_MODES}, not {cuts!r}")
        self.interpolator = interpolator
        self.plan = plan
        self.cancel = cancel or (lambda: False)
        self.cuts = cuts
        self.found_cuts: list[int] = []  # source frames that start a new shot, as found
        self._size: tuple[int, int] | None = None  # frame size, known after the first batch

    def run(self, source: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Yield the output frames in order; the source is read lazily."""
        state = _StreamState(iter(source), CutDetector() if self.cuts != "interpolate" else None)
        self.found_cuts = state.cuts
        plan = self.plan
        j = 0
        while True:
            self._check_cancel()
            chunk_start = math.floor(plan.wanted_time(j))
            state.read_until(chunk_start + self._chunk_intervals() + REACH)
            if state.last is not None and self._done(j, state.last):
                return
            if state.last is None and not state.frames:
                raise MediaError("the source delivered no frames")
            chunk_end = chunk_start + self._chunk_intervals()
            targets = []
            while not (state.last is not None and self._done(j, state.last)):
                if plan.wanted_time(j) >= chunk_end:
                    break
                targets.append(j)
                j += 1
            yield from self._frames_at(targets, state)
            state.evict_before(math.floor(plan.wanted_time(j)) - REACH - 1)

    def run_span(self, source: Iterable[np.ndarray], origin: int, first: int, stop: int,
                 frames: int) -> Iterator[np.ndarray]:
        """Output frames [first, stop) of the retime of a clip of ``frames`` frames, from
        ``source``: that clip's frames from frame ``origin`` on (a segment of a render).

        The frames read must cover the context the wanted frames need (``span_context``):
        then the frames are those ``run`` yields at the same places. The clip's ends are
        known (``frames``), so only its real ends are clamped; a cut found at frame
        ``origin + 1`` (judged without the frame before ``origin``) is not trusted.
        """
        state = _StreamState(iter(source), CutDetector() if self.cuts != "interpolate" else None,
                             origin=origin, last=frames - 1)
        self.found_cuts = state.cuts
        plan = self.plan
        j = first
        while j < stop:
            self._check_cancel()
            chunk_start = math.floor(plan.wanted_time(j))
            chunk_end = chunk_start + self._chunk_intervals()
            state.read_until(chunk_end + REACH)
            if not state.frames:
                raise MediaError("the source delivered no frames")
            targets = []
            while j < stop and plan.wanted_time(j) < chunk_end:
                targets.append(j)
                j += 1
            yield from self._frames_at(targets, state)
            state.evict_before(math.floor(plan.wanted_time(j)) - REACH - 1)

    def _done(self, j: int, last: int) -> bool:
        plan = self.plan
        if plan.mode == "slowmo":
            return plan.wanted_time(j) > last
        return j >= plan.output_frames(last + 1)

    def _chunk_intervals(self) -> int:
        if self._size is None:
            return 4
        return max(2, self.interpolator.batch_size(*self._size))

    def _check_cancel(self) -> None:
        if self.cancel():
            raise Cancelled("cancelled")

    def _frames_at(self, targets: list[int], state: "_StreamState") -> Iterator[np.ndarray]:
        """Output frames ``targets``: their nodes computed in one batch, times between two
        shots held or cross-faded."""
        times = [state.clamp(self.plan.grid_time(k)) for k in targets]
        across = {t for t in times if state.crosses_cut(t)}
        self._compute([t for t in times if t not in across], state)
        for t in times:
            yield self._across_cut(t, state) if t in across else state.get(t)

    def _across_cut(self, t: Fraction, state: "_StreamState") -> np.ndarray:
        """A time between two shots: the outgoing shot's last frame held, or a cross-fade."""
        before, after = state.frames[math.floor(t)], state.frames[math.ceil(t)]
        if self.cuts != "blend":
            return before
        w = float(t - math.floor(t))
        mixed = before.astype(np.float32) * (1.0 - w) + after.astype(np.float32) * w
        return np.rint(mixed).astype(before.dtype)

    def _compute(self, times: list[Fraction], state: "_StreamState") -> None:
        """Make every node in ``times`` available, level by level, batched."""
        needed: dict[int, set[Fraction]] = {}
        stack = [t for t in times if t not in state.nodes]
        seen: set[Fraction] = set()
        while stack:
            t = stack.pop()
            if t in seen or t in state.nodes or t.denominator == 1:
                continue
            seen.add(t)
            depth = t.denominator.bit_length() - 1
            needed.setdefault(depth, set()).add(t)
            stack.extend(state.clamp_in_shot(d, t) for d in window_times(t))
        for depth in sorted(needed):
            nodes = sorted(needed[depth])
            windows = [tuple(state.get(state.clamp_in_shot(d, t)) for d in window_times(t))
                       for t in nodes]
            self._size = windows[0][0].shape[:2]
            step = max(1, self.interpolator.batch_size(*self._size))
            for k in range(0, len(nodes), step):
                self._check_cancel()
                for t, frame in zip(nodes[k:k + step],
                                    self.interpolator.midpoints(windows[k:k + step])):
                    state.nodes[t] = frame


def window_times(t: Fraction) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """The four coarser-level times around node ``t`` (spacing 2h, h = 1/denominator)."""
    h = Fraction(1, t.denominator)
    return (t - 3 * h, t - h, t + h, t + 3 * h)


class _StreamState:
    """Source frames read so far and computed nodes, keyed by time."""

    def __init__(self, source: Iterator[np.ndarray], detector: CutDetector | None = None,
                 origin: int = 0, last: int | None = None) -> None:
        self.source = source
        self.detector = detector
        self.cuts: list[int] = []  # frames that start a new shot, ascending
        self.frames: dict[int, np.ndarray] = {}
        self.nodes: dict[Fraction, np.ndarray] = {}
        self.origin = origin  # the source's first frame (0, or a segment's context start)
        self.read = origin
        self.last: int | None = last  # the clip's last frame, once known
        self.ended = False
        self.shape: tuple[int, ...] | None = None

    def read_until(self, index: int) -> None:
        while not self.ended and self.read <= index:
            try:
                frame = next(self.source)
            except StopIteration:
                self.ended = True
                if self.last is None:
                    self.last = self.read - 1
                return
            if self.shape is None:
                self.shape = frame.shape
            elif frame.shape != self.shape:
                raise MediaError(f"frame {self.read} has size {frame.shape}, expected {self.shape}")
            if (self.detector is not None and self.detector.push(frame)
                    and (self.origin == 0 or self.read > self.origin + 1)):
                self.cuts.append(self.read)
            self.frames[self.read] = frame
            self.read += 1

    def clamp(self, t: Fraction) -> Fraction:
        if t < 0:
            return Fraction(0)
        if self.last is not None and t > self.last:
            return Fraction(self.last)
        if t > self.read - 1:  # not read yet: only reachable when the clip goes on
            self.read_until(math.ceil(t))
            if self.last is not None and t > self.last:
                return Fraction(self.last)
        return t

    def crosses_cut(self, t: Fraction) -> bool:
        """True when ``t`` lies between the last frame of a shot and the next shot."""
        return t.denominator != 1 and math.ceil(t) in self.cuts

    def clamp_in_shot(self, d: Fraction, node: Fraction) -> Fraction:
        """Window time ``d`` of ``node``, clamped to the clip and to the node's shot."""
        d = self.clamp(d)
        i = math.floor(node)
        for c in self.cuts:  # few: a linear scan is fine
            if c <= i:
                d = max(d, Fraction(c))
            elif c > i:
                return min(d, Fraction(c - 1))
        return d

    def get(self, t: Fraction) -> np.ndarray:
        if t.denominator == 1:
            return self.frames[int(t)]
        return self.nodes[t]

    def evict_before(self, t: int) -> None:
        for k in [k for k in self.frames if k < t]:
            del self.frames[k]
        for k in [k for k in self.nodes if k < t]:
            del self.nodes[k]
