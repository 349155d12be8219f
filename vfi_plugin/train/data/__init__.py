"""Training data: fetch/prepare (fetch.py), synthetic motion with exact ground truth
(synthetic.py), real-video windows and scene cuts (video.py), their mix (loader.py),
the fixed train/eval split of the videos (split.py) and a classical measure of how far
content moves between two frames (displacement.py). Dev only.

Names are imported lazily, so ``python -m vfi_plugin.train.data.fetch`` needs no torch.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "data_dir": "fetch", "fetch": "fetch",
    "MixedSource": "loader", "mixed_loader": "loader",
    "SPLIT": "split", "frame_range": "split",
    "PhotoBank": "synthetic", "Scene": "synthetic", "SyntheticMotion": "synthetic",
    "render_scene": "synthetic",
    "Clip": "video", "VideoWindows": "video", "load_clips": "video", "read_video": "video",
    "scene_cuts": "video", "valid_centers": "video",
    "measured_displacement": "displacement", "motion_field": "displacement",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
