"""The panel without rendering: opening clips (method, drop, host), facts, filmstrip,
viewer, names, messages, settings."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from vfi_plugin.ui.panel import SlowMoPanel
from vfi_plugin.ui.settings import open_settings, recent_files, settings_path
from vfi_plugin.ui.threads import describe_error

from vfi_plugin.host import ClipSelection


def drop_files(widget, paths: list[Path]) -> tuple[bool, bool]:
    """Drag ``paths`` over ``widget`` and drop them (as a file manager would)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_open_shows_facts_filmstrip_and_the_playhead_frame(qtbot, make_clip, panel, open_clip):
    source = make_clip("facts.mp4", 160, 96, fps=25, frames=30)
    info = open_clip(panel, source)
    assert panel.clip_name.text() == "facts.mp4"
    facts = panel.clip_facts.text()
    for part in ("160\u00d796", "25 fps", "00:00:01:05", "30 frames", "H264"):
        assert part in facts, (part, facts)
    assert panel.timeline.frame_count == 30 and panel.range() == (0, 30)
    assert panel.timecode_label.text() == "00:00:00:00"
    # filmstrip from the proxy, made in a worker
    qtbot.waitUntil(lambda: len(panel.timeline.thumbnails()) > 0, timeout=30_000)
    assert panel.proxy is not None and panel.proxy.is_file()
    assert panel.proxy.parent != source.parent  # the cache, never beside the source
    # the viewer shows the frame under the playhead
    panel.set_playhead(17)
    assert panel.timecode_label.text() == "00:00:00:17"
    qtbot.waitUntil(lambda: panel.source_view.image() is not None
                    and panel.decoder.cached(17) is panel.source_view.image(), timeout=15_000)
    assert panel.source_view.image().width() == 160
    assert info.frame_count == 30


def test_space_plays_and_pauses(qtbot, make_clip, panel, open_clip):
    source = make_clip("play.mp4", 96, 64, fps=25, frames=40)
    open_clip(panel, source)
    panel.timeline.setFocus()
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Space)
    assert panel.is_playing()
    qtbot.waitUntil(lambda: panel.playhead() >= 5, timeout=10_000)
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Space)
    assert not panel.is_playing()
    stopped = panel.playhead()
    qtbot.wait(200)
    assert panel.playhead() == stopped


def test_drop_opens_the_clip(qtbot, make_clip, panel):
    source = make_clip("dropped.mp4", 96, 64, fps=10, frames=12)
    with qtbot.waitSignal(panel.clipLoaded, timeout=30_000) as blocker:
        accepted = drop_files(panel, [source])
    assert accepted == (True, True)
    assert blocker.args[0].path == source
    assert panel.clip_name.text() == "dropped.mp4"


def test_drop_of_something_that_is_not_a_file_is_refused(qtbot, panel):
    mime = QMimeData()
    mime.setText("just text")
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()


def test_non_video_file_gets_a_plain_message(qtbot, tmp_path, panel):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video at all\n" * 20)
    with qtbot.waitSignal(panel.clipFailed, timeout=30_000) as blocker:
        panel.open_file(notes)
    message = blocker.args[0]
    assert "notes.txt" in message and "not a video file" in message
    assert panel.status_label.text() == message
    assert panel.message_kind() == "error"
    assert "Traceback" not in message and "\n" not in message
    assert panel.info is None and not panel.render_button.isEnabled()


def test_a_failed_open_keeps_the_clip_that_was_loaded(qtbot, make_clip, tmp_path, panel, open_clip):
    source = make_clip("good.mp4", 96, 64, fps=10, frames=12)
    open_clip(panel, source)
    with qtbot.waitSignal(panel.clipFailed, timeout=30_000):
        panel.open_file(tmp_path / "missing.mov")
    assert "no such file" in panel.message()
    assert panel.info.path == source and panel.render_button.isEnabled()


def test_use_host_clip_takes_its_range(qtbot, make_clip, make_panel, recording_host):
    source = make_clip("hosted.mp4", 96, 64, fps=10, frames=20)
    host = recording_host(ClipSelection(source, 4, 12, name="Shot 12", extra={"strip": "A1"}))
    panel = make_panel(host)
    assert panel.host_button.isVisible() and "TestEdit" in panel.host_button.text()
    with qtbot.waitSignal(panel.clipLoaded, timeout=30_000):
        qtbot.mouseClick(panel.host_button, Qt.MouseButton.LeftButton)
    assert panel.range() == (4, 12)
    assert panel.playhead() == 4
    request = panel.renderer.import_request(type("R", (), {"output": Path("x.mp4"), "frames": 15,
                                                   "fps": 10})())
    assert request.selection.extra == {"strip": "A1"} and request.selection.name == "Shot 12"


def test_use_host_clip_without_a_selection_says_so(qtbot, make_panel, recording_host):
    panel = make_panel(recording_host(None))
    panel.use_host_clip()
    assert panel.message() == "No clip is selected in TestEdit: select one there first."
    assert panel.message_kind() == "error"


def test_output_name_defaults_next_to_the_source_and_never_clashes(
        qtbot, make_clip, panel, open_clip):
    source = make_clip("shot.mov", 96, 64, fps=10, frames=12)
    open_clip(panel, source)
    assert panel.output_path() == source.parent / "shot_slowmo2x.mp4"
    panel.set_factor(4)
    assert panel.output_path().name == "shot_slowmo4x.mp4"
    panel.set_mode("smooth")
    assert panel.output_path().name == "shot_smooth4x.mp4"
    panel.set_codec("prores")
    assert panel.output_path().name == "shot_smooth4x.mov"
    (source.parent / "shot_smooth4x.mov").write_bytes(b"x")
    panel.set_factor(2.5)
    panel.set_factor(4)
    assert panel.output_path().name == "shot_smooth4x_2.mov"
    panel.set_codec("png")
    assert panel.output_path().name == "shot_smooth4x"  # a folder of frames
    # a name typed by the user is kept (only its extension follows the format)
    panel.set_output_name("final.mkv")
    panel.set_codec("h264")
    panel.set_factor(8)
    assert panel.output_path().name == "final.mp4"
    assert panel.output_path() != source


def test_live_summary_follows_range_factor_and_mode(qtbot, make_clip, panel, open_clip):
    source = make_clip("sum.mp4", 96, 64, fps=10, frames=20)
    open_clip(panel, source)
    panel.set_range(0, 9)  # 10 frames
    panel.set_factor(4)
    assert panel.output_frame_count() == 37
    assert panel.result_label.text().startswith("37 frames")
    assert "00:00:03:07" in panel.result_label.text()
    panel.set_mode("smooth")
    assert panel.output_frame_count() == 40
    assert "40 fps" in panel.result_detail.text()
    panel.set_factor(2.5)
    assert panel.output_frame_count() == 25
    assert panel.preset_buttons[2].isChecked() is False
    panel.set_factor(8)
    assert panel.preset_buttons[8].isChecked()


def test_settings_persist_between_panels(qtbot, make_panel, ui_env):
    first = make_panel()
    qtbot.mouseClick(first.preset_buttons[8], Qt.MouseButton.LeftButton)
    first.set_mode("smooth")
    first.set_codec("prores")
    first.set_audio("stretch")
    first.set_device("cpu")
    first.shutdown()
    assert settings_path().parent == ui_env and settings_path().is_file()
    text = settings_path().read_text()
    assert "prores" in text and "smooth" in text

    second = make_panel()
    assert second.factor() == 8.0 and second.preset_buttons[8].isChecked()
    assert second.mode() == "smooth"
    assert second.codec() == "prores"
    assert second.audio() == "stretch"
    assert second.device() == "cpu"


def test_recent_files_and_last_folder_are_remembered(qtbot, make_clip, panel, open_clip):
    a = make_clip("a.mp4", 96, 64, fps=10, frames=6)
    b = make_clip("b.mp4", 96, 64, fps=10, frames=6)
    open_clip(panel, a)
    open_clip(panel, b)
    settings = open_settings()
    assert recent_files(settings)[:2] == [str(b.resolve()), str(a.resolve())]
    assert settings.value("paths/last_folder") == str(b.parent.resolve())


def test_unexpected_errors_are_summarized_in_one_line():
    try:
        {}["frames"]
    except KeyError as exc:
        text = describe_error(exc)
    assert text.startswith("Unexpected error (KeyError") and "\n" not in text
    assert "Traceback" not in text


def test_panel_embeds_in_a_plain_widget(qtbot, recording_host):
    """No QMainWindow needed: the panel lives in any host layout."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    host_window = QWidget()
    qtbot.addWidget(host_window)
    layout = QVBoxLayout(host_window)
    panel = SlowMoPanel(recording_host(), host_window)
    layout.addWidget(panel)
    host_window.resize(900, 700)
    host_window.show()
    qtbot.waitExposed(host_window)
    assert panel.isVisible() and panel.window() is host_window
    assert QApplication.instance().styleSheet() == ""  # no global state touched
    panel.shutdown()


def test_host_image_sequence_opens_at_the_hosts_rate(qtbot, tmp_path, make_panel, recording_host):
    """A Nuke-style Read of shot.%04d.png (frames 1001-1012) at 25 fps: the panel reads it
    as a 12-frame clip at 25 fps, makes its filmstrip, and renders with that rate."""
    import subprocess

    import numpy as np

    folder = tmp_path / "plate"
    folder.mkdir()
    data = b"".join(np.full((48, 64, 3), 20 * i, np.uint8).tobytes() for i in range(12))
    subprocess.run(["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x48",
                    "-i", "pipe:", "-start_number", "1001", str(folder / "shot.%04d.png")],
                   input=data, check=True, timeout=60)
    host = recording_host(ClipSelection(folder / "shot.%04d.png", 0, 12, Fraction(25),
                                        name="Read1"))
    panel = make_panel(host)
    with qtbot.waitSignal(panel.clipLoaded, timeout=30_000):
        qtbot.mouseClick(panel.host_button, Qt.MouseButton.LeftButton)
    assert panel.info.fps == 25 and panel.info.frame_count == 12
    assert panel.render_request().fps == 25
    qtbot.waitUntil(lambda: len(panel.timeline.thumbnails()) > 0, timeout=30_000)
