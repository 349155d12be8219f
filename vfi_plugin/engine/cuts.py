"""Scene-cut detection on the decoded frames, as they stream past.

The score follows ffmpeg's scdet filter: the mean absolute difference of two frames
(in percent of full scale, on a subsampled grey copy) minus how much it changed from
the previous pair, so a cut (a jump out of nowhere) scores high and steady fast
motion (large but similar differences frame after frame) does not.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

CUT_MODES = ("hold", "blend", "interpolate")
CUT_THRESHOLD = 10.0  # scdet's default, percent
SUBSAMPLE = 4         # every 4th pixel each way is plenty to see a cut
FIRST_PAIR_FACTOR = 2.5  # the first pair has no earlier difference to compare with


class CutDetector:
    """Feed frames in order with ``push``; it says whether a cut lies before each one."""

    def __init__(self, threshold: float = CUT_THRESHOLD) -> None:
        self.threshold = threshold
        self._prev: np.ndarray | None = None
        self._prev_mafd: float | None = None

    def push(self, frame: np.ndarray) -> bool:
        """True when ``frame`` starts a new shot (never for the first frame)."""
        peak = 65535.0 if frame.dtype == np.uint16 else 255.0
        grey = frame[::SUBSAMPLE, ::SUBSAMPLE, :3].astype(np.float32).mean(2) * (100.0 / peak)
        prev, self._prev = self._prev, grey
        if prev is None:
            return False
        mafd = float(np.abs(grey - prev).mean())
        last, self._prev_mafd = self._prev_mafd, mafd
        if last is None:  # no motion seen yet to compare with: only an obvious jump counts
            return mafd > FIRST_PAIR_FACTOR * self.threshold
        return min(mafd, abs(mafd - last)) > self.threshold


def find_cuts(frames: Iterable[np.ndarray], threshold: float = CUT_THRESHOLD) -> list[int]:
    """The indices of the frames that start a new shot, over a whole stream (e.g. a small
    decode of a proxy, for a filmstrip's cut marks)."""
    detector = CutDetector(threshold)
    return [i for i, frame in enumerate(frames) if detector.push(frame)]
