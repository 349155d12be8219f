"""Segmented renders (issue 12) on a local Dask cluster and in one process: real ffmpeg, the
shipped model, FFV1 output compared frame by frame with a one-process render; progress,
cancel, nothing left behind."""
from __future__ import annotations

import pytest

from farm_support import assert_same_frames
from vfi_plugin import CancelToken, render
from vfi_plugin.errors import Cancelled
from vfi_plugin.media import probe


def test_local_cluster_equals_a_plain_render(tmp_path, farm_clip, reference, weights):
    """--workers 2: a LocalCluster of two worker processes, each loading the model."""
    out = tmp_path / "seg.mkv"
    seen = []
    result = render(farm_clip, out, factor=2, audio="stretch", device="cpu", workers=2,
                    segment_frames=3, progress=seen.append, weights=weights)
    assert result.frames == 23
    assert_same_frames(reference, out)
    assert probe(out).audio  # the audio went in at the assemble step
    assert [p.name for p in tmp_path.iterdir()] == ["seg.mkv"]  # job folder and temp gone
    assert seen[-1].stage == "done" and seen[-1].done == 23
    rendering = [p.done for p in seen if p.stage == "rendering"]
    assert rendering == sorted(rendering) and all(p.total == 23 for p in seen)


def test_cancel_leaves_nothing(tmp_path, farm_clip, interp1):
    """Segments in this process (--segment-frames alone), cancelled after the first frame."""
    token = CancelToken()

    def progress(p):
        if p.done >= 1:
            token.cancel()

    with pytest.raises(Cancelled):
        render(farm_clip, tmp_path / "out.mkv", factor=2, segment_frames=2, cancel=token,
               progress=progress, interpolator=interp1)
    assert list(tmp_path.iterdir()) == []
