"""The fixed train/eval split of the real videos (a constant, recorded in the manifest)."""
from __future__ import annotations

from typing import Literal

Split = Literal["train", "eval"]

#: (file in videos/, start fraction, end fraction) of each clip, by frame index.
#: Frame ranges are [floor(start * n), floor(end * n)); eval frames are never trained on.
SPLIT: dict[str, tuple[tuple[str, float, float], ...]] = {
    "train": (("bikes.mp4", 0.0, 0.5), ("vtest.avi", 0.0, 1.0)),
    "eval": (("bikes.mp4", 0.5, 1.0), ("box.mp4", 0.0, 1.0), ("tree.avi", 0.0, 1.0),
             # larger motion: a hand swinging a cup (real, 640x480, ~10-40 px between t-1
             # and t+1) and a 1280x720 excerpt of the rendered open movie Big Buck Bunny
             ("cup.mp4", 0.0, 1.0), ("bigbuckbunny.mp4", 0.0, 1.0)),
}


#: Photos (file names in photos/) held out of training for benchmarks/motion.py: its
#: scenes are built from these only, and the training PhotoBank never loads them.
EVAL_PHOTOS: tuple[str, ...] = (
    "plasma-workspace-wallpapers__FallenLeaf.jpg",   # leaves, sharp and out of focus
    "mate-backgrounds__mate_nature_GreenMeadow.jpg",  # grass: fine, repetitive texture
    "lomiri-wallpapers-16.04__Bridge_by_Sander_Klootwijk.jpg",  # sky and thin cables
    "skimage__coffee.png",
)


def frame_range(start: float, end: float, n_frames: int) -> tuple[int, int]:
    """[first, stop) frame indices of a split entry in a video of `n_frames` frames."""
    return int(start * n_frames), int(end * n_frames)


def split_as_json() -> dict[str, list[dict[str, object]]]:
    """SPLIT in the form stored in manifest.json."""
    out: dict[str, list[dict[str, object]]] = {
        name: [{"file": f, "start_fraction": a, "end_fraction": b} for f, a, b in clips]
        for name, clips in SPLIT.items()}
    out["eval_photos"] = [{"file": f} for f in EVAL_PHOTOS]
    return out
