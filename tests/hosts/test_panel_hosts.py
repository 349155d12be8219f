"""The real Qt panel driven by the host adapters (Nuke over FakeNukeModule, the panel-process host).

Only the hand-over is checked: the panel takes the host's selected clip and range.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
panel_mod = pytest.importorskip("vfi_plugin.ui.panel")

from fakes.fake_nuke import install_fake_nuke  # noqa: E402
from vfi_plugin.host import ClipSelection  # noqa: E402
from vfi_plugin.hosts import nuke as nuke_host  # noqa: E402
from vfi_plugin.hosts.external import ExternalHost, write_host_file  # noqa: E402


def _load_host_clip(qtbot, panel):
    with qtbot.waitSignal(panel.clipLoaded, timeout=30000):
        panel.use_host_clip()
    return panel


def test_nuke_panel_takes_selected_read(qtbot, monkeypatch, clip):
    fake, _ = install_fake_nuke(monkeypatch)
    fake.add_node("Read", "Read1", {"file": str(clip), "first": 4, "last": 30, "origfirst": 1},
                  metadata={"input/frame_rate": 25.0}, selected=True)
    panel = nuke_host.create_panel()  # what registerWidgetAsPanel's knob calls
    qtbot.addWidget(panel)
    try:
        assert isinstance(panel, panel_mod.SlowMoPanel)
        assert isinstance(panel.host, nuke_host.NukeHost)
        _load_host_clip(qtbot, panel)
        assert panel.info.path == clip
        assert tuple(panel.range()) == (3, 30)
    finally:
        panel.shutdown()


def test_panel_process_host(qtbot, tmp_path, clip):
    sel = ClipSelection(clip, 10, 20, Fraction(25), clip.name, {"strip": "src"})
    host = ExternalHost.from_file(write_host_file(tmp_path / "host.json", "Blender", sel,
                                                  tmp_path / "results.jsonl", clip.parent))
    panel = panel_mod.SlowMoPanel(host)
    qtbot.addWidget(panel)
    try:
        _load_host_clip(qtbot, panel)
        assert tuple(panel.range()) == (10, 20)
    finally:
        panel.shutdown()
