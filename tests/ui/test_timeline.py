"""The range timeline on its own: geometry, mouse, keys, thumbnails (no media needed)."""
from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from vfi_plugin.ui.timeline import HANDLE_W, TimelineWidget


@pytest.fixture
def timeline(qtbot):
    tl = TimelineWidget()
    qtbot.addWidget(tl)
    tl.resize(1028, 110)  # 1000 px of frames (14 px margins): 10 px a frame for 100 frames
    tl.show()
    qtbot.waitExposed(tl)
    tl.set_clip(100, Fraction(25))
    return tl


def press_move_release(tl, x0, x1, y):
    QTest.mousePress(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(x0), round(y)))
    QTest.mouseMove(tl, QPoint(round((x0 + x1) / 2), round(y)))
    QTest.mouseMove(tl, QPoint(round(x1), round(y)))
    QTest.mouseRelease(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(round(x1), round(y)))


def test_frame_geometry(timeline):
    tl = timeline
    assert tl.x_for_frame(0) == pytest.approx(14)
    assert tl.x_for_frame(100) == pytest.approx(1000 + 14)
    assert tl.frame_at(tl.x_for_frame(37) + 5) == 37
    assert tl.frame_at(-50) == 0 and tl.frame_at(5000) == 99
    assert (tl.in_frame, tl.out_frame, tl.playhead) == (0, 99, 0)


def test_dragging_the_in_handle_moves_the_in_mark(qtbot, timeline):
    tl = timeline
    y = tl.strip_rect().center().y()
    grab = tl.in_handle_x() - HANDLE_W / 2
    assert tl.handle_at(grab, y) == "in"
    seen = []
    tl.rangeChanged.connect(lambda a, b: seen.append((a, b)))
    press_move_release(tl, grab, grab + 20 * 10, y)
    assert tl.in_frame == 20 and tl.out_frame == 99
    assert seen[-1] == (20, 99) and len(seen) >= 2  # it followed the mouse
    assert tl.playhead == 0  # grabbing a handle does not move the playhead


def test_the_in_handle_cannot_pass_the_out_handle(timeline):
    tl = timeline
    tl.set_range(10, 30)
    y = tl.strip_rect().center().y()
    grab = tl.in_handle_x() - HANDLE_W / 2
    press_move_release(tl, grab, tl.x_for_frame(80), y)
    assert (tl.in_frame, tl.out_frame) == (29, 30)  # at least two frames stay marked


def test_clicking_the_strip_moves_the_playhead(qtbot, timeline):
    tl = timeline
    y = tl.strip_rect().center().y()
    with qtbot.waitSignal(tl.playheadChanged) as blocker:
        QTest.mouseClick(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(tl.x_for_frame(42) + 5), round(y)))
    assert blocker.args == [42] and tl.playhead == 42
    assert (tl.in_frame, tl.out_frame) == (0, 99)


def test_marks_follow_editor_rules(timeline):
    tl = timeline
    tl.set_range(40, 60)
    tl.set_in(70)   # an in past the out pushes the out along
    assert (tl.in_frame, tl.out_frame) == (70, 71)
    tl.set_out(5)   # an out before the in pulls the in back
    assert (tl.in_frame, tl.out_frame) == (4, 5)
    tl.set_range(-10, 500)
    assert (tl.in_frame, tl.out_frame) == (0, 99)


def test_keys_become_actions(qtbot, timeline):
    got = []
    timeline.keyAction.connect(got.append)
    for key in (Qt.Key.Key_I, Qt.Key.Key_O, Qt.Key.Key_Space, Qt.Key.Key_Left,
                Qt.Key.Key_Right, Qt.Key.Key_P):
        qtbot.keyClick(timeline, key)
    assert got == ["in", "out", "play", "prev", "next", "preview"]


def test_filmstrip_paints_the_thumbnails(timeline):
    tl = timeline
    red = QImage(64, 36, QImage.Format.Format_RGB888)
    red.fill(QColor(220, 30, 30))
    tl.set_thumbnails([red] * 10)
    image = tl.grab().toImage()
    strip = tl.strip_rect()
    inside = image.pixelColor(round(tl.x_for_frame(50)) + 20, round(strip.center().y()))
    assert inside.red() > 180 and inside.green() < 80
    tl.set_range(60, 99)  # outside the range the strip is dimmed
    image = tl.grab().toImage()
    outside = image.pixelColor(round(tl.x_for_frame(30)), round(strip.center().y()))
    assert outside.red() < 120


def test_panel_marks_scene_cuts_on_the_filmstrip(qtbot, tmp_path, panel, open_clip):
    """A clip with a cut at frame 12: the filmstrip marks it (found by the renderer's own
    detector on the proxy); a clip without one marks nothing."""
    import subprocess

    import numpy as np

    rng = np.random.default_rng(5)
    shots = [np.kron(rng.integers(0, 256, (6, 10, 3)), np.ones((12, 16, 1))).astype(np.uint8)
             for _ in range(2)]
    frames = [np.roll(shots[i >= 12], 2 * i, axis=1) for i in range(24)]
    clip = tmp_path / "cut" / "cut.mp4"
    clip.parent.mkdir()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                    "160x72", "-framerate", "12", "-i", "pipe:", "-c:v", "libx264", "-crf", "12",
                    "-pix_fmt", "yuv420p", str(clip)],
                   input=b"".join(f.tobytes() for f in frames), check=True, timeout=60)
    open_clip(panel, clip)
    qtbot.waitUntil(lambda: len(panel.timeline.thumbnails()) > 0, timeout=30_000)
    assert panel.timeline.cuts() == [12]
    assert "1 scene cut" in panel.timeline.toolTip()
    panel.timeline.grab()  # paints the marks without error
