"""``vfi-slowmo-gui [FILE]``: the standalone SlowMo window (a QMainWindow around the panel).

Starts fast: nothing here imports torch; the model loads in a worker when it is
first needed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from vfi_plugin import __version__
from vfi_plugin.hosts.base import FileHost
from vfi_plugin.names import APP_NAME, DISPLAY_NAME

from .threads import wait_all
from .icon import app_icon
from .panel import SlowMoPanel
from .settings import (clear_recent_files, open_settings, recent_files, save_window_geometry,
                       window_geometry)
from .style import apply_dark_theme

APP_TITLE = DISPLAY_NAME
EXIT_WAIT_S = 30.0
DEFAULT_SIZE = (1280, 860)
FRAME_ROOM = 40  # px a window manager's title bar and frame take above the window


class MainWindow(QMainWindow):
    """File menu (Open, Open Timeline, Open Recent, Quit), drag and drop, remembered geometry."""

    def __init__(self, path: str | os.PathLike | None = None, *,
                 settings: QSettings | None = None, parent: QWidget | None = None,
                 host=None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else open_settings(self)
        self.host = host if host is not None else FileHost(path)
        self.panel = SlowMoPanel(self.host, self, settings=self.settings)
        self.setCentralWidget(self.panel)
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self._build_menus()
        self.panel.clipLoaded.connect(self._on_clip_loaded)
        geometry = window_geometry(self.settings)
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # 1280x860, or what the screen leaves room for (a 1280x720 laptop)
            room = self.screen().availableGeometry()
            self.resize(min(DEFAULT_SIZE[0], room.width()),
                        min(DEFAULT_SIZE[1], room.height() - FRAME_ROOM))
        if path:  # once the window is up (probing runs in a worker anyway)
            QTimer.singleShot(0, self, lambda: self.panel.open_file(path))
        elif host is not None:  # a host editor started this window for its selected clip
            output_dir = getattr(host, "output_dir", None)
            if output_dir:
                self.panel.set_output_folder(output_dir, remember=False)
            QTimer.singleShot(0, self, self.panel.use_host_clip)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open\u2026", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.panel.browse_source)
        menu.addAction(self.open_action)
        self.timeline_action = QAction("Open &Timeline\u2026", self)
        self.timeline_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.timeline_action.setStatusTip("Conform an editor's timeline: render its slow-motion "
                                          "clips, write a timeline playing them at 100 %")
        self.timeline_action.triggered.connect(lambda: self.panel.open_timeline())
        menu.addAction(self.timeline_action)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        # the platform's Quit keys, and Ctrl+Q wherever the platform has none (Windows, and
        # Qt's offscreen platform, bind nothing to Quit)
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcuts(quit_keys or [QKeySequence("Ctrl+Q")])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About SlowMo", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = recent_files(self.settings)
        for text in files:
            path = Path(text)
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.panel.open_file(p))
        if files:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear Recent")
            clear.triggered.connect(self._clear_recent)
        else:
            empty = self.recent_menu.addAction("No recent clips")
            empty.setEnabled(False)

    def _clear_recent(self) -> None:
        clear_recent_files(self.settings)
        self._fill_recent()

    def _about(self) -> None:
        QMessageBox.about(self, "About SlowMo",
                          f"<b>SlowMo {__version__}</b><p>Neural slow motion for video editors."
                          "</p><p>Keys: I / O mark in / out, Space play, Left / Right step, "
                          "P preview, Ctrl+Return render.</p>")

    def _on_clip_loaded(self, info) -> None:
        self.setWindowTitle(f"{info.path.name} \u2014 {APP_TITLE}")
        self.host.path = info.path
        self._fill_recent()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        self.panel.dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        self.panel.dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        self.panel.dropEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802
        # Quit (Ctrl+Q) and the close button both land here: a running render is only
        # thrown away when the user says so
        if not self.panel.confirm_close():
            event.ignore()
            return
        save_window_geometry(self.settings, self.saveGeometry())
        self.panel.shutdown()
        self.settings.sync()
        event.accept()


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vfi-slowmo-gui",
                                     description="SlowMo: neural slow motion (standalone window)")
    parser.add_argument("file", nargs="?", help="a video clip to open")
    parser.add_argument("--host-file", default=None,
                        help="JSON written by a host editor (Blender, Resolve) that runs the "
                             "panel in this separate process: its clip, range and result file")
    parser.add_argument("--exit-after-show", action="store_true",
                        help="quit as soon as the window is on screen (startup check)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the standalone app; returns the exit code."""
    started = time.perf_counter()
    args = _parse(sys.argv[1:] if argv is None else list(argv))
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "vfi-slowmo-gui"])
        app.setApplicationName(DISPLAY_NAME)
        app.setApplicationDisplayName(DISPLAY_NAME)
        app.setDesktopFileName(APP_NAME)
        apply_dark_theme(app)
    app.setWindowIcon(app_icon())
    host = None
    if args.host_file:
        from vfi_plugin.hosts.external import ExternalHost

        try:
            host = ExternalHost.from_file(args.host_file)
        except (OSError, ValueError, KeyError) as exc:
            print(f"error: {args.host_file}: cannot read the host file ({exc})", file=sys.stderr)
            return 2
    window = MainWindow(args.file, host=host)
    window.show()
    if args.exit_after_show:
        def report() -> None:
            print(f"shown after {time.perf_counter() - started:.3f} s; "
                  f"torch loaded: {'torch' in sys.modules}", flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, report)
    code = app.exec()
    window.panel.shutdown()  # a no-op when the window was closed (it shuts down on close)
    if not wait_all(EXIT_WAIT_S):
        # a worker is stuck in a long uninterruptible call (e.g. one network pass on a
        # huge frame); leave without destroying its running thread (that would abort)
        sys.stdout.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
