"""Output timing of a retime: which source times the output frames show.

Slow-motion mode: N source frames become floor((N-1)·F)+1 frames played at the
source rate. Smooth mode: ceil(N·F) frames at F times the source rate (same
duration). Output frame j shows source time j/F (in source frame units).

The network halves a frame interval per pass, so it can reach the times
k/2^d. A power-of-two factor 2^k is exact (k passes). Any other factor uses
d = ceil(log2 F) + 2 and shows, for each wanted time, the nearest k/2^d: the
timing error is at most 2^-(d+1) of a source interval, which is no more than
1/8 of an output frame interval (F=3: 1/32 of a source interval, 1.0 ms at 30 fps).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..errors import UserInputError

MODES = ("slowmo", "smooth")
MAX_FACTOR = 64


def parse_factor(value: str | float | int | Fraction) -> Fraction:
    """A slowdown factor > 1 and <= 64, e.g. 2, 4, '2.5', '8/3'."""
    try:
        factor = Fraction(str(value).strip()).limit_denominator(1000)
    except (ValueError, ZeroDivisionError):
        raise UserInputError(f"bad factor '{value}': use a number such as 2, 2.5 or 4") from None
    if not 1 < factor <= MAX_FACTOR:
        raise UserInputError(f"bad factor '{value}': it must be greater than 1 and at most {MAX_FACTOR}")
    return factor


def is_power_of_two(factor: Fraction) -> bool:
    return factor.denominator == 1 and factor.numerator & (factor.numerator - 1) == 0


@dataclass(frozen=True)
class RetimePlan:
    """The timing of one retime: factor, mode and the depth of the bisection grid."""

    factor: Fraction
    mode: str = "slowmo"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UserInputError(f"bad mode '{self.mode}': use slowmo or smooth")
        if not 1 < self.factor <= MAX_FACTOR:
            raise UserInputError(f"bad factor '{self.factor}'")

    @property
    def depth(self) -> int:
        """Passes of the network (levels of bisection) needed."""
        exact = math.log2(self.factor)
        if is_power_of_two(self.factor):
            return round(exact)
        return math.ceil(exact) + 2

    @property
    def max_timing_error(self) -> Fraction:
        """Largest distance between wanted and shown time, in source frame intervals."""
        return Fraction(0) if is_power_of_two(self.factor) else Fraction(1, 2 ** (self.depth + 1))

    def output_frames(self, source_frames: int) -> int:
        """How many frames the retime writes for ``source_frames`` frames in."""
        if source_frames <= 0:
            return 0
        if self.mode == "slowmo":
            return math.floor((source_frames - 1) * self.factor) + 1
        return math.ceil(source_frames * self.factor)

    def output_fps(self, source_fps: Fraction) -> Fraction:
        return source_fps if self.mode == "slowmo" else source_fps * self.factor

    def wanted_time(self, j: int) -> Fraction:
        """The source time output frame j should show."""
        return Fraction(j) / self.factor

    def first_frame_at(self, t: int) -> int:
        """The first output frame whose wanted time is at or after source frame ``t``."""
        return math.ceil(t * self.factor)

    def grid_time(self, j: int) -> Fraction:
        """The reachable time k/2^depth nearest to the wanted time (ties go earlier)."""
        scale = 2 ** self.depth
        t = self.wanted_time(j) * scale
        k = math.floor(t + Fraction(1, 2)) if t - math.floor(t) != Fraction(1, 2) else math.floor(t)
        return Fraction(k, scale)
