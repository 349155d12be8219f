"""Numbered image sequences as sources: ``shot.%04d.exr`` or ``shot.####.exr``.

A sequence is named by its pattern; its frames are the files that match it, from the
lowest number found, without gaps (ffmpeg's image2 demuxer stops at the first gap).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from vfi_plugin.errors import UserInputError

DEFAULT_FPS = Fraction(24)
_PRINTF = re.compile(r"%(0?)(\d*)d")
_HASHES = re.compile(r"#+")


@dataclass(frozen=True)
class SequenceInfo:
    """Where a sequence's frames are: the ffmpeg pattern, first number and count."""

    pattern: str     # printf form, e.g. /shots/a.%04d.exr
    start_number: int
    count: int
    fps_given: bool  # False: the frame rate was assumed (DEFAULT_FPS)


def is_pattern(path: str | os.PathLike[str]) -> bool:
    """True for a name with a frame-number field: %d, %04d or ####."""
    name = Path(path).name
    return bool(_PRINTF.search(name) or _HASHES.search(name))


def printf_pattern(path: str | os.PathLike[str]) -> str:
    """``shot.####.exr`` -> ``shot.%04d.exr`` (a printf pattern is returned as it is)."""
    text = os.fspath(path)
    folder, name = os.path.split(text)
    if not _PRINTF.search(name):
        name = _HASHES.sub(lambda m: f"%0{len(m.group(0))}d", name, count=1)
    return os.path.join(folder, name)


def find_frames(path: str | os.PathLike[str]) -> tuple[str, int, int]:
    """(printf pattern, first number, frame count) of the files matching ``path``'s
    pattern; UserInputError when none match or the folder is missing."""
    pattern = printf_pattern(path)
    folder, name = os.path.split(pattern)
    m = _PRINTF.search(name)
    if m is None:
        raise UserInputError(f"{path}: not a sequence pattern (use %04d or ####)")
    width = int(m.group(2) or 0)
    digits = rf"(\d{{{width}}})" if m.group(1) == "0" and width else r"(\d+)"
    regex = re.compile(re.escape(name[:m.start()]) + digits + re.escape(name[m.end():]) + "$")
    root = Path(folder or ".")
    if not root.is_dir():
        raise UserInputError(f"{path}: no such folder {root}")
    numbers = sorted(int(g.group(1)) for g in map(regex.match, os.listdir(root)) if g)
    if not numbers:
        raise UserInputError(f"{path}: no files match this sequence pattern")
    first, count = numbers[0], 1
    while count < len(numbers) and numbers[count] == first + count:
        count += 1
    if count < len(numbers):
        raise UserInputError(f"{path}: frame {first + count} is missing (found {first} to "
                             f"{first + count - 1}, then {numbers[count]}); fill the gap or "
                             f"render the frames before it")
    return pattern, first, count
