"""Regenerate resources/sample/sample.mp4: a pan over a public-domain NASA photo
(scikit-image's `astronaut`) with a second photo (`coffee`, CC0) moving across it.

    .venv/bin/python tools/make_sample.py   # needs the dev extras (scikit-image)
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "resources" / "sample" / "sample.mp4"
W, H, FPS, FRAMES = 384, 216, Fraction(25), 50


def bilinear(img: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    y0 = np.clip(np.floor(ys).astype(int), 0, img.shape[0] - 2)
    x0 = np.clip(np.floor(xs).astype(int), 0, img.shape[1] - 2)
    fy = (ys - y0)[..., None]
    fx = (xs - x0)[..., None]
    a, b = img[y0, x0], img[y0, x0 + 1]
    c, d = img[y0 + 1, x0], img[y0 + 1, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def main() -> None:
    from skimage import data
    from vfi_plugin.media import FrameWriter

    bg = data.astronaut().astype(np.float32)
    fg = data.coffee().astype(np.float32)[::4, ::4]
    fh, fw = fg.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with FrameWriter(OUT, W, H, FPS, "h264") as writer:
        for i in range(FRAMES):
            zoom = 1.0 + 0.004 * i
            frame = bilinear(bg, 60 + 0.8 * i + yy / zoom, 20 + 2.2 * i + xx / zoom)
            cx, cy = 40 + 5.5 * i, 60 + 40 * np.sin(i / 9.0)
            angle = 0.03 * i
            u = (xx - cx) * np.cos(angle) + (yy - cy) * np.sin(angle)
            v = -(xx - cx) * np.sin(angle) + (yy - cy) * np.cos(angle)
            inside = (u / (fw * 0.35)) ** 2 + (v / (fh * 0.35)) ** 2 < 1
            patch = bilinear(fg, v + fh / 2, u + fw / 2)
            frame[inside] = patch[inside]
            writer.write(np.clip(frame, 0, 255).astype(np.uint8))


if __name__ == "__main__":
    main()
