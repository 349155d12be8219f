"""The Nuke adapter and menu.py snippet against FakeNukeModule (Nuke is not available here)."""
from __future__ import annotations

import json
import runpy
import sys
import threading
from fractions import Fraction
from pathlib import Path

import pytest

from host_support import RESOURCES
from fakes.fake_nuke import install_fake_nuke
from vfi_plugin.host import ClipSelection, Host, ImportRequest
from vfi_plugin.hosts import nuke as nuke_host


@pytest.fixture
def fake(monkeypatch):
    nuke, registrations = install_fake_nuke(monkeypatch)
    nuke.registrations = registrations
    return nuke


def add_read(fake, path="/shots/a b/plate.mov", first=5, last=40, origfirst=1, fps=23.976,
             selected=True, name="Read1"):
    return fake.add_node("Read", name, {"file": path, "first": first, "last": last,
                                        "origfirst": origfirst, "origlast": 100},
                         metadata={"input/frame_rate": fps} if fps else {}, selected=selected)


def in_thread(fn):
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(10)
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_host_protocol(fake):
    host = nuke_host.NukeHost()
    assert isinstance(host, Host)
    assert host.name == "Nuke"


def test_selected_read_gives_file_and_range(fake):
    read = add_read(fake)
    read.setXYpos(100, 200)
    clip = nuke_host.NukeHost().current_clip()
    assert clip.path == Path("/shots/a b/plate.mov")
    # Nuke frames 5..40 of a movie numbered from 1 = file frames 4..39, end exclusive 40
    assert (clip.start_frame, clip.end_frame) == (4, 40)
    assert clip.fps == Fraction(24000, 1001)
    assert clip.extra["node"] == "Read1"
    assert fake.main_thread_calls == []  # main thread: called directly (the real call would deadlock)


def test_fps_falls_back_to_root(fake):
    add_read(fake, fps=None)
    fake.root()["fps"].setValue(30.0)
    assert nuke_host.NukeHost().current_clip().fps == 30


def test_no_read_selected(fake):
    add_read(fake, selected=False)
    fake.add_node("Blur", "Blur1", selected=True)
    assert nuke_host.NukeHost().current_clip() is None


def test_worker_thread_goes_through_main_thread(fake):
    add_read(fake)
    host = nuke_host.NukeHost()
    clip = in_thread(host.current_clip)
    assert clip.start_frame == 4
    assert fake.main_thread_calls == ["call"]


def test_worker_thread_errors_come_back(fake):
    host = nuke_host.NukeHost()
    fake.selectedNodes = lambda *a: (_ for _ in ()).throw(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        in_thread(host.current_clip)


def test_import_result_creates_read_next_to_source(fake, tmp_path):
    src = add_read(fake)
    src.setXYpos(100, 200)
    out = tmp_path / "plate_slowmo2x.mov"
    fake.movie_frames[out.as_posix()] = 71
    sel = nuke_host.NukeHost().current_clip()
    request = ImportRequest(out, sel, Fraction(2), "slowmo", 71, Fraction(24000, 1001))
    in_thread(lambda: nuke_host.NukeHost().import_result(request))
    assert fake.main_thread_calls == ["call"]
    read = fake.all_nodes[-1]
    assert read is not src and read.Class() == "Read"
    assert read["file"].value() == out.as_posix()
    assert (read["first"].value(), read["last"].value()) == (1, 71)
    assert (read["frame_mode"].value(), read["frame"].value()) == ("start at", "5")
    assert (read.xpos(), read.ypos()) == (100 + 80 + 40, 200)
    assert "SlowMo 2x" in read["label"].value()


def test_import_without_source_node(fake, tmp_path):
    out = tmp_path / "x.mp4"
    sel = ClipSelection(Path("/gone.mov"), 0, 10, Fraction(25), extra={"node": "Deleted"})
    nuke_host.NukeHost().import_result(ImportRequest(out, sel, Fraction(4), "slowmo", 37, Fraction(25)))
    assert fake.all_nodes[-1]["file"].value() == out.as_posix()


def test_install_menus_registers_panel(fake):
    nuke_host.install_menus()
    assert fake.registrations == [(nuke_host.WIDGET_FACTORY, "SlowMo", nuke_host.PANEL_ID, False)]
    assert "SlowMo Panel" in fake.menu("Nuke").items["SlowMo"].items
    # the string Nuke evaluates names the factory; calling it builds the Qt panel (not here)
    assert eval(nuke_host.WIDGET_FACTORY) is nuke_host.create_panel


def test_open_panel_docks_next_to_properties(fake):
    panel = nuke_host.open_panel()
    assert fake.registrations[-1][3] is True
    assert panel.pane == "pane:Properties.1"


def _run_menu_snippet(tmp_path, fake, config):
    folder = tmp_path / "slowmo"
    folder.mkdir()
    (folder / "menu.py").write_bytes((RESOURCES / "nuke" / "menu.py").read_bytes())
    (folder / "slowmo_config.json").write_text(json.dumps(config))
    fake.plugin_paths.append(str(folder))
    return runpy.run_path(str(folder / "menu.py"), run_name="__main__")


def test_menu_snippet_registers_panel(fake, tmp_path):
    purelib = next(p for p in sys.path if p.endswith("site-packages"))
    ns = _run_menu_snippet(tmp_path, fake, {"python_version": "%d.%d" % sys.version_info[:2],
                                            "site_packages": [purelib]})
    assert ns["_slowmo_problem"] is None
    assert fake.registrations and fake.registrations[0][2] == nuke_host.PANEL_ID


def test_menu_snippet_explains_python_mismatch(fake, tmp_path):
    ns = _run_menu_snippet(tmp_path, fake, {"python_version": "2.7", "site_packages": []})
    assert "Python 2.7" in ns["_slowmo_problem"]
    assert fake.registrations == []
    command = fake.menu("Nuke").items["SlowMo"].items["SlowMo unavailable (why?)"]
    command()
    assert "installer" in fake.messages[-1]
