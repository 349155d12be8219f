"""Audio for the output: a slice of the source's audio, slowed with atempo (a constant
factor) or along a speed ramp with rubberband, its tempo changed in small steps."""
from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import ffmpeg

from .tools import file_url

ATEMPO_MIN = 0.5
ATEMPO_MAX = 2.0
PAD_S = 0.5
RAMP_FILTER = "rubberband"  # needs an ffmpeg built with librubberband (media.has_filter)
# rubberband's tempo changes reach audio ~9 ms (source) before the change's time: measured on
# clicks through 1 -> 0.25 -> 1 ramps (tests/core/test_ramp_audio.py), 26 ms late -> within 7 ms
RAMP_DELAY_S = 0.009


@dataclass(frozen=True)
class AudioPlan:
    """Which audio goes with the output and how it is stretched.

    `stream_index` is the absolute stream index (AudioStream.index); `start`
    counts seconds from the file's start like ffmpeg's -ss; `tempo` < 1
    slows down (0.25 = 4x slower, pitch kept), 1.0 leaves the speed as is.
    The output audio lasts exactly duration / tempo seconds (padded with
    silence where the source's audio is shorter).

    A ramp gives ``tempo_steps`` instead: (seconds from ``start``, tempo from
    there on), and ``length``, the output's exact duration in seconds.
    """

    source: Path
    stream_index: int
    start: float
    duration: float
    tempo: float = 1.0
    tempo_steps: tuple[tuple[float, float], ...] = ()
    length: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", Path(self.source))
        if self.duration <= 0 or self.tempo <= 0 or self.start < 0:
            raise ValueError(f"bad audio plan: start {self.start}, duration {self.duration}, "
                             f"tempo {self.tempo}")
        if self.tempo_steps and (self.length is None or self.length <= 0 or
                                 any(t <= 0 for _, t in self.tempo_steps)):
            raise ValueError("bad audio plan: tempo steps need positive tempos and a length")

    @classmethod
    def for_frames(cls, source: str | os.PathLike[str], stream_index: int, fps: Fraction,
                   start_frame: int, end_frame: int, tempo: float = 1.0) -> "AudioPlan":
        """The audio under video frames [start_frame, end_frame) at `fps`."""
        return cls(Path(source), stream_index, float(start_frame / fps),
                   float((end_frame - start_frame) / fps), tempo)

    @property
    def output_duration(self) -> float:
        return self.length if self.length is not None else self.duration / self.tempo


def atempo_chain(tempo: float) -> list[float]:
    """Split `tempo` into atempo factors within [0.5, 2.0] whose product is `tempo`."""
    if not tempo > 0:
        raise ValueError(f"tempo must be positive, got {tempo}")
    factors: list[float] = []
    rest = float(tempo)
    while rest < ATEMPO_MIN - 1e-12:
        factors.append(ATEMPO_MIN)
        rest /= ATEMPO_MIN
    while rest > ATEMPO_MAX + 1e-12:
        factors.append(ATEMPO_MAX)
        rest /= ATEMPO_MAX
    if abs(rest - 1.0) > 1e-9:
        factors.append(rest)
    return factors


def audio_stream(plan: AudioPlan) -> ffmpeg.nodes.FilterableStream:
    """An ffmpeg-python stream for the plan: the input slice plus the atempo chain."""
    opts = {"t": f"{plan.duration:.6f}"}
    if plan.start > 0:
        opts["ss"] = f"{plan.start:.6f}"
    stream = ffmpeg.input(file_url(plan.source), **opts)[str(plan.stream_index)]
    # Pad with silence (atempo drops the tail it cannot flush, and the source's
    # audio may end early), then cut to exactly duration / tempo.
    stream = stream.filter("apad", whole_dur=f"{plan.duration + PAD_S:.6f}")
    if plan.tempo_steps:
        # atempo loses audio at every tempo change (ffmpeg 5.1); rubberband keeps it. Frames
        # of 256 samples let each change land within ~5 ms of its time, sent RAMP_DELAY_S
        # after it: rubberband applies a change to audio it already holds.
        commands = ";".join(f"{t + RAMP_DELAY_S if t else 0:.4f} {RAMP_FILTER} tempo "
                            f"{tempo:.6f}" for t, tempo in plan.tempo_steps)
        stream = (stream.filter("asetnsamples", n=256).filter("asendcmd", c=commands)
                  .filter(RAMP_FILTER, tempo=f"{plan.tempo_steps[0][1]:.6f}"))
        return stream.filter("atrim", duration=f"{plan.output_duration:.6f}")
    for factor in atempo_chain(plan.tempo):
        stream = stream.filter("atempo", f"{factor:.6f}")
    return stream.filter("atrim", duration=f"{plan.output_duration:.6f}")
