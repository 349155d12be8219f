"""Qt front-end (imported as vfi_plugin.ui); the core never imports it.

``SlowMoPanel`` (ui/panel.py) is the embeddable widget, ``main`` (ui/app.py) the
standalone app. Importing this package loads neither Qt nor torch; the names
below load on first use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["SlowMoPanel", "TimelineWidget", "FrameView", "MainWindow", "main"]

if TYPE_CHECKING:
    from .app import MainWindow, main
    from .panel import SlowMoPanel
    from .timeline import TimelineWidget
    from .viewer import FrameView


def __getattr__(name: str) -> Any:
    if name == "SlowMoPanel":
        from .panel import SlowMoPanel
        return SlowMoPanel
    if name == "TimelineWidget":
        from .timeline import TimelineWidget
        return TimelineWidget
    if name == "FrameView":
        from .viewer import FrameView
        return FrameView
    if name in ("MainWindow", "main"):
        from . import app
        return getattr(app, name)
    raise AttributeError(f"module 'vfi_plugin.ui' has no attribute {name!r}")
