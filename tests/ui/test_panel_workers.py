"""The panel's workers: shut down by the panel itself when it is destroyed or the app
quits (a host cannot forget to), one plan per render, stale reports dropped."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from shiboken6 import Shiboken

import vfi_plugin.jobs as jobs
from vfi_plugin.ui import threads
from vfi_plugin.ui.panel import SlowMoPanel

RENDER_TIMEOUT_MS = 180_000


def leftovers(folder: Path, source: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p != source)


def start_a_long_render(qtbot, panel, open_clip, source: Path) -> None:
    open_clip(panel, source)
    panel.set_factor(8)
    with qtbot.waitSignal(panel.renderProgress, timeout=RENDER_TIMEOUT_MS):
        panel.render()
    assert panel.is_rendering()


def test_a_destroyed_panel_stops_its_render_and_leaves_nothing(qtbot, make_clip, open_clip):
    source = make_clip("gone.mp4", 96, 64, fps=10, frames=60)
    panel = SlowMoPanel()
    panel.show()
    start_a_long_render(qtbot, panel, open_clip, source)
    Shiboken.delete(panel)  # as a host deleting its pane, without calling shutdown()
    assert threads.wait_all(30.0)
    assert threads.running_threads() == 0
    assert leftovers(source.parent, source) == []


def test_quitting_the_application_shuts_the_panel_down(qtbot, make_clip, make_panel,
                                                       open_clip):
    source = make_clip("quit.mp4", 96, 64, fps=10, frames=60)
    panel = make_panel()
    start_a_long_render(qtbot, panel, open_clip, source)
    QCoreApplication.instance().aboutToQuit.emit()
    assert panel.closed
    assert threads.wait_all(30.0)
    assert leftovers(source.parent, source) == []


def test_a_render_probes_the_source_and_tries_the_folder_once(
        qtbot, make_clip, make_panel, open_clip, monkeypatch):
    source = make_clip("once.mp4", 96, 64, fps=10, frames=8)
    panel = make_panel()
    open_clip(panel, source)
    probed, tried = [], []
    real_probe, real_touch = jobs.probe, Path.touch

    def counting_probe(path, *args, **kw):
        probed.append(Path(path))
        return real_probe(path, *args, **kw)

    def counting_touch(self, *args, **kw):
        if "write-test" in self.name:
            tried.append(self)
        return real_touch(self, *args, **kw)

    monkeypatch.setattr(jobs, "probe", counting_probe)
    monkeypatch.setattr(Path, "touch", counting_touch)
    with qtbot.waitSignal(panel.renderFinished, timeout=RENDER_TIMEOUT_MS) as done:
        panel.render()
    assert done.args[0].frames == 15
    assert probed == [source]
    assert len(tried) == 1


def test_a_replaced_workers_reports_are_dropped(qtbot, make_clip, make_panel):
    """Opening a second clip before the first is probed: only the second one loads."""
    first = make_clip("first.mp4", 96, 64, fps=10, frames=6)
    second = make_clip("second.mp4", 96, 64, fps=10, frames=8)
    panel = make_panel()
    loaded = []
    panel.clipLoaded.connect(lambda info: loaded.append(info.path))
    panel.open_file(first)
    slot = panel.loader.probe
    replaced = slot.worker
    panel.open_file(second)
    assert slot.worker is not replaced
    qtbot.waitUntil(lambda: bool(loaded), timeout=30_000)
    threads.wait_for(replaced, 10.0)
    qtbot.wait(100)  # the first probe's queued report, if any, has been dispatched
    assert loaded == [second] and panel.info.path == second


@pytest.mark.parametrize("signal", ["finished", "failed"])
def test_worker_slot_empties_before_the_handler_runs(qtbot, signal):
    class Echo(threads.Worker):
        def work(self):
            if signal == "failed":
                raise ValueError("no")
            return 7

    owner = QCoreApplication.instance()
    slot = threads.WorkerSlot(owner)
    heard = []
    slot.start(Echo(), **{signal: lambda value: heard.append((slot.busy, value))})
    qtbot.waitUntil(lambda: bool(heard), timeout=10_000)
    assert heard[0][0] is False
    assert threads.wait_all(5.0)


def test_the_done_message_says_what_the_output_could_not_keep(qtbot, make_panel, open_clip,
                                                              tmp_path):
    import subprocess

    source = tmp_path / "reel" / "tape.mov"
    source.parent.mkdir()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=96x64:r=10", "-frames:v", "6", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-timecode", "01:00:00:00",
                    "-metadata:s:v:0", "reel_name=A001C003", str(source)],
                   check=True, timeout=60)
    panel = make_panel()
    open_clip(panel, source)
    assert panel.codec() == "h264" and panel.output_path().suffix == ".mp4"
    with qtbot.waitSignal(panel.renderFinished, timeout=RENDER_TIMEOUT_MS):
        panel.render()
    message = panel.message()
    assert message.startswith("Done: tape_slowmo2x.mp4"), message
    assert "MP4 carry no reel name: A001C003 is not kept" in message, message
    assert str(source) not in message


def test_an_interlaced_clip_renders_the_fields_of_the_marked_frames(qtbot, make_panel,
                                                                    open_clip, tmp_path):
    """25i: the range is marked in frames; the core renders their fields at 50 per second,
    and the summary says so before the render."""
    import subprocess

    import numpy as np

    moments = b"".join(np.full((64, 96, 3), 10 * t, np.uint8).tobytes() for t in range(24))
    source = tmp_path / "fields" / "i.mp4"
    source.parent.mkdir()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-s", "96x64", "-framerate", "50", "-i", "pipe:",
                    "-vf", "tinterlace=mode=interleave_top,fieldorder=tff", "-c:v", "libx264",
                    "-flags", "+ilme+ildct", "-x264opts", "tff=1", str(source)],
                   input=moments, check=True, timeout=60)
    panel = make_panel()
    info = open_clip(panel, source)
    assert info.interlaced and info.frame_count == 12
    panel.set_range(2, 7)  # 6 frames: 12 fields
    panel.set_factor(2)
    assert panel.output_frame_count() == 23  # (12 - 1) * 2 + 1, at 50 fps
    assert "50 fps" in panel.result_detail.text() and "12 fields" in panel.result_detail.text()
    request = panel.render_request()
    assert (request.start, request.end) == ("4f", "16f")  # fields 4 to 15
    with qtbot.waitSignal(panel.renderFinished, timeout=RENDER_TIMEOUT_MS) as done:
        panel.render()
    assert done.args[0].frames == 23 and done.args[0].fps == 50


def test_a_render_stops_a_running_preview_and_resets_its_button(qtbot, make_clip, make_panel,
                                                                 open_clip):
    source = make_clip("both.mp4", 96, 64, fps=10, frames=12)
    panel = make_panel()
    open_clip(panel, source)
    panel.start_preview()
    assert panel.preview_button.text() == "Stop" and panel.preview.slot.busy
    with qtbot.waitSignal(panel.renderFinished, timeout=RENDER_TIMEOUT_MS):
        panel.render()
        assert not panel.preview.slot.busy and panel.preview_button.text() == "Preview"
    assert panel.preview_button.text() == "Preview" and panel.preview_status.text() == ""
