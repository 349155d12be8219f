"""Keys as an editor expects them, and a window that fits a 1280x720 screen."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from vfi_plugin.ui.app import MainWindow
from vfi_plugin.ui.settings import open_settings


def test_a_focused_button_takes_space_and_return(qtbot, make_clip, make_panel, open_clip):
    source = make_clip("keys.mp4", 96, 64, fps=10, frames=30)
    panel = make_panel()
    open_clip(panel, source)
    panel.activateWindow()
    qtbot.waitActive(panel)
    four = panel.preset_buttons[4]
    four.setFocus()
    qtbot.keyClick(four, Qt.Key.Key_Space)
    assert panel.factor() == 4 and not panel.is_playing()
    eight = panel.preset_buttons[8]
    eight.setFocus()
    qtbot.keyClick(eight, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.factor() == 8, timeout=2_000)
    assert not panel.is_playing()
    # in the timeline (no button focused) Space still plays and pauses
    panel.timeline.setFocus()
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Space)
    assert panel.is_playing()
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Space)
    assert not panel.is_playing()
    # and a line edit keeps its keys (Space types, Return ends the edit)
    panel.name_edit.setFocus()
    panel.name_edit.selectAll()
    qtbot.keyClicks(panel.name_edit, "a b")
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert panel.name_edit.text() == "a b.mp4" and not panel.is_playing()


def test_shift_arrows_step_one_second(qtbot, make_clip, make_panel, open_clip):
    source = make_clip("second.mp4", 96, 64, fps=12, frames=40)
    panel = make_panel()
    open_clip(panel, source)
    panel.set_playhead(5)
    panel.timeline.setFocus()
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert panel.playhead() == 17
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert panel.playhead() == 5
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Right)
    assert panel.playhead() == 6


def test_the_window_fits_a_1280x720_screen(qtbot):
    window = MainWindow(settings=open_settings())
    qtbot.addWidget(window, before_close_func=lambda w: w.panel.shutdown())
    window.show()
    qtbot.waitExposed(window)
    room = window.screen().availableGeometry()
    assert window.height() <= room.height() and window.width() <= room.width()
    # 1280 wide, its smallest height leaves a 1280x720 screen room for a title bar and a
    # task bar (the sections stand side by side)
    window.resize(1280, 600)
    qtbot.waitUntil(lambda: window.width() == 1280, timeout=2_000)
    QApplication.processEvents()
    assert window.minimumSizeHint().height() <= 720 - 80, window.minimumSizeHint()
    assert window.minimumSizeHint().width() <= 1280
