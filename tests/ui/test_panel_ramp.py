"""Speed ramps in the panel: the Constant / Ramp choice and presets, the ramp lane's mouse
and keys, the summary and request, a preview that follows the curve, and a render that
equals the API's render of the same ramp."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from test_editor_traps import qimage_array
from vfi_plugin import render
from vfi_plugin.engine import Ramp, RampKey
from vfi_plugin.engine.ramp import MIN_SPEED
from vfi_plugin.media import probe, read_frames
from vfi_plugin.ui.app import MainWindow
from vfi_plugin.ui.settings import open_settings

RENDER_TIMEOUT_MS = 180_000
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def at(lane, seconds: float, speed: float) -> QPoint:
    return QPoint(round(lane.x_for_time(seconds)), round(lane.y_for_speed(speed)))


def click_menu(menu, text: str) -> None:
    """Click the entry ``text`` of an open menu with the mouse."""
    action = next(a for a in menu.actions() if a.text() == text)
    QTest.mouseClick(menu, LEFT, NO_MOD, menu.actionGeometry(action).center())


def choose_preset(qtbot, panel, text: str) -> None:
    """Open the Ramp presets menu with a click and click ``text`` in it (the menu runs its
    own event loop until then)."""
    button = panel.ramp_presets
    menu = button.menu()
    clicked = []

    def click_when_shown() -> None:
        if not menu.isVisible():
            QTimer.singleShot(20, click_when_shown)
            return
        click_menu(menu, text)
        clicked.append(text)

    QTimer.singleShot(20, click_when_shown)
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: clicked and not menu.isVisible(), timeout=5_000)


def assert_in_state(panel) -> None:
    """The lane, the state and the summary agree."""
    keys = panel.ramp_lane.keys()
    assert panel.state.ramp == keys
    summary = panel.state.summary()
    assert panel.result_label.text() == summary.result_text
    if keys:
        ramp = Ramp(keys, panel.info.fps, *(lambda s, e: (s, e - s))(*panel.range()))
        assert panel.output_frame_count() == ramp.frame_count()


@pytest.fixture
def ramp_panel(qtbot, make_clip, make_panel, open_clip):
    source = make_clip("ramp.mp4", 96, 64, fps=12, frames=24)
    panel = make_panel()
    open_clip(panel, source)
    return panel


def test_ramp_choice_presets_summary_name_and_request(qtbot, ramp_panel):
    panel = ramp_panel
    panel.set_range(2, 21)
    panel.set_factor(4)
    panel.set_mode("smooth")
    assert not panel.ramp_lane.isVisible() and not panel.ramp_presets.isVisible()
    qtbot.mouseClick(panel.speed_ramp, LEFT)
    # Ramp: the lane shows a first ramp (ease in-out down to the factor), in slow motion
    assert panel.ramp_lane.isVisible() and panel.ramp_presets.isVisible()
    assert panel.speed_ramp.isChecked() and not panel.speed_constant.isChecked()
    assert panel.mode() == "slowmo" and not panel.mode_smooth.isEnabled()
    expected = Ramp.ease_in_out(Fraction(12), 2, 20, 0.25)
    assert panel.state.ramp == expected.keys
    assert_in_state(panel)
    assert panel.output_frame_count() == expected.frame_count()
    assert panel.result_detail.text().startswith(
        "ramp 100 % \u2192 25 % \u2192 100 %, up to 4\u00d7 slower; at 12 fps")
    assert panel.output_path().name == "ramp_slowmo_ramp.mp4"
    request = panel.render_request()
    assert request.ramp == expected.keys and request.mode == "slowmo"
    assert (request.start, request.end) == ("2f", "22f")

    for text, name in (("Ease in", "ease-in"), ("Ease out", "ease-out")):
        choose_preset(qtbot, panel, text)
        assert panel.state.ramp == Ramp.preset(name, Fraction(12), 2, 20, 0.25).keys
        assert_in_state(panel)
    panel.set_factor(8)  # presets slow down to the factor
    choose_preset(qtbot, panel, "Ease in-out")
    assert panel.state.ramp == Ramp.ease_in_out(Fraction(12), 2, 20, 0.125).keys
    assert "up to 8\u00d7 slower" in panel.result_detail.text()

    choose_preset(qtbot, panel, "Clear")
    assert panel.state.ramp == () and panel.ramp_lane.keys() == ()
    assert panel.output_frame_count() is None
    assert "double-click the speed lane" in panel.result_detail.text()
    panel.render()
    assert panel.message_kind() == "error" and "no keys" in panel.message()
    assert not panel.is_rendering()

    # Constant again: the factor and the mode chosen before; Ramp again: the same keys
    choose_preset(qtbot, panel, "Ease in")
    keys = panel.state.ramp
    qtbot.mouseClick(panel.speed_constant, LEFT)
    assert panel.state.ramp is None and not panel.ramp_lane.isVisible()
    assert panel.mode() == "smooth" and panel.mode_smooth.isEnabled()
    assert panel.output_frame_count() == 20 * 8 and panel.render_request().ramp is None
    assert panel.output_path().name == "ramp_smooth8x.mp4"
    qtbot.mouseClick(panel.speed_ramp, LEFT)
    assert panel.state.ramp == keys and panel.mode() == "slowmo"


def test_lane_mouse_adds_drags_eases_and_removes_keys(qtbot, ramp_panel):
    panel = ramp_panel
    lane, tl = panel.ramp_lane, panel.timeline
    panel.ramp.set_speed("ramp")
    panel.ramp.apply_preset("clear")
    qtbot.waitExposed(lane)
    # lined up with the timeline: a key's x is the middle of its frame above
    for seconds in (0.0, 0.5, 23 / 12):
        x = lane.mapToGlobal(QPoint(round(lane.x_for_time(seconds)), 0)).x()
        frame_x = tl.mapToGlobal(QPoint(round(tl.x_for_frame(seconds * 12 + 0.5)), 0)).x()
        assert abs(x - frame_x) <= 1
    # double-click adds a key where it is clicked (on a whole frame)
    QTest.mouseDClick(lane, LEFT, NO_MOD, at(lane, 0.5, 0.5))
    QTest.mouseDClick(lane, LEFT, NO_MOD, at(lane, 1.5, 1.0))
    keys = lane.keys()
    assert [k.time for k in keys] == [0.5, 1.5]
    assert keys[0].speed == pytest.approx(0.5, rel=0.12) and keys[1].speed == 1.0
    assert_in_state(panel)
    before = panel.output_frame_count()
    # drag the first key to frame 9 and 25 %
    start, end = at(lane, 0.5, keys[0].speed), at(lane, 0.75, 0.25)
    QTest.mousePress(lane, LEFT, NO_MOD, start)
    for k in range(1, 6):
        QTest.mouseMove(lane, start + (end - start) * k / 5)
    QTest.mouseRelease(lane, LEFT, NO_MOD, end)
    moved = lane.keys()[0]
    assert moved.time == 0.75 and moved.speed == pytest.approx(0.25, rel=0.12)
    assert panel.output_frame_count() > before
    assert_in_state(panel)
    # a key is kept a frame from its neighbour and on the speed scale
    QTest.mousePress(lane, LEFT, NO_MOD, at(lane, 0.75, moved.speed))
    QTest.mouseMove(lane, QPoint(lane.width() - 2, lane.height() + 30))
    QTest.mouseRelease(lane, LEFT, NO_MOD, QPoint(lane.width() - 2, lane.height() + 30))
    assert lane.keys()[0].time == pytest.approx(1.5 - 1 / 12)
    assert lane.keys()[0].speed == MIN_SPEED
    # Ctrl+click adds a key on the curve (the curve keeps its shape)
    frames = panel.output_frame_count()
    QTest.mouseClick(lane, LEFT, Qt.KeyboardModifier.ControlModifier, at(lane, 0.25, 0.9))
    assert [k.time for k in lane.keys()] == [0.25, 1.5 - 1 / 12, 1.5]
    assert lane.keys()[0].speed == MIN_SPEED and panel.output_frame_count() == frames
    assert lane.selected == 0
    # right-click a key: its menu sets the ease, or removes the key
    QTest.mouseClick(lane, RIGHT, NO_MOD, at(lane, 1.5 - 1 / 12, MIN_SPEED))
    menu = lane.menu
    qtbot.waitUntil(menu.isVisible, timeout=3_000)
    assert [a.text() for a in menu.actions() if a.isCheckable() and a.isChecked()] == ["Linear"]
    click_menu(menu, "Smooth")
    assert lane.keys()[1].ease == "smooth"
    assert_in_state(panel)
    assert panel.render_request().ramp[1] == RampKey(1.5 - 1 / 12, MIN_SPEED, "smooth")
    QTest.mouseClick(lane, RIGHT, NO_MOD, at(lane, 1.5, 1.0))
    qtbot.waitUntil(lane.menu.isVisible, timeout=3_000)
    click_menu(lane.menu, "Remove key")
    assert [k.time for k in lane.keys()] == [0.25, 1.5 - 1 / 12]
    assert_in_state(panel)
    # click selects, Delete and Backspace remove the selected key
    QTest.mouseClick(lane, LEFT, NO_MOD, at(lane, 0.25, MIN_SPEED))
    assert lane.selected == 0
    QTest.keyClick(lane, Qt.Key.Key_Delete)
    assert len(lane.keys()) == 1 and lane.selected == 0
    QTest.keyClick(lane, Qt.Key.Key_Backspace)
    assert lane.keys() == () and panel.state.ramp == ()
    assert panel.output_frame_count() is None


def test_lane_keys_from_the_keyboard(qtbot, ramp_panel):
    panel = ramp_panel
    lane = panel.ramp_lane
    panel.ramp.set_speed("ramp")
    panel.ramp.apply_preset("clear")
    panel.set_playhead(6)
    lane.setFocus()
    qtbot.waitUntil(lane.hasFocus, timeout=3_000)
    qtbot.keyClick(lane, Qt.Key.Key_K)  # a key at the playhead
    assert lane.keys() == (RampKey(0.5, 1.0),)
    panel.set_playhead(12)
    qtbot.keyClick(lane, Qt.Key.Key_Insert)
    assert [k.time for k in lane.keys()] == [0.5, 1.0] and lane.selected == 1
    # the arrows edit the lane's keys, not the playhead, while the lane has the focus
    qtbot.keyClick(lane, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(lane, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert lane.keys()[1].speed == 0.25 and panel.playhead() == 12
    qtbot.keyClick(lane, Qt.Key.Key_Up)
    assert lane.keys()[1].speed == pytest.approx(0.25 * 2 ** 0.25)
    qtbot.keyClick(lane, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert lane.keys()[1].time == pytest.approx(13 / 12)
    qtbot.keyClick(lane, Qt.Key.Key_Left)
    assert lane.selected == 0
    qtbot.keyClick(lane, Qt.Key.Key_E)
    assert lane.keys()[0].ease == "smooth"
    assert_in_state(panel)
    qtbot.keyClick(lane, Qt.Key.Key_Delete)
    assert len(lane.keys()) == 1
    # elsewhere the arrows still step the playhead
    panel.timeline.setFocus()
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Right)
    assert panel.playhead() == 13


def test_preview_follows_the_ramp(qtbot, make_clip, make_panel, open_clip, index_of):
    source = make_clip("prev.mp4", 96, 64, fps=8, frames=24)
    panel = make_panel()
    open_clip(panel, source)
    qtbot.waitUntil(lambda: panel.proxy is not None, timeout=30_000)
    panel.set_range(4, 19)
    panel.set_playhead(10)
    keys = (RampKey(1.0, 1.0), RampKey(1.25, 0.25, "smooth"), RampKey(1.5, 0.5))
    panel.ramp.set_keys(keys)
    with qtbot.waitSignal(panel.previewReady, timeout=RENDER_TIMEOUT_MS) as blocker:
        panel.start_preview()
    result = blocker.args[0]
    n = result.end - result.start
    assert 4 <= result.start <= 10 < result.end <= 20
    ramp = Ramp(keys, Fraction(8), result.start, n)
    assert result.ramp == keys
    assert len(result.frames) == ramp.frame_count() > n  # slower than the source
    for j, t in enumerate(result.times):
        assert t == ramp.wanted_time(j)
        assert result.start + t == pytest.approx(ramp.source_time(j) * 8)
        assert result.source_index(j) == int(t + 1e-9)
        if t == int(t):  # a source frame: it carries its own number
            assert index_of(qimage_array(result.frames[j])) == result.start + int(t)
    whole = [j for j, t in enumerate(result.times) if t == int(t)]
    assert len(whole) >= 3
    # it plays at the source rate
    assert panel.preview.looping and panel.preview.timer.interval() == round(1000 / 8)
    assert panel.preview_view.caption() == "SlowMo ramp preview"
    panel.ramp.apply_preset("ease-in")
    assert panel.preview_view.caption().endswith("(settings changed)")


def test_render_with_a_ramp_equals_the_apis(qtbot, make_clip, make_panel, open_clip, tmp_path,
                                             index_of):
    source = make_clip("walk.mp4", 96, 64, fps=12, frames=24)
    panel = make_panel()
    info = open_clip(panel, source)
    panel.set_range(3, 16)  # frames 3..16
    panel.set_codec("ffv1")  # lossless: the file holds the frames as rendered
    panel.set_device("cpu")
    # a key before the range: the range starts part way down the curve
    keys = (RampKey(0.0, 1.0), RampKey(0.75, 0.5, "smooth"), RampKey(1.0, 0.25),
            RampKey(1.25, 1.0))
    panel.ramp.set_keys(keys)
    ramp = Ramp(keys, info.fps, 3, 14)
    assert panel.output_frame_count() == ramp.frame_count()
    output = panel.output_path()
    assert output.name == "walk_slowmo_ramp.mkv"
    with qtbot.waitSignal(panel.renderFinished, timeout=RENDER_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(panel.render_button, LEFT)
    result = blocker.args[0]
    assert result.output == output and result.frames == ramp.frame_count()
    handed = panel.renderer.import_request(result)  # what a host gets: the ramp, not a factor
    assert handed.ramp == "0.0:1.0,0.75:0.5~,1.0:0.25,1.25:1.0" and handed.factor == 4
    assert probe(output).frame_count == ramp.frame_count() and probe(output).fps == 12

    api_out = tmp_path / "api.mkv"
    render(source, api_out, ramp=keys, start="3f", end="17f", codec="ffv1",
           interpolator=panel.interpolators.get("cpu"), notice=lambda _t: None)
    with read_frames(output) as a, read_frames(api_out) as b:
        ours, theirs = list(a), list(b)
    assert len(ours) == len(theirs) == ramp.frame_count()
    for j, (x, y) in enumerate(zip(ours, theirs)):
        assert np.array_equal(x, y), j
    for j in range(ramp.frame_count()):
        t = ramp.wanted_time(j)
        if t == int(t):
            assert index_of(ours[j]) == 3 + int(t)
    assert index_of(ours[0]) == 3 and index_of(ours[-1]) == 16


def test_the_window_fits_a_1280x720_screen_with_the_ramp_lane(qtbot):
    window = MainWindow(settings=open_settings())
    qtbot.addWidget(window, before_close_func=lambda w: w.panel.shutdown())
    window.show()
    qtbot.waitExposed(window)
    window.resize(1280, 600)
    qtbot.waitUntil(lambda: window.width() == 1280, timeout=2_000)
    window.panel.ramp.set_speed("ramp")
    QApplication.processEvents()
    assert window.panel.ramp_lane.isVisible()
    assert window.minimumSizeHint().height() <= 720 - 80, window.minimumSizeHint()
    assert window.minimumSizeHint().width() <= 1280
