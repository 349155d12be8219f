"""Real-video training windows: decoding, scene cuts and the VideoWindows dataset."""
from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from .synthetic import IndexedSamples

from .split import SPLIT, Split, frame_range

WINDOW = (-3, -1, 1, 3)   # source-frame offsets of I1..I4 around the target frame t
MAX_WIDTH = 640           # decoded videos are downscaled to at most this width
CUT_RATIO = 3.0           # a cut: diff > CUT_RATIO * local median diff ...
CUT_MIN_DIFF = 0.04       # ... and > this mean absolute difference (0..1 units)
CUT_WINDOW = 12           # local median over +-CUT_WINDOW frame differences


@dataclass
class Clip:
    """Decoded frames [N, H, W, 3] uint8 of one split entry, frames[0] being source frame
    `first` of `name`; `cuts` are local indices i where a new shot starts at frames[i]."""

    name: str
    frames: np.ndarray
    first: int
    cuts: list[int]


def _ffmpeg_decode(path: Path, max_width: int) -> np.ndarray:
    """All frames of `path` as [N, H, W, 3] uint8 via an ffmpeg pipe (downscaled)."""
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if not ffmpeg or not ffprobe:
        raise FileNotFoundError("ffmpeg/ffprobe not found on PATH (apt-get install ffmpeg)")
    probe = subprocess.run([ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0:s=x", str(path)],
                           capture_output=True, text=True, check=True)
    w, h = (int(v) for v in probe.stdout.strip().splitlines()[0].split("x")[:2])
    if w > max_width:
        w, h = max_width, max(2, int(round(h * max_width / w / 2)) * 2)
    p = subprocess.run([ffmpeg, "-v", "error", "-nostdin", "-i", str(path), "-fps_mode",
                        "passthrough", "-vf", f"scale={w}:{h}:flags=area", "-f", "rawvideo",
                        "-pix_fmt", "rgb24", "-"], capture_output=True, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"{path}: ffmpeg failed: {p.stderr.decode(errors='replace')[-300:]}")
    n = len(p.stdout) // (w * h * 3)
    return np.frombuffer(p.stdout, dtype=np.uint8, count=n * w * h * 3).reshape(n, h, w, 3)


def _media_decode(path: Path, start: float, end: float, max_width: int
                  ) -> tuple[np.ndarray, int] | None:
    """(frames, first index) of the [start, end) fraction via vfi_plugin.media, or None
    when that package is unavailable or fails."""
    try:
        try:
            from vfi_plugin.media import probe, read_frames  # type: ignore[attr-defined]
        except ImportError:
            from vfi_plugin.media.decode import read_frames
            from vfi_plugin.media.probe import probe
    except Exception:  # the media package is not there (yet) or does not import
        return None
    try:
        info = probe(path)
        w, h = info.display_size
        size = None
        if w > max_width:
            size = (max_width, max(2, int(round(h * max_width / w / 2)) * 2))
        a, b = frame_range(start, end, info.frame_count)
        arr = np.stack([np.asarray(f) for f in read_frames(path, a, b, size=size, info=info)])
        if arr.ndim != 4 or arr.shape[-1] != 3 or arr.dtype != np.uint8:
            raise ValueError(f"unexpected frames {arr.shape} {arr.dtype}")
        return arr, a
    except Exception as e:  # fall back to the plain pipe, but say so
        warnings.warn(f"vfi_plugin.media could not decode {path} ({e}); using ffmpeg directly")
        return None


def read_video_range(path: str | os.PathLike[str], start: float = 0.0, end: float = 1.0,
                     max_width: int = MAX_WIDTH) -> tuple[np.ndarray, int]:
    """(frames [N, H, W, 3] uint8, index of frames[0] in the video) of the [start, end)
    fraction (by frame index) of a video, downscaled to at most `max_width` wide.
    Uses vfi_plugin.media when present, else an ffmpeg pipe."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing; run `python -m vfi_plugin.train.data.fetch`")
    got = _media_decode(path, start, end, max_width)
    if got is None:
        full = _ffmpeg_decode(path, max_width)
        a, b = frame_range(start, end, len(full))
        got = full[a:b], a
    return drop_repeats(got[0]), got[1]


def drop_repeats(frames: np.ndarray) -> np.ndarray:
    """Frames without exact repeats of the previous one (constant-rate decoding of a
    variable-rate file, e.g. tree.avi, repeats frames; a repeat carries no motion)."""
    if len(frames) < 2:
        return np.ascontiguousarray(frames)
    keep = [0] + [i for i in range(1, len(frames)) if not np.array_equal(frames[i], frames[i - 1])]
    if len(keep) == len(frames):
        return np.ascontiguousarray(frames)
    return np.ascontiguousarray(frames[keep])


def read_video(path: str | os.PathLike[str], start: float = 0.0, end: float = 1.0,
               max_width: int = MAX_WIDTH) -> np.ndarray:
    """Frames [N, H, W, 3] uint8 of the [start, end) fraction of a video (see read_video_range)."""
    return read_video_range(path, start, end, max_width)[0]


def scene_cuts(frames: np.ndarray | torch.Tensor | Sequence[np.ndarray],
               ratio: float = CUT_RATIO, min_diff: float = CUT_MIN_DIFF) -> list[int]:
    """Indices i where a new shot starts (a cut between frames i-1 and i).

    frames: [N, H, W, 3] (or a list of HxWx3), uint8 or float in [0, 1]. A cut is where the
    mean absolute difference of consecutive (downsampled, grey) frames exceeds `ratio`
    times the median of the neighbouring differences and `min_diff`.
    """
    if isinstance(frames, torch.Tensor):
        frames = frames.detach().cpu().numpy()
    if not isinstance(frames, np.ndarray):
        frames = np.stack([np.asarray(f) for f in frames]) if len(frames) else np.zeros((0, 1, 1, 3))
    if len(frames) < 2:
        return []
    step = max(1, frames.shape[2] // 96)
    g = frames[:, ::step, ::step].astype(np.float32).mean(-1)
    if frames.dtype == np.uint8:
        g /= 255.0
    d = np.abs(np.diff(g, axis=0)).mean((1, 2))  # d[i - 1]: between frames i-1 and i
    cuts = []
    for j, v in enumerate(d):
        if v <= min_diff:
            continue
        near = np.concatenate([d[max(0, j - CUT_WINDOW):j], d[j + 1:j + 1 + CUT_WINDOW]])
        med = float(np.median(near)) if len(near) else 0.0
        if v > ratio * med:
            cuts.append(j + 1)
    return cuts


def load_clips(videos_dir: str | os.PathLike[str], split: Split = "train",
               max_width: int = MAX_WIDTH) -> list[Clip]:
    """Decode the clips of a split (see split.SPLIT) with their scene cuts."""
    clips = []
    for name, a, b in SPLIT[split]:
        frames, first = read_video_range(Path(videos_dir) / name, a, b, max_width)
        clips.append(Clip(name, frames, first, scene_cuts(frames)))
    return clips


def valid_centers(clip: Clip, window: Sequence[int] = WINDOW) -> np.ndarray:
    """Target frames t whose window t + window lies inside the clip with no cut in it."""
    lo, hi = -min(window), max(window)
    n = len(clip.frames)
    ts = np.arange(lo, n - hi)
    if clip.cuts and len(ts):
        cut = np.zeros(n + 1, dtype=np.int64)
        cut[np.asarray(clip.cuts)] = 1
        c = np.cumsum(cut)  # c[i] = number of cuts at indices <= i
        ts = ts[c[ts + hi] - c[ts - lo] == 0]  # no cut at indices in (t - lo, t + hi]
    return ts


class VideoWindows(IndexedSamples):
    """Endless random windows of the TRAIN videos: frames t-3, t-1, t+1, t+3 as I1..I4
    and frame t as the target, random `patch` crops, h/v flips and time reversal;
    windows across scene cuts are skipped. Yields {"frames": [4, 3, P, P],
    "target": [3, P, P]} float32 in [0, 1]; sample i depends only on (seed, i)."""

    def __init__(self, videos_dir: str | os.PathLike[str] | None, patch: int = 128, seed: int = 0,
                 *, split: Split = "train", max_width: int = MAX_WIDTH, flip: bool = True,
                 reverse: bool = True, start: int = 0, clips: Sequence[Clip] | None = None) -> None:
        super().__init__()
        self.patch = int(patch)
        self.seed = int(seed)
        self.flip, self.reverse = flip, reverse
        self.start = int(start)
        all_clips = list(clips) if clips is not None else load_clips(videos_dir, split, max_width)
        self.clips: list[Clip] = []
        self.centers: list[np.ndarray] = []
        for c in all_clips:
            ts = valid_centers(c)
            if len(ts) and min(c.frames.shape[1:3]) >= self.patch:
                self.clips.append(c)
                self.centers.append(ts)
        if not self.clips:
            raise ValueError(f"no usable {patch}px windows in {[c.name for c in all_clips]}")

    def sample(self, index: int) -> dict[str, torch.Tensor]:
        """Window `index` (deterministic in seed and index). Clips are equally likely."""
        rng = np.random.default_rng([self.seed, int(index), 1])
        k = int(rng.integers(len(self.clips)))
        clip, ts = self.clips[k], self.centers[k]
        t = int(ts[rng.integers(len(ts))])
        _, h, w, _ = clip.frames.shape
        p = self.patch
        y, x = int(rng.integers(h - p + 1)), int(rng.integers(w - p + 1))
        idx = [t + o for o in WINDOW] + [t]
        crop = torch.from_numpy(np.ascontiguousarray(clip.frames[idx, y:y + p, x:x + p]))
        out = crop.permute(0, 3, 1, 2).float().div_(255.0)
        hflip, vflip, rev = rng.random() < 0.5, rng.random() < 0.5, rng.random() < 0.5
        dims = [d for d, f in ((-1, hflip and self.flip), (-2, vflip and self.flip)) if f]
        if dims:
            out = out.flip(dims)
        frames = out[:4]
        if rev and self.reverse:
            frames = frames.flip(0)
        return {"frames": frames.contiguous(), "target": out[4].contiguous()}
