"""Helpers the farm tests share (a module of its own: `conftest` is a name every test
folder has, so importing from it depends on which one pytest loaded first)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def decoded(path: Path) -> list[np.ndarray]:
    from vfi_plugin.media import read_frames

    return list(read_frames(path))


def assert_same_frames(a: Path, b: Path) -> None:
    fa, fb = decoded(a), decoded(b)
    assert len(fa) == len(fb)
    bad = [i for i, (x, y) in enumerate(zip(fa, fb)) if not np.array_equal(x, y)]
    assert not bad, f"frames {bad} differ"


def write_list(folder: Path, clip: Path, *extra: dict) -> Path:
    """A queue list file: clip -> a.mkv, the ``extra`` clips, a missing input -> c.mkv."""
    path = folder / "queue.json"
    path.write_text(json.dumps({
        "defaults": {"audio": "stretch"},
        "clips": [{"input": str(clip), "output": "a.mkv"}, *extra,
                  {"input": "missing.mp4", "output": "c.mkv"}]}))
    return path
