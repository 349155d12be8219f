"""``PanelState``: what the panel shows and would render, as plain data (no Qt, no torch).

The panel's widgets write their values here as the user changes them; the text
under the settings (``summary()``), the suggested output name and the render's
``RenderRequest`` all come from this one object, so they cannot disagree and
can be tested without a window. Only ``engine.timing`` (pure arithmetic) is
needed for the summary: it never waits for the model or torch to load.

Ranges count as the core does: ``start`` is the first frame, ``end`` one past the last.
An interlaced clip's range is marked in frames; the core renders its fields (twice the
frames at twice the rate), and the summary and request count those.

A speed ramp (``ramp``: ``RampKey``s, times in seconds on the clip) replaces the constant
factor. Its keys belong to the clip, not to the marked range: the range picks the part of
the curve that is rendered (before the first key the curve holds that key's speed, after
the last the last key's), so moving the in and out marks never moves or drops keys.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.choices import DEVICE_CHOICES
from ..engine.ramp import MIN_SPEED, Ramp, RampKey
from ..engine.timing import MAX_FACTOR, MODES, RetimePlan, parse_factor
from ..errors import UserInputError
from ..farm import FarmOptions
from ..media import CODECS, DEFAULT_CODEC, MediaInfo, format_timecode, output_size
from .naming import (default_output_name, format_factor, format_fps, format_percent,
                     free_output_path, ramp_text)

if TYPE_CHECKING:
    from ..hosts.base import ClipSelection
    from ..jobs import RenderRequest

PRESETS = (2, 4, 8)
MIN_FACTOR = 1.01  # the smallest slowdown the panel offers (the core takes anything above 1)
# what the panel offers of the core's choices (jobs.AUDIO_CHOICES, engine.choices)
AUDIO_LABELS = {"auto": "Auto", "drop": "Drop", "stretch": "Stretch (keep pitch)"}
DEVICE_LABELS = dict(zip(DEVICE_CHOICES, ("Auto (best available)", "CPU", "NVIDIA GPU (CUDA)",
                                          "Apple GPU (Metal)")))

__all__ = ["AUDIO_LABELS", "DEVICE_LABELS", "MAX_FACTOR", "MIN_FACTOR", "MIN_SPEED", "MODES",
           "PRESETS", "RAMP_PRESETS", "PanelState", "Summary", "clamp_factor"]
RAMP_PRESETS = {"ease-in": "Ease in", "ease-out": "Ease out", "ease-in-out": "Ease in-out"}
NO_KEYS = "the speed ramp has no keys: double-click the speed lane to add one, or pick a preset"


def clamp_factor(value: float) -> float:
    """``value`` kept within the slowdowns the panel offers (MIN_FACTOR to MAX_FACTOR)."""
    return min(float(MAX_FACTOR), max(MIN_FACTOR, float(value)))


@dataclass(frozen=True)
class Summary:
    """The words under the settings: the marked range and what the render will make."""

    range_text: str = ""
    result_text: str = "\u2014"
    detail_text: str = "Open a clip to see the result"
    frames: int | None = None        # output frames (None: no clip or no valid factor)
    fps: Fraction | None = None      # output frame rate


@dataclass
class PanelState:
    """The clip, its range, and every choice a render of it depends on."""

    info: MediaInfo | None = None
    selection: ClipSelection | None = None  # the host's selection the clip came from
    start: int = 0                          # first frame of the marked range
    end: int = 0                            # one past its last frame
    factor: float = 2.0
    ramp: tuple[RampKey, ...] | None = None  # a speed ramp's keys instead of ``factor``
                                            # (None: constant; (): a ramp without keys yet)
    mode: str = "slowmo"
    codec: str = DEFAULT_CODEC
    audio: str = "auto"
    device: str = "auto"
    folder: str = ""                        # the chosen output folder ("": next to each source)
    name: str = ""                          # the output's file (or frame folder) name
    name_auto: bool = True                  # ``name`` is the suggestion (it follows the settings)
    replace: bool = False                   # the output may replace an existing one
    weights: Path | None = None
    render_on: str = "here"                 # "here" (this computer) or "dask" (a cluster)
    scheduler: str = ""                     # the Dask scheduler's address, tcp://HOST:8786

    def snapshot(self) -> PanelState:
        """A copy that later changes of this state do not reach (what a render was asked)."""
        return dataclasses.replace(self)

    @property
    def has_clip(self) -> bool:
        """A clip with something to slow down (at least two frames) is loaded."""
        return self.info is not None and self.info.frame_count >= 2

    @property
    def factor_text(self) -> str:
        return format_factor(self.factor)

    @property
    def fields_per_frame(self) -> int:
        """2 for an interlaced clip (the core renders each field as a frame), else 1."""
        info = self.info
        return 2 if info is not None and info.interlaced and not info.deinterlace else 1

    def output_folder(self) -> Path | None:
        """The chosen folder, else the source's own (None without a clip)."""
        if self.folder.strip():
            return Path(self.folder.strip()).expanduser()
        return self.info.path.resolve().parent if self.info is not None else None

    def output_path(self) -> Path | None:
        folder = self.output_folder()
        name = self.name.strip()
        return folder / name if folder is not None and name else None

    def suggested_name(self) -> str | None:
        """"<clip>_slowmo2x.mp4" for these settings, numbered (_2, _3 ...) when the output
        folder already holds one; None without a clip."""
        if self.info is None:
            return None
        name = default_output_name(self.info.path, self.factor, self.mode, self.codec,
                                   ramp=self.ramp is not None)
        folder = self.output_folder()
        return free_output_path(folder, name, self.info.path).name if folder else name

    def range_ramp(self) -> Ramp | None:
        """The ramp over the marked range (in fields for an interlaced clip), as the core
        renders it; None without a clip, a ramp or its keys."""
        info = self.info
        if info is None or not self.ramp or self.end - self.start < 1:
            return None
        k = self.fields_per_frame
        return Ramp(tuple(self.ramp), info.fps * k, self.start * k, (self.end - self.start) * k)

    def ramp_preset(self, name: str) -> tuple[RampKey, ...]:
        """The keys of a ramp preset ("ease-in", "ease-out", "ease-in-out") over the marked
        range, slowing down to the current factor (``Ramp.preset``)."""
        info = self.info
        if info is None or self.end - self.start < 2:
            raise UserInputError("open a clip and mark a range of at least 2 frames first")
        speed = max(MIN_SPEED, 1 / clamp_factor(self.factor))
        return Ramp.preset(name, info.fps, self.start, self.end - self.start, speed).keys

    def ramp_speeds(self) -> list[float]:
        """The speeds the marked range passes through, in order: at its first frame, at
        each key inside it, at its last frame (repeats merged; empty without a ramp)."""
        ramp = self.range_ramp()
        if ramp is None:
            return []
        last = ramp.source_frames - 1
        inside = [float(key.time * ramp.fps) - ramp.start_frame for key in ramp.keys]
        speeds: list[float] = []
        for t in [0.0, *(t for t in inside if 0 < t < last), float(last)]:
            speed = ramp.speed_at(t)
            if not speeds or abs(speed - speeds[-1]) > 1e-9:
                speeds.append(speed)
        return speeds

    def summary(self) -> Summary:
        """The range and the result (frames, length, rate) these settings give."""
        info = self.info
        if info is None or info.frame_count < 2:
            return Summary()
        n = self.end - self.start
        range_text = (f"In {format_timecode(self.start, info.fps)}  \u00b7  "
                      f"Out {format_timecode(self.end - 1, info.fps)}  \u00b7  "
                      f"{n} frames ({n / float(info.fps):.2f} s)")
        k = self.fields_per_frame
        source = f"{n} source frames" if k == 1 else f"the {n * k} fields of {n} frames"
        if self.ramp is not None:
            if self.mode != "slowmo":
                return Summary(range_text, "\u2014", "A speed ramp plays at the source rate: "
                               "choose Slow motion")
            ramp = self.range_ramp()
            if ramp is None:
                return Summary(range_text, "\u2014", NO_KEYS[:1].upper() + NO_KEYS[1:])
            frames, fps = ramp.frame_count(), ramp.fps
            speeds = self.ramp_speeds()
            slowest = 1 / min(speeds)
            how = (f"up to {format_factor(slowest)}\u00d7 slower" if slowest > 1 + 1e-9
                   else "never slower")
            curve = " \u2192 ".join(format_percent(s) for s in speeds)
            detail = f"ramp {curve}, {how}; at {format_fps(fps)} fps, from {source}"
            return self._result(range_text, frames, fps, detail)
        try:
            plan = RetimePlan(parse_factor(self.factor_text), self.mode)
        except UserInputError as exc:
            return Summary(range_text, "\u2014", str(exc))
        frames = plan.output_frames(n * k)
        fps = plan.output_fps(info.fps * k)
        what = "slower" if plan.mode == "slowmo" else "the frame rate"
        detail = (f"at {format_fps(fps)} fps, from {source} "
                  f"({format_factor(plan.factor)}\u00d7 {what})")
        return self._result(range_text, frames, fps, detail)

    def _result(self, range_text: str, frames: int, fps: Fraction, detail: str) -> Summary:
        seconds = float(Fraction(frames) / fps)
        length = (f"{format_timecode(frames, fps)}  ({seconds:.2f} s)" if fps <= 60
                  else f"{seconds:.2f} s")
        info = self.info
        width, height = info.display_size
        padded = output_size(self.codec, width, height)
        if padded != (width, height):
            detail += (f"; {CODECS[self.codec].label} needs even sizes: padded to "
                       f"{padded[0]}\u00d7{padded[1]} with a black edge")
        return Summary(range_text, f"{frames} frames  \u00b7  {length}", detail, frames, fps)

    def to_request(self) -> RenderRequest:
        """The core's request for these settings; UserInputError names what is missing."""
        from ..jobs import RenderRequest

        info = self.info
        if info is None:
            raise UserInputError("open a clip first")
        output = self.output_path()
        if output is None:
            raise UserInputError("enter a name for the output file")
        if self.ramp is not None and not self.ramp:
            raise UserInputError(NO_KEYS)
        if self.ramp is not None and self.mode != "slowmo":
            raise UserInputError("a speed ramp plays at the source rate: choose Slow motion")
        k = self.fields_per_frame
        return RenderRequest(
            source=info.path, output=output, factor=self.factor_text, start=f"{self.start * k}f",
            end=f"{self.end * k}f", mode=self.mode, codec=self.codec, audio=self.audio,
            device=self.device, overwrite=self.replace, weights=self.weights,
            fps=info.fps if info.sequence is not None else None, farm=self.farm_options(),
            ramp=tuple(self.ramp) if self.ramp is not None else None)

    def farm_options(self) -> FarmOptions | None:
        """Where the render runs: None here, or the Dask cluster at ``scheduler``."""
        if self.render_on == "here":
            return None
        address = self.scheduler.strip()
        if not address:
            raise UserInputError("enter the Dask scheduler's address (tcp://HOST:8786) or "
                                 "render on this computer")
        return FarmOptions(scheduler=address if "://" in address else f"tcp://{address}")

    def bundle_argv(self, folder: Path) -> list[str]:
        """``vfi-slowmo farm-bundle`` arguments that write an Open Job Description bundle of
        this render into ``folder`` (the farm renders what the panel would)."""
        request = self.to_request()
        speed = (["--factor", request.factor] if request.ramp is None
                 else ["--ramp", ramp_text(request.ramp)])
        argv = [str(request.source), "-o", str(request.output), *speed,
                "--start", request.start, "--end", request.end, "--mode", request.mode,
                "--codec", request.codec, "--audio", request.audio, "--bundle", str(folder)]
        if request.fps is not None:
            argv += ["--fps", str(request.fps)]
        if request.weights is not None:
            argv += ["--weights", str(request.weights)]
        return argv + (["--overwrite"] if request.overwrite else [])
