"""The panel's "Render on": this computer, a Dask cluster (its address checked for
reachability without blocking the window), and the export of a farm job bundle."""
from __future__ import annotations

import socket

import pytest
import yaml
from PySide6.QtWidgets import QFileDialog

from vfi_plugin.errors import UserInputError
from vfi_plugin.media import probe
from vfi_plugin.session import PanelState


def test_the_request_carries_the_cluster_only_when_asked(make_clip) -> None:
    info = probe(make_clip("farm.mp4", 96, 64, fps=10, frames=12))
    state = PanelState(info=info, start=0, end=12, name="out.mp4")
    assert state.to_request().farm is None
    state.render_on = "dask"
    with pytest.raises(UserInputError, match="scheduler's address"):
        state.to_request()
    state.scheduler = "render-head:8786"
    assert state.to_request().farm.scheduler == "tcp://render-head:8786"


def test_check_says_whether_the_scheduler_answers(qtbot, panel) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    panel.render_on_combo.setCurrentIndex(panel.render_on_combo.findData("dask"))
    assert panel.scheduler_edit.isVisibleTo(panel) and panel.state.render_on == "dask"
    panel.scheduler_edit.setText(f"tcp://127.0.0.1:{port}")
    panel.check_button.click()
    qtbot.waitUntil(lambda: "answers" in panel.message(), timeout=5000)
    listener.close()
    panel.check_button.click()  # nothing listens on that port any more
    qtbot.waitUntil(lambda: "cannot reach 127.0.0.1" in panel.message(), timeout=5000)
    panel.scheduler_edit.setText("tcp://:x")
    panel.check_button.click()
    assert "not a scheduler address" in panel.message()
    panel.render_on_combo.setCurrentIndex(panel.render_on_combo.findData("here"))
    assert not panel.scheduler_edit.isVisibleTo(panel) and panel.state.render_on == "here"


def test_export_farm_bundle_writes_the_panels_render(qtbot, panel, make_clip, open_clip,
                                                      tmp_path, monkeypatch) -> None:
    source = make_clip("bundle.mp4", 96, 64, fps=10, frames=12)
    open_clip(panel, source)
    bundle = tmp_path / "farm-job"
    bundle.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(bundle))
    panel.bundle_button.click()
    qtbot.waitUntil(lambda: "wrote the job bundle" in panel.message(), timeout=30000)
    template = yaml.safe_load((bundle / "template.yaml").read_text())
    assert [step["name"] for step in template["steps"]] == ["Segments", "Assemble"]
    values = yaml.safe_load((bundle / "parameter_values.yaml").read_text())
    given = {v["name"]: v["value"] for v in values["parameterValues"]}
    assert given["Input"] == str(source.resolve()) or given["Input"] == str(source)
    assert given["OutputName"] == panel.state.name
