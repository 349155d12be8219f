"""Nuke adapter (Nuke 16+, PySide6): the panel runs inside Nuke.

``resources/hosts/nuke/menu.py`` (installed as ~/.nuke/slowmo/menu.py) calls
``install_menus()``, which registers the panel with
``nukescripts.panels.registerWidgetAsPanel`` (Pane menu, restorable in layouts)
and adds Nuke > SlowMo > SlowMo Panel.

``NukeHost`` reads the selected Read node (file, first/last frames) and creates
a Read node for each result next to it. The panel renders in a worker thread:
any call that arrives off the main thread goes through
``nuke.executeInMainThreadWithResult`` (calling that from the main thread would
deadlock, so main-thread calls run directly).

No Qt at import time: the panel module is imported when Nuke builds the widget.
"""
from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

from .base import ClipSelection, ImportRequest
from .common import fps_fraction

HOST_NAME = "Nuke"
PANEL_ID = "io.slowmo.SlowMoPanel"
PANEL_TITLE = "SlowMo"
MENU_PATH = "SlowMo"
# registerWidgetAsPanel evaluates this string and calls the result to build the widget
WIDGET_FACTORY = "__import__('vfi_plugin.hosts.nuke', fromlist=['create_panel']).create_panel"


def _nuke():
    import nuke  # only inside Nuke (or a test's fake)

    return nuke


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def in_main_thread(nuke, fn, *args):
    """Run ``fn(*args)`` on Nuke's main thread and return its result (exceptions re-raised here)."""
    if _on_main_thread():
        return fn(*args)

    def call():
        try:
            return ("ok", fn(*args))
        except BaseException as exc:  # carried back to the calling thread
            return ("error", exc)

    outcome = nuke.executeInMainThreadWithResult(call)
    if not outcome:
        raise RuntimeError("Nuke did not run the call on its main thread")
    status, value = outcome
    if status == "error":
        raise value
    return value


def _knob(node, name: str, default=None):
    try:
        knob = node[name]
    except (KeyError, NameError, TypeError, AttributeError):
        return default
    if knob is None:
        return default
    try:
        return knob.value()
    except Exception:
        return default


def read_file_path(nuke, node) -> str:
    """The file a Read node reads (``nuke.filename``: expressions evaluated, a sequence's
    %04d kept), else its file knob evaluated."""
    path = None
    try:
        path = nuke.filename(node)
    except Exception:
        path = None
    if not path:
        try:
            path = node["file"].evaluate()
        except Exception:
            path = _knob(node, "file", "")
    return str(path or "")


def read_selection(nuke, node) -> ClipSelection:
    """A Read node's file and range as a ClipSelection (frames of the file, end exclusive).

    Nuke numbers a movie's frames from ``origfirst`` (1 by default); the Read's
    ``first``/``last`` trim them, so file frame = Nuke frame - origfirst.
    """
    path = read_file_path(nuke, node)
    first = int(_knob(node, "first", 1))
    last = int(_knob(node, "last", first))
    origfirst = int(_knob(node, "origfirst", first))
    fps = None
    try:
        fps = fps_fraction(node.metadata("input/frame_rate"))
    except Exception:
        fps = None
    if fps is None:
        fps = fps_fraction(nuke.root()["fps"].value())
    sequence = any(tok in path for tok in ("%0", "%d", "#"))
    return ClipSelection(Path(path), first - origfirst, last - origfirst + 1, fps,
                         name=node.name(),
                         extra={"node": node.fullName() if hasattr(node, "fullName") else node.name(),
                                "first": first, "last": last, "sequence": sequence})


def _selected_read(nuke):
    try:
        nodes = nuke.selectedNodes("Read")
    except TypeError:
        nodes = [n for n in nuke.selectedNodes() if n.Class() == "Read"]
    return nodes[0] if nodes else None


class NukeHost:
    """Host over the ``nuke`` module (pass a fake in tests)."""

    name = HOST_NAME

    def __init__(self, nuke_module=None) -> None:
        self._nuke_module = nuke_module

    @property
    def nuke(self):
        return self._nuke_module if self._nuke_module is not None else _nuke()

    def current_clip(self) -> ClipSelection | None:
        return in_main_thread(self.nuke, self._current_clip)

    def import_result(self, request: ImportRequest) -> None:
        return in_main_thread(self.nuke, self._import_result, request)

    # --- main thread only ---
    def _current_clip(self) -> ClipSelection | None:
        node = _selected_read(self.nuke)
        return read_selection(self.nuke, node) if node is not None else None

    def _import_result(self, request: ImportRequest):
        nuke = self.nuke
        source = None
        if request.selection is not None and request.selection.extra.get("node"):
            source = nuke.toNode(request.selection.extra["node"])
        path = Path(request.output).as_posix()  # Nuke wants forward slashes everywhere
        read = nuke.nodes.Read()
        read["file"].fromUserText(path)  # as if typed: Nuke reads the movie's range
        frames = int(request.frames)
        if frames > 0:
            for knob, value in (("origfirst", 1), ("origlast", frames), ("first", 1), ("last", frames)):
                try:
                    read[knob].setValue(value)
                except Exception:
                    pass
        if source is not None:
            start = _knob(source, "first", 1)
            try:  # line the result up with where the source range starts
                read["frame_mode"].setValue("start at")
                read["frame"].setValue(str(int(start)))
            except Exception:
                pass
            try:
                read.setXYpos(source.xpos() + source.screenWidth() + 40, source.ypos())
            except Exception:
                pass
        try:
            label = (f"SlowMo ramp, up to {float(Fraction(request.factor)):g}x slower"
                     if request.ramp else
                     f"SlowMo {float(Fraction(request.factor)):g}x {request.mode}")
            read["label"].setValue(label)
        except Exception:
            pass
        return read


def create_panel():
    """Build the SlowMo panel widget for Nuke (called by registerWidgetAsPanel's knob)."""
    from vfi_plugin.ui.panel import SlowMoPanel  # Qt (Nuke's own PySide6) only from here on

    return SlowMoPanel(NukeHost())


def open_panel():
    """Nuke > SlowMo > SlowMo Panel: dock the panel next to the Properties bin."""
    nuke = _nuke()
    import nukescripts

    panel = nukescripts.panels.registerWidgetAsPanel(WIDGET_FACTORY, PANEL_TITLE, PANEL_ID, True)
    pane = nuke.getPaneFor("Properties.1")
    return panel.addToPane(pane) if pane is not None else panel.addToPane()


def install_menus(nuke=None, nukescripts=None) -> None:
    """Called by the installed menu.py: Pane menu entry + Nuke > SlowMo menu."""
    nuke = nuke or _nuke()
    if nukescripts is None:
        import nukescripts
    nukescripts.panels.registerWidgetAsPanel(WIDGET_FACTORY, PANEL_TITLE, PANEL_ID)
    menu = nuke.menu("Nuke").addMenu(MENU_PATH)
    menu.addCommand("SlowMo Panel", "__import__('vfi_plugin.hosts.nuke', fromlist=['open_panel']).open_panel()")
