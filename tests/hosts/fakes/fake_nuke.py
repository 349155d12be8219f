"""FakeNukeModule / FakeNukescripts: the few documented `nuke` and `nukescripts` calls SlowMo uses.

Install with ``install_fake_nuke(monkeypatch)``; it returns the fake module, which
records nodes, menus, panel registrations and main-thread calls.
"""
from __future__ import annotations

import threading
import types


class FakeKnob:
    def __init__(self, node: "FakeNode", name: str, value=None) -> None:
        self.node, self.name, self._value = node, name, value

    def value(self):
        return self._value

    def setValue(self, value) -> bool:  # noqa: N802 (Nuke's names)
        self._value = value
        return True

    def evaluate(self):
        return self._value

    def fromUserText(self, text: str) -> None:  # noqa: N802
        """Like Nuke's Read file knob: sets the file and the movie's frame range (from the fake's
        ``movie_frames`` table, default 1..1)."""
        self._value = text
        n = self.node.module.movie_frames.get(text, 1)
        for name, value in (("first", 1), ("last", n), ("origfirst", 1), ("origlast", n)):
            self.node[name].setValue(value)


class FakeNode:
    def __init__(self, module: "FakeNukeModule", cls: str, name: str, knobs: dict | None = None,
                 metadata: dict | None = None) -> None:
        self.module = module
        self._class, self._name = cls, name
        self._knobs: dict[str, FakeKnob] = {}
        defaults = {"file": "", "first": 1, "last": 1, "origfirst": 1, "origlast": 1,
                    "frame_mode": "expression", "frame": "", "label": ""} if cls == "Read" else {}
        for key, value in {**defaults, **(knobs or {})}.items():
            self._knobs[key] = FakeKnob(self, key, value)
        self._metadata = metadata or {}
        self._x, self._y = 0, 0
        self.selected = False

    def __getitem__(self, name: str) -> FakeKnob:
        if name not in self._knobs:
            raise NameError(name)
        return self._knobs[name]

    def Class(self) -> str:  # noqa: N802
        return self._class

    def name(self) -> str:
        return self._name

    def fullName(self) -> str:  # noqa: N802
        return self._name

    def metadata(self, key=None):
        return self._metadata if key is None else self._metadata.get(key)

    def xpos(self) -> int:
        return self._x

    def ypos(self) -> int:
        return self._y

    def setXYpos(self, x: int, y: int) -> None:  # noqa: N802
        self._x, self._y = x, y

    def screenWidth(self) -> int:  # noqa: N802
        return 80


class FakeMenu:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: dict[str, object] = {}

    def addMenu(self, name: str) -> "FakeMenu":  # noqa: N802
        return self.items.setdefault(name, FakeMenu(name))

    def addCommand(self, name: str, command=None, *args, **kwargs):  # noqa: N802
        self.items[name] = command
        return command


class FakeNukeModule(types.ModuleType):
    """sys.modules['nuke'] for tests."""

    def __init__(self) -> None:
        super().__init__("nuke")
        self.all_nodes: list[FakeNode] = []
        self.movie_frames: dict[str, int] = {}
        self.menus: dict[str, FakeMenu] = {}
        self.main_thread_calls: list[str] = []
        self.messages: list[str] = []
        self.printed: list[str] = []
        self.plugin_paths: list[str] = []
        self._root = FakeNode(self, "Root", "root", {"fps": 25.0})
        module = self

        class _Nodes:
            def Read(self, **knobs):  # noqa: N802
                return module.add_node("Read", f"Read{sum(n.Class() == 'Read' for n in module.all_nodes) + 1}",
                                       knobs)

        self.nodes = _Nodes()

    # helpers for tests
    def add_node(self, cls: str, name: str, knobs: dict | None = None, metadata=None,
                 selected: bool = False) -> FakeNode:
        node = FakeNode(self, cls, name, knobs, metadata)
        node.selected = selected
        self.all_nodes.append(node)
        return node

    # the nuke API
    def selectedNodes(self, filter: str | None = None):  # noqa: N802,A002
        return [n for n in self.all_nodes if n.selected and (filter is None or n.Class() == filter)]

    def toNode(self, name: str):  # noqa: N802
        return next((n for n in self.all_nodes if n.name() == name), None)

    def root(self) -> FakeNode:
        return self._root

    def filename(self, node: FakeNode):
        return node["file"].value()

    def executeInMainThreadWithResult(self, call, args=(), kwargs=None):  # noqa: N802
        # the real one deadlocks when called from the main thread: make that a test failure
        if threading.current_thread() is threading.main_thread():
            raise AssertionError("executeInMainThreadWithResult called on the main thread")
        self.main_thread_calls.append(getattr(call, "__name__", "call"))
        return call(*args, **(kwargs or {}))

    def executeInMainThread(self, call, args=(), kwargs=None):  # noqa: N802
        self.executeInMainThreadWithResult(call, args, kwargs)

    def menu(self, name: str) -> FakeMenu:
        return self.menus.setdefault(name, FakeMenu(name))

    def getPaneFor(self, name: str):  # noqa: N802
        return "pane:" + name

    def message(self, text: str) -> None:
        self.messages.append(text)

    def tprint(self, *args) -> None:
        self.printed.append(" ".join(str(a) for a in args))

    def pluginPath(self):  # noqa: N802
        return list(self.plugin_paths)


class FakePythonPanel:
    def __init__(self, widget: str, name: str, panel_id: str) -> None:
        self.widget, self.name, self.id = widget, name, panel_id
        self.pane = None

    def addToPane(self, pane=None):  # noqa: N802
        self.pane = pane or "default"
        return self


def make_fake_nukescripts() -> tuple[types.ModuleType, types.ModuleType, list]:
    """(nukescripts, nukescripts.panels, registrations list)."""
    registrations: list = []
    panels = types.ModuleType("nukescripts.panels")

    def registerWidgetAsPanel(widget, name, id, create=False):  # noqa: N802,A002
        registrations.append((widget, name, id, create))
        return FakePythonPanel(widget, name, id) if create else None

    panels.registerWidgetAsPanel = registerWidgetAsPanel
    nukescripts = types.ModuleType("nukescripts")
    nukescripts.panels = panels
    nukescripts.registerWidgetAsPanel = registerWidgetAsPanel
    return nukescripts, panels, registrations


def install_fake_nuke(monkeypatch):
    """Put FakeNukeModule and fake nukescripts into sys.modules; returns (nuke, registrations)."""
    fake = FakeNukeModule()
    nukescripts, panels, registrations = make_fake_nukescripts()
    monkeypatch.setitem(__import__("sys").modules, "nuke", fake)
    monkeypatch.setitem(__import__("sys").modules, "nukescripts", nukescripts)
    monkeypatch.setitem(__import__("sys").modules, "nukescripts.panels", panels)
    return fake, registrations
