"""One render split into independent segments, run on a cluster engine (Dask distributed).

``segments`` cuts a render into segments, renders one (torch loads there, on first use) and
assembles them; ``dask_engine`` runs them on a Dask cluster; ``queue`` runs several renders'
segments together. The farm subcommands: ``cmd_segment`` / ``cmd_assemble`` (one task each,
any machine, resumable), ``cmd_bundle`` (an Open Job Description job bundle, ``openjd``),
``cmd_queue``; ``commands`` holds what they share. This module itself is torch- and
dask-free: the CLI imports ``FarmOptions`` from here.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserInputError

DEFAULT_SEGMENT_FRAMES = 48  # source frames a segment owns (plus a few context frames)


@dataclass(frozen=True)
class FarmOptions:
    """Where the segments of a render run: ``workers`` local worker processes (a Dask
    LocalCluster) or an existing Dask scheduler (``scheduler``, e.g. tcp://host:8786)."""

    workers: int | None = None
    scheduler: str | None = None
    segment_frames: int | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and self.scheduler:
            raise UserInputError("--workers and --scheduler exclude each other: --workers starts "
                                 "a local cluster, --scheduler uses an existing one")
        if self.workers is not None and not 1 <= int(self.workers) <= 256:
            raise UserInputError(f"bad --workers {self.workers}: use 1 to 256 processes")
        if self.segment_frames is not None and int(self.segment_frames) < 2:
            raise UserInputError(f"bad --segment-frames {self.segment_frames}: use at least 2")
        if self.scheduler is not None and "://" not in self.scheduler:
            raise UserInputError(f"bad --scheduler '{self.scheduler}': use an address like "
                                 f"tcp://host:8786")

    @property
    def enabled(self) -> bool:
        """Render as segments (``segment_frames`` alone: one after the other, here)."""
        return self.workers is not None or bool(self.scheduler) or self.segment_frames is not None

    @property
    def frames_per_segment(self) -> int:
        return int(self.segment_frames or DEFAULT_SEGMENT_FRAMES)
