"""The panel's editor keys, active whenever the focus is inside the panel (not host-wide).

A focused button keeps its own keys: Space and Return press it (instead of playing,
or nothing), as everywhere else on the desktop.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton

if TYPE_CHECKING:
    from .panel import SlowMoPanel

_PRESS_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _ButtonKeys(QObject):
    """Lets a focused button take Space (which the panel's Play shortcut would) and
    makes Return and Enter press it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if (kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
                and isinstance(watched, QAbstractButton)
                and event.key() in _PRESS_KEYS
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)):
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the key goes to the button, not to a shortcut
                return True
            if event.key() != Qt.Key.Key_Space and watched.isEnabled():
                watched.animateClick()
                return True
        return False


def install(panel: SlowMoPanel) -> dict[str, QAction]:
    """Add the editor keys to ``panel``; returns its actions by name."""
    def add(text: str, keys: list, slot) -> QAction:
        action = QAction(text, panel)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        panel.addAction(action)
        return action

    buttons = _ButtonKeys(panel)
    for button in panel.findChildren(QAbstractButton):
        button.installEventFilter(buttons)
    return {
        "in": add("Mark in", [Qt.Key.Key_I], panel.mark_in),
        "out": add("Mark out", [Qt.Key.Key_O], panel.mark_out),
        "play": add("Play / pause", [Qt.Key.Key_Space], panel.toggle_play),
        "prev": add("Previous frame", [Qt.Key.Key_Left], lambda: panel.step(-1)),
        "next": add("Next frame", [Qt.Key.Key_Right], lambda: panel.step(1)),
        "back_second": add("Back one second", ["Shift+Left"],
                      lambda: panel.playback.step_seconds(-1)),
        "forward_second": add("Forward one second", ["Shift+Right"],
                      lambda: panel.playback.step_seconds(1)),
        "start": add("Go to in", [Qt.Key.Key_Home], panel.go_to_in),
        "end": add("Go to out", [Qt.Key.Key_End], panel.go_to_out),
        "preview": add("Preview", [Qt.Key.Key_P], panel.preview.toggle),
        "render": add("Render", ["Ctrl+Return", "Ctrl+Enter"], panel.render),
    }
