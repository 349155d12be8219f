"""`vfi-slowmo queue LIST.json` (issue 12): several clips with their own settings; a clip
that fails fails alone; a summary per clip and overall; outputs equal one-process renders.
(The queue on a real Dask cluster, the clips' segments together: test_farm_dask.py.)"""
from __future__ import annotations

import pytest

from farm_support import assert_same_frames, write_list
from vfi_plugin.cli import main


def test_queue_here_without_a_cluster(tmp_path, capsys, farm_clip, reference, weights):
    listing = write_list(tmp_path, farm_clip)
    code = main(["queue", str(listing), "--segment-frames", "6", "--device", "cpu",
                 "--weights", str(weights), "-q"])
    assert code == 1
    assert "queue: 1 of 2 clips done, 23 frames" in capsys.readouterr().out
    assert_same_frames(reference, tmp_path / "a.mkv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mkv", "queue.json"]


def test_bad_list_files(tmp_path, capsys):
    bad = tmp_path / "q.json"
    for text, message in [
            ("{", "q.json: not a JSON list of clips"),
            ("[]", "q.json: expected a list of clips"),
            ('[{"input": "a.mp4", "output": "b.mkv", "speed": 2}]',
             "q.json: clip 1: unknown setting 'speed'"),
            ('[{"input": "a.mp4"}]', "q.json: clip 1 needs \"output\""),
    ]:
        bad.write_text(text)
        assert main(["queue", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert main(["queue", str(tmp_path / "none.json")]) == 2
    assert "none.json: no such list file" in capsys.readouterr().err


def test_cancel_leaves_nothing(tmp_path, farm_clip, weights):
    """Cancelled once frames flow: Cancelled, no output, job folder, lock or temporary file."""
    from vfi_plugin.errors import Cancelled
    from vfi_plugin.farm import FarmOptions
    from vfi_plugin.farm.queue import read_queue, run_queue

    requests = read_queue(write_list(tmp_path, farm_clip), device="cpu", weights=weights)
    done = [0]

    def progress(frames: int, total: int) -> None:
        assert total == 23  # the clip that can be rendered
        done[0] = frames

    with pytest.raises(Cancelled):
        run_queue(requests, FarmOptions(segment_frames=4), progress, cancel=lambda: done[0] > 0)
    assert [p.name for p in tmp_path.iterdir()] == ["queue.json"]
