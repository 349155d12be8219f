"""Traps an editor ran into with the panel (issue 14), each driven through the real
panel on a real Qt event loop: real clips, real core, real renders where it matters."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from vfi_plugin.ui import threads
from vfi_plugin.ui.app import MainWindow
from vfi_plugin.ui.settings import open_settings
from vfi_plugin.ui.timeline import HANDLE_W

RENDER_TIMEOUT_MS = 180_000


def answer_next_question(button_text: str, within_s: float = 20.0) -> list[str]:
    """Click ``button_text`` in the next modal QMessageBox; returns (once it has been
    shown) a list holding the box's text."""
    asked: list[str] = []
    tries = [int(within_s * 1000 / 20)]

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            for button in box.buttons():
                if button.text() == button_text:
                    asked.append(f"{box.text()} {box.informativeText()}")
                    button.click()
                    return
        tries[0] -= 1
        if tries[0] > 0:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return asked


def drop_file(widget, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


def qimage_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return data[:, : w * 3].reshape(h, w, 3)


def type_into(qtbot, edit, text: str, enter: bool = True) -> None:
    """Type over what a line edit holds, as a user does (Enter ends the edit)."""
    edit.setFocus()
    edit.selectAll()
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if enter:
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def render_and_wait(qtbot, panel) -> None:
    panel.render()
    qtbot.waitUntil(lambda: not panel.is_rendering(), timeout=RENDER_TIMEOUT_MS)


# 1 -------------------------------------------------------------------------------
def test_output_folder_is_kept_for_the_next_clip_and_restored_on_relaunch(
        qtbot, make_clip, make_panel, open_clip, tmp_path, monkeypatch):
    a = make_clip("a.mp4", 96, 64, fps=10, frames=6)
    b = make_clip("b.mp4", 96, 64, fps=10, frames=6)
    renders = tmp_path / "renders"
    renders.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(renders))

    first = make_panel()
    open_clip(first, a)
    assert first.output_path() == a.parent / "a_slowmo2x.mp4"  # next to the source at first
    qtbot.mouseClick(first.folder_button, Qt.MouseButton.LeftButton)
    assert first.output_path() == renders / "a_slowmo2x.mp4"
    open_clip(first, b)  # another clip: the chosen folder stays
    assert first.folder_edit.text() == str(renders)
    assert first.output_path() == renders / "b_slowmo2x.mp4"
    first.shutdown()

    second = make_panel()  # a relaunch
    assert second.folder_edit.text() == str(renders)
    open_clip(second, a)
    assert second.output_path() == renders / "a_slowmo2x.mp4"
    # emptied by the user: next to each source again, and that is remembered too
    type_into(qtbot, second.folder_edit, "")
    assert second.output_path() == a.parent / "a_slowmo2x.mp4"
    second.shutdown()
    assert make_panel().folder_edit.text() == ""


# 2 -------------------------------------------------------------------------------
def test_dragging_a_handle_shows_the_frame_under_it(
        qtbot, make_clip, make_panel, open_clip, index_of):
    source = make_clip("trim.mp4", 128, 72, fps=12, frames=24)
    panel = make_panel()
    open_clip(panel, source)
    qtbot.waitUntil(lambda: panel.proxy is not None, timeout=30_000)
    panel.set_playhead(2)
    shows = lambda frame: (panel.source_view.image() is not None  # noqa: E731
                           and panel.source_view.image() is panel.decoder.cached(frame))
    qtbot.waitUntil(lambda: shows(2), timeout=15_000)
    tl = panel.timeline
    y = round(tl.strip_rect().center().y())

    for handle, grab_x, target, frame in (
            ("out", lambda: tl.out_handle_x() + HANDLE_W / 2, lambda: tl.x_for_frame(16), 15),
            ("in", lambda: tl.in_handle_x() - HANDLE_W / 2, lambda: tl.x_for_frame(6), 6)):
        x0 = grab_x()
        x1 = target() + (x0 - (tl.out_handle_x() if handle == "out" else tl.in_handle_x()))
        QTest.mousePress(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(x0), y))
        for k in range(1, 6):
            QTest.mouseMove(tl, QPoint(round(x0 + (x1 - x0) * k / 5), y))
        assert tl.dragging == handle
        assert (tl.in_frame if handle == "in" else tl.out_frame) == frame
        # while the button is held, the viewer shows the frame under the handle
        qtbot.waitUntil(lambda: shows(frame), timeout=15_000)
        assert index_of(qimage_array(panel.source_view.image())) == frame
        assert handle in panel.source_view.caption()
        QTest.mouseRelease(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           QPoint(round(x1), y))
        # let go: back to the playhead, which the trim did not move
        assert panel.playhead() == 2
        qtbot.waitUntil(lambda: shows(2), timeout=15_000)
        assert panel.source_view.caption() == "Source"
    assert panel.range() == (6, 16)


# 3 -------------------------------------------------------------------------------
def test_quitting_during_a_render_asks_and_cancelling_leaves_nothing(
        qtbot, make_clip, open_clip):
    # 8x of 90 frames: 713 frames out, many seconds of work
    source = make_clip("quit.mp4", 96, 64, fps=25, frames=90)
    window = MainWindow(settings=open_settings())
    qtbot.addWidget(window, before_close_func=lambda w: w.panel.shutdown())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitActive(window)
    panel = window.panel
    open_clip(panel, source)
    panel.set_factor(8)
    reports = []
    panel.renderProgress.connect(reports.append)
    panel.render()
    qtbot.waitUntil(lambda: any(p.stage == "rendering" and p.done >= 2 for p in reports),
                    timeout=RENDER_TIMEOUT_MS)

    # Ctrl+Q, answered "Keep rendering": the window stays and the render goes on
    assert "Ctrl+Q" in [k.toString() for k in window.quit_action.shortcuts()]
    asked = answer_next_question("Keep rendering")
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert asked and "quit_slowmo8x.mp4" in asked[0]
    assert window.isVisible() and panel.is_rendering()
    seen = reports[-1].done
    qtbot.waitUntil(lambda: reports[-1].done > seen, timeout=RENDER_TIMEOUT_MS)

    # the window's close button, answered "Cancel render and quit": closed, nothing left
    asked = answer_next_question("Cancel render and quit")
    window.close()
    assert asked and not window.isVisible()
    assert threads.wait_all(15.0)
    assert sorted(p.name for p in source.parent.iterdir()) == ["quit.mp4"]


# 4 -------------------------------------------------------------------------------
def test_opening_another_clip_while_rendering_is_refused_with_a_reason(
        qtbot, make_clip, make_panel, open_clip):
    source = make_clip("busy.mp4", 96, 64, fps=25, frames=60)
    other = make_clip("other.mp4", 96, 64, fps=10, frames=8)
    panel = make_panel()
    open_clip(panel, source)
    panel.set_factor(8)
    panel.render()
    assert panel.is_rendering()
    assert not panel.open_button.isEnabled()

    with qtbot.waitSignal(panel.clipLoaded, timeout=2_000, raising=False) as blocker:
        panel.open_file(other)
    assert not blocker.signal_triggered
    text = panel.message()
    assert "busy.mp4" in text and "other.mp4" in text and "rendering" in text, text
    assert panel.message_kind() == "error"
    drop_file(panel, other)  # dropping is refused alike
    assert panel.info.path == source and panel.clip_name.text() == "busy.mp4"
    assert panel.is_rendering()

    with qtbot.waitSignal(panel.renderCancelled, timeout=30_000):
        panel.cancel_render()
    assert panel.open_button.isEnabled()
    open_clip(panel, other)  # once the render is over, it opens
    assert panel.clip_name.text() == "other.mp4"


# 5 -------------------------------------------------------------------------------
def test_a_new_clip_starts_without_the_previous_clips_state(
        qtbot, make_clip, make_panel, open_clip):
    first = make_clip("first.mp4", 96, 64, fps=8, frames=16)
    second = make_clip("second.mp4", 96, 64, fps=8, frames=16)
    panel = make_panel()
    open_clip(panel, first)
    qtbot.waitUntil(lambda: panel.proxy is not None, timeout=30_000)
    panel.set_factor(2)
    with qtbot.waitSignal(panel.previewReady, timeout=RENDER_TIMEOUT_MS):
        panel.start_preview()
    assert "looping" in panel.preview_status.text()
    render_and_wait(qtbot, panel)
    assert panel.progress_bar.text().startswith("Done")
    assert panel.reveal_button.isEnabled()
    panel.replace_check.setChecked(True)

    open_clip(panel, second)
    assert panel.preview_status.text() == ""
    assert panel.preview_button.text() == "Preview"
    assert panel.progress_bar.text() == "Ready" and panel.progress_bar.value() == 0
    assert panel.last_output is None and not panel.reveal_button.isEnabled()
    assert not panel.replace_check.isChecked()
    assert panel.output_path().name == "second_slowmo2x.mp4"


# 6 -------------------------------------------------------------------------------
def test_a_new_factor_unticks_replace_so_the_last_render_is_not_overwritten(
        qtbot, make_clip, make_panel, open_clip):
    source = make_clip("takes.mp4", 96, 64, fps=10, frames=12)
    panel = make_panel()
    open_clip(panel, source)
    type_into(qtbot, panel.name_edit, "final.mp4")
    qtbot.mouseClick(panel.replace_check, Qt.MouseButton.LeftButton)
    assert panel.replace_check.isChecked()
    render_and_wait(qtbot, panel)
    final = source.parent / "final.mp4"
    assert panel.last_output == final
    made = final.stat().st_mtime_ns, final.read_bytes()

    qtbot.mouseClick(panel.preset_buttons[4], Qt.MouseButton.LeftButton)
    assert not panel.replace_check.isChecked()
    assert "Replace" in panel.message() and "final.mp4" in panel.message()
    panel.render()  # refused: the 2x file is there and Replace is off
    assert not panel.is_rendering() and "already exists" in panel.message()
    assert (final.stat().st_mtime_ns, final.read_bytes()) == made


def test_a_name_without_extension_gets_the_formats(qtbot, make_clip, make_panel, open_clip):
    source = make_clip("bare.mp4", 96, 64, fps=10, frames=12)
    panel = make_panel()
    open_clip(panel, source)
    type_into(qtbot, panel.name_edit, "take", enter=False)
    render_and_wait(qtbot, panel)
    assert panel.message_kind() == "ok", panel.message()
    assert panel.last_output == source.parent / "take.mp4" and panel.last_output.is_file()
    assert panel.name_edit.text() == "take.mp4"


def test_an_extension_that_contradicts_the_format_is_fixed_in_view(
        qtbot, make_clip, make_panel, open_clip):
    source = make_clip("ext.mp4", 96, 64, fps=10, frames=12)
    panel = make_panel()
    open_clip(panel, source)
    panel.set_codec("prores")
    type_into(qtbot, panel.name_edit, "final.mp4")
    assert panel.name_edit.text() == "final.mov"
    assert "final.mov" in panel.message() and ".mov" in panel.message()
    panel.set_codec("h264")
    type_into(qtbot, panel.name_edit, "final.avi")
    assert panel.name_edit.text() == "final.mp4"
    type_into(qtbot, panel.name_edit, "take.v2")  # not an extension: kept, one is added
    assert panel.name_edit.text() == "take.v2.mp4"
    panel.set_codec("png")
    type_into(qtbot, panel.name_edit, "frames.mp4")
    assert panel.name_edit.text() == "frames"  # a folder of frames
    assert panel.output_path() == source.parent / "frames"


# 7 -------------------------------------------------------------------------------
def test_a_factor_out_of_range_is_clamped_with_a_message(qtbot, panel):
    spin = panel.factor_spin
    type_into(qtbot, spin.lineEdit(), "100")
    assert panel.factor() == 64.0
    assert "64" in panel.message() and "100" in panel.message()
    assert panel.message_kind() == "error"
    type_into(qtbot, spin.lineEdit(), "1")
    assert panel.factor() == pytest.approx(1.01)
    assert "more than 1" in panel.message()
    type_into(qtbot, spin.lineEdit(), "12.5")
    assert panel.factor() == 12.5


def test_tab_reaches_every_factor_button(qtbot, panel):
    panel.activateWindow()
    qtbot.waitActive(panel)

    def tab_chain() -> set:
        panel.open_button.setFocus()
        seen = set()
        for _ in range(40):
            widget = QApplication.focusWidget()
            seen.add(widget)
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
        return seen

    assert set(panel.preset_buttons.values()) <= tab_chain()
    qtbot.mouseClick(panel.preset_buttons[4], Qt.MouseButton.LeftButton)
    assert set(panel.preset_buttons.values()) <= tab_chain()
    assert panel.factor_spin in tab_chain()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xdg-open is the Linux way")
def test_reveal_says_when_no_file_manager_can_be_started(
        qtbot, make_clip, make_panel, open_clip, tmp_path, monkeypatch):
    source = make_clip("show.mp4", 96, 64, fps=10, frames=12)
    panel = make_panel()
    open_clip(panel, source)
    render_and_wait(qtbot, panel)
    output = panel.last_output
    assert output.is_file() and panel.reveal_button.isEnabled()

    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    assert panel.message_kind() == "error"
    assert "file manager" in panel.message() and str(output.parent) in panel.message()

    # with one on the PATH, it is started on the output's folder
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "opened.txt"
    opener = bin_dir / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{record}"\n')
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    panel.show_message("")
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(record.exists, timeout=10_000)
    assert record.read_text() == str(output.parent)
    assert panel.message_kind() != "error"


def test_the_first_seconds_of_a_render_say_the_model_is_loading(
        qtbot, make_clip, make_panel, open_clip):
    source = make_clip("load.mp4", 96, 64, fps=10, frames=12)
    panel = make_panel()
    open_clip(panel, source)
    texts = []
    panel.renderProgress.connect(
        lambda p: texts.append((p.stage, p.done, panel.progress_bar.text())))
    panel.render()
    assert "loading the model" in panel.progress_bar.text().lower()
    qtbot.waitUntil(lambda: not panel.is_rendering(), timeout=RENDER_TIMEOUT_MS)
    # the worker's report before the model loads (the job's own, after it, says Preparing)
    assert texts[0][:2] == ("preparing", 0) and "loading the model" in texts[0][2].lower(), texts
    assert panel.message_kind() == "ok"
    # once loaded, the next render does not claim to load it again
    panel.render()
    assert panel.progress_bar.text() == "Preparing\u2026"
    qtbot.waitUntil(lambda: not panel.is_rendering(), timeout=RENDER_TIMEOUT_MS)
