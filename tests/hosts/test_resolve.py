"""The Resolve adapter and Workspace > Scripts script against FakeResolve (no Resolve here)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from host_support import FAKES, RESOURCES, ROOT
from fakes.fake_resolve import (FakeMediaPoolItem, FakeResolve, FakeTimelineItem,
                                FakeTimelineItemV19)
from vfi_plugin.host import Host, ImportRequest
from vfi_plugin.hosts import resolve as rh

CLIP = "/media/day 1/A001.mov"


def v19(left=10, duration=30, src_start=10, src_end=39, frames=200, fps="29.97", tc="00:00:00:00"):
    media = FakeMediaPoolItem(CLIP, fps, frames, tc)
    return FakeTimelineItemV19(media, left, duration, src_start, src_end)


def test_host_protocol():
    assert isinstance(rh.ResolveHost(FakeResolve(v19())), Host)


def test_current_item_inclusive_source_end():
    clip = rh.ResolveHost(FakeResolve(v19())).current_clip()
    assert clip.path == Path(CLIP)
    assert (clip.start_frame, clip.end_frame) == (10, 40)
    assert clip.fps == Fraction(30000, 1001)
    assert clip.extra["retimed"] is False


def test_current_item_exclusive_source_end():
    clip = rh.ResolveHost(FakeResolve(v19(src_end=40))).current_clip()
    assert (clip.start_frame, clip.end_frame) == (10, 40)


def test_older_resolve_uses_left_offset_and_duration():
    item = FakeTimelineItem(FakeMediaPoolItem(CLIP, "25", 200), left_offset=7, duration=20)
    clip = rh.ResolveHost(FakeResolve(item)).current_clip()
    assert (clip.start_frame, clip.end_frame) == (7, 27)
    assert clip.fps == 25


def test_source_frames_counted_from_start_timecode():
    # 01:00:00:00 at 25 fps = 90000: values beyond the clip's length are timecode-based
    item = v19(src_start=90010, src_end=90039, fps="25", tc="01:00:00:00")
    clip = rh.ResolveHost(FakeResolve(item)).current_clip()
    assert (clip.start_frame, clip.end_frame) == (10, 40)


def test_retimed_item_uses_source_span():
    clip = rh.ResolveHost(FakeResolve(v19(duration=60, src_start=10, src_end=39))).current_clip()
    assert (clip.start_frame, clip.end_frame) == (10, 40)
    assert clip.extra["retimed"] is True


def test_fps_from_timeline_when_clip_has_none():
    clip = rh.ResolveHost(FakeResolve(v19(fps=""), timeline_fps="24")).current_clip()
    assert clip.fps == 24


@pytest.mark.parametrize("resolve", [
    FakeResolve(None),                                              # playhead on no clip
    FakeResolve(FakeTimelineItemV19(None, 0, 10, 0, 9)),            # a title / generator
    FakeResolve(v19(), no_timeline=True),
])
def test_nothing_usable_selected(resolve):
    assert rh.ResolveHost(resolve).current_clip() is None


def test_no_project_is_an_error():
    with pytest.raises(RuntimeError, match="no project"):
        rh.ResolveHost(FakeResolve(v19(), no_project=True)).current_clip()


def _request(path):
    return ImportRequest(Path(path), None, Fraction(2), "slowmo", 59, Fraction(25))


def test_import_into_media_pool():
    resolve = FakeResolve(v19())
    rh.ResolveHost(resolve).import_result(_request("/out/a_slowmo2x.mp4"))
    assert resolve.pool.imported == [str(Path("/out/a_slowmo2x.mp4"))]


def test_import_falls_back_to_media_storage():
    resolve = FakeResolve(v19(), pool_works=False)
    rh.ResolveHost(resolve).import_result(_request("/out/b.mp4"))
    assert resolve.storage.imported == [str(Path("/out/b.mp4"))]


def test_import_failure_is_reported():
    resolve = FakeResolve(v19(), pool_works=False, storage_works=False)
    with pytest.raises(RuntimeError, match="could not import"):
        rh.ResolveHost(resolve).import_result(_request("/out/c.mp4"))


def test_run_panel_imports_what_the_panel_renders(clip, tmp_path):
    item = v19(src_start=3, src_end=27, duration=25, fps="25")
    item.media.props["File Path"] = str(clip)
    resolve = FakeResolve(item)
    result = rh.run_panel(resolve, None, command=[sys.executable, str(FAKES / "fake_panel.py")],
                          poll_s=0.05, timeout_s=60, workdir=str(tmp_path))
    assert result["error"] == ""
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["host"] == "DaVinci Resolve"
    assert (seen["clip"]["start_frame"], seen["clip"]["end_frame"]) == (3, 28)
    out = clip.parent / f"fake_panel_result{clip.suffix}"
    assert resolve.pool.imported == [str(out)]
    assert result["imported"] == [str(out)]
    out.unlink()


def test_run_panel_reports_a_failing_panel(tmp_path):
    result = rh.run_panel(FakeResolve(v19()), None,
                          command=[sys.executable, str(FAKES / "fake_panel.py"), "--fail"],
                          poll_s=0.05, timeout_s=60, workdir=str(tmp_path))
    assert "failing on purpose" in result["error"]
    assert result["imported"] == []


def test_run_panel_removes_its_own_folder(tmp_path, monkeypatch):
    """Without a workdir the session's temporary folder (host file, results, log) goes at the end,
    also when the panel failed (its error is read first)."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = rh.run_panel(FakeResolve(v19()), None,
                          command=[sys.executable, str(FAKES / "fake_panel.py"), "--fail"],
                          poll_s=0.05, timeout_s=60)
    assert "failing on purpose" in result["error"]
    assert list(tmp_path.iterdir()) == []


def test_run_panel_without_product_python():
    result = rh.run_panel(FakeResolve(v19()), None)
    assert "installer" in result["error"]


def test_workspace_script_end_to_end(clip, tmp_path):
    """resources/hosts/resolve/SlowMo.py, configured as the installer does, run as Resolve would."""
    spec = importlib.util.spec_from_file_location("slowmo_installer", ROOT / "installer" / "install.py")
    install = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(install)  # puts installer/ (the slowmo_installer package) on sys.path
    resolve_host = importlib.import_module("slowmo_installer.hosts.resolve")
    purelib = next(p for p in sys.path if p.endswith("site-packages"))
    script = tmp_path / "SlowMo.py"
    template = ROOT / "resources" / "hosts" / "resolve" / "SlowMo.py"
    script.write_bytes(resolve_host.script(template, {
        "python": sys.executable, "site_packages": [purelib],
        "panel_command": [sys.executable, str(FAKES / "fake_panel.py")]}))
    log = tmp_path / "resolve-log.json"
    env = dict(os.environ,
               PYTHONPATH=str(FAKES / "fake_davinci"),  # DaVinciResolveScript -> the fake
               FAKE_RESOLVE_CONFIG=json.dumps({"path": str(clip), "fps": "25", "frames": 50,
                                               "left_offset": 5, "duration": 20,
                                               "source_start": 5, "source_end": 24}),
               FAKE_RESOLVE_LOG=str(log))
    # a plain interpreter without the product on sys.path, like Resolve's own Python
    proc = subprocess.run([sys.executable, "-S", "-s", str(script)], env=env, capture_output=True,
                          text=True, timeout=120, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = clip.parent / f"fake_panel_result{clip.suffix}"
    assert json.loads(log.read_text())["imported"] == [str(out)]
    assert "imported" in proc.stdout
    out.unlink()


def test_run_panel_without_an_open_project_returns_the_error():
    result = rh.run_panel(FakeResolve(no_project=True), sys.executable,
                          command=[sys.executable, "-c", "pass"])
    assert result == {"imported": [], "error": "no project is open in DaVinci Resolve"}
    result = rh.run_panel(None, sys.executable, command=[sys.executable, "-c", "pass"])
    assert "not available" in result["error"] and result["imported"] == []
