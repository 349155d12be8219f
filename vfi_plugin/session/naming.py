"""Text for front-ends (Qt-free): factors, frame rates, output names, sizes, times left."""
from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

from ..media import CODECS


def format_factor(factor: float | Fraction | str) -> str:
    """2 -> "2", 2.5 -> "2.5", 8/3 -> "2.67" (for names and labels)."""
    value = float(Fraction(str(factor)))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def format_fps(fps: Fraction | float) -> str:
    """23.976, 25, 29.97 ..."""
    value = float(fps)
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text


def default_output_name(source: Path, factor: float | Fraction | str, mode: str,
                        codec: str, *, ramp: bool = False) -> str:
    """"<stem>_slowmo4x.mp4" (smooth mode: "_smooth4x"; a speed ramp: "_slowmo_ramp";
    PNG: a folder name without suffix)."""
    tag = "smooth" if mode == "smooth" else "slowmo"
    spec = CODECS.get(codec)
    suffix = spec.extension if spec is not None else Path(source).suffix
    speed = "_ramp" if ramp else f"{format_factor(factor)}x"
    return f"{Path(source).stem}_{tag}{speed}{suffix}"


def format_percent(speed: float) -> str:
    """A speed as a percentage: 1 -> "100 %", 0.125 -> "12.5 %", 1/3 -> "33.3 %"."""
    text = f"{float(speed) * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


def ramp_text(keys) -> str:
    """Ramp keys in the ``--ramp`` syntax, exactly ("0:1,1.2:0.25~,2.4:1": seconds on the
    clip, speed, ``~`` after an eased key's speed)."""
    return ",".join(f"{float(k.time)!r}:{float(k.speed)!r}{'~' if k.ease == 'smooth' else ''}"
                    for k in keys)


# Extensions a typed name may carry that mean "a video file": one a format does not write
# is replaced by the format's own (any other suffix, like "take.v2", is part of the name).
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".avi", ".mxf", ".webm", ".mts",
                            ".m2ts", ".ts", ".mpg", ".mpeg", ".wmv", ".flv", ".y4m", ".gif"})


def fit_codec_suffix(name: str, codec: str) -> str:
    """``name`` with an extension ``codec`` writes: kept when it is one of them; otherwise a
    video extension is replaced by the codec's default and a name without one gets it
    ("final" -> "final.mp4"). Image sequences are folders: a video extension is dropped."""
    spec = CODECS.get(codec)
    name = name.strip()
    if spec is None or not name:
        return name
    suffix = Path(name).suffix
    lower = suffix.lower()
    if lower in spec.extensions:
        return name
    known = VIDEO_SUFFIXES | {e for c in CODECS.values() for e in c.extensions if e}
    stem = name[: -len(suffix)] if lower and lower in known else name
    return stem + spec.extension


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def free_output_path(folder: Path, name: str, source: Path | None = None) -> Path:
    """``folder/name``, or ``name`` with _2, _3 ... before the suffix when that exists
    (or would be the source itself)."""
    folder = Path(folder)
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while candidate.exists() or (source is not None and _same_file(candidate, source)):
        candidate = folder / f"{stem}_{n}{suffix}"
        n += 1
        if n > 10_000:  # pragma: no cover - a folder full of our renders
            break
    return candidate


def fit_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """Even (w, h) at most ``max_height`` high with the aspect of width x height (no upscale)."""
    h = max(2, min(max_height, height) // 2 * 2)
    w = max(2, int(round(width * h / height / 2)) * 2)
    return w, h


def seconds_text(seconds: float | None) -> str:
    """ETA text: "0:42", "12:05", "1:02:03" ("--:--" when unknown)."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--"
    total = int(seconds + 0.5)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
