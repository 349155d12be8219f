"""The panel's "Open timeline...": a real timeline (OpenTimelineIO) on generated media, listed,
previewed and conformed through the dialog on a real Qt event loop, with real renders."""
from __future__ import annotations

import gzip
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from clips import frame_index, write_clip
from conform.timelines import RATE, clip, gap, timeline
from test_editor_traps import answer_next_question, qimage_array
from vfi_plugin.conform.clips import time_warp, video_clips
from vfi_plugin.errors import UserInputError
from vfi_plugin.session.conform import ConformChoices, default_output, parse_rate
from vfi_plugin.ui import threads

RENDER_TIMEOUT_MS = 180_000
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """32x32, 24 fps, 40 lossless frames carrying their index (in bands)."""
    return write_clip(tmp_path_factory.mktemp("media") / "take.mkv", 32, 32, Fraction(RATE), 40,
                      codec="ffv1")


def write_cut(folder: Path, media: Path, suffix: str = ".otio") -> Path:
    """Clip 1 at 50 % from media frame 10, clip 2 at 25 % from frame 20, clip 3 at 50 % on
    media that is not there (left as it is); a plain clip before them."""
    missing = folder / "gone.mkv"
    items = [clip("plain", media, 2, 6), clip("half", media, 10, 6, 0.5), gap(3),
             clip("quarter", media, 20, 5, 0.25), clip("lost", missing, 0, 4, 0.5)]
    path = folder / f"cut{suffix}"
    otio.adapters.write_to_file(timeline(items), str(path))
    return path


def open_listed(qtbot, panel, path: Path):
    panel.timeline_button.click()
    dialog = panel.conform.dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.listed, timeout=60_000) as blocker:
        dialog.open_timeline(path)
    return dialog, blocker.args[0]


def by_name(tl) -> dict:
    return {item.name: item for _, _, item in video_clips(tl)}


def test_lists_previews_and_renders_the_chosen_clips(qtbot, panel, media, tmp_path,
                                                      monkeypatch):
    cut = write_cut(tmp_path, media)
    dialog, count = open_listed(qtbot, panel, cut)
    table = dialog.table
    assert count == 3
    assert [(r.number, r.name, r.speed_text) for r in table.rows] == [
        (1, "half", "50 %"), (2, "quarter", "25 %"), (3, "lost", "50 %")]
    half, quarter, lost = table.rows
    # record: where it sits on the track; source: the media times it shows
    assert half.record_text == "00:00:00:06 \u2013 00:00:00:12"
    assert half.source_text == "00:00:00:10 \u2013 00:00:00:13"
    assert quarter.record_text == "00:00:00:15 \u2013 00:00:00:20"
    assert table.item(0, 8).text() == "take.mkv"
    assert table.is_checked(1) and table.is_checked(2) and table.is_enabled(1)
    assert not table.is_checked(3) and not table.is_enabled(3)
    assert "media not found" in table.item(2, 9).text()
    assert not table.preview_button(3).isEnabled()
    assert not dialog.fps_edit.isVisibleTo(dialog)  # an .otio says its rate
    assert dialog.output_edit.text() == str(tmp_path / "cut_slowmo.otio")
    assert str(tmp_path / "cut_slowmo_media") in dialog.media_edit.placeholderText()

    # thumbnails: each clip's first shown media frame, decoded in a worker
    qtbot.waitUntil(lambda: table.thumbnail(1) is not None and table.thumbnail(2) is not None,
                    timeout=30_000)
    for number, shown in ((1, 10), (2, 20)):
        assert frame_index(qimage_array(table.thumbnail(number).toImage())) == shown
    assert table.thumbnail(3) is None

    # Preview: the panel gets the clip, the frames its render uses and the factor 1/speed
    with qtbot.waitSignal(panel.clipLoaded, timeout=30_000):
        table.preview_button(2).click()
    assert panel.info.path == media
    assert panel.range() == (quarter.start_frame, quarter.end_frame)
    assert quarter.start_frame <= 20 and quarter.end_frame >= 22
    assert panel.factor() == 4.0 and panel.mode() == "slowmo"

    # untick clip 2, render clip 1 for real
    table.set_checked(2, False)
    assert table.checked() == (1,) and table.item(1, 9).text() == "not chosen"
    dialog.codec_combo.setCurrentIndex(dialog.codec_combo.findData("ffv1"))
    progress = []
    with qtbot.waitSignal(dialog.conformFinished, timeout=RENDER_TIMEOUT_MS) as done:
        dialog.render_button.click()
        assert dialog.cancel_button.isEnabled() and not dialog.render_button.isEnabled()
        assert not table.is_enabled(1) and table.preview_button(1).isEnabled()
        dialog.progress_bar.valueChanged.connect(
            lambda _v: progress.append(dialog.progress_bar.format()))
    result = done.args[0]
    new_path = tmp_path / "cut_slowmo.otio"
    assert result.output == new_path and new_path.is_file()
    assert any(text.startswith("clip 1 of 1") for text in progress), progress
    assert table.item(0, 9).text().startswith("rendered: take_x2_f")
    assert table.item(2, 9).text().startswith("left as it was: media not found")
    assert table.item(1, 9).text() == "left as it was: not chosen"
    assert dialog.status_kind() == "ok"
    assert "1 clip conformed, 2 left as they were; 1 render in cut_slowmo_media" \
        in dialog.status()
    assert dialog.reveal_button.isEnabled()
    shown = []
    monkeypatch.setattr("vfi_plugin.ui.conform_dialog.reveal_in_file_manager", shown.append)
    dialog.reveal_button.click()
    assert shown == [new_path]
    dialog.render_button.click()  # again: the new timeline is there now
    assert not dialog.busy and dialog.status_kind() == "error"
    assert "cut_slowmo.otio already exists" in dialog.status() and "tick Overwrite" in \
        dialog.status()

    old_tl, new_tl = (otio.adapters.read_from_file(str(p)) for p in (cut, new_path))
    old, new = by_name(old_tl), by_name(new_tl)
    rendered = Path(otio.url_utils.filepath_from_url(new["half"].media_reference.target_url))
    assert rendered.parent == tmp_path / "cut_slowmo_media" and rendered.is_file()
    assert time_warp(new["half"]) is None  # at 100 %
    assert new["half"].range_in_parent() == old["half"].range_in_parent()
    for name in ("quarter", "lost", "plain"):  # left as they were
        assert new[name].media_reference.target_url == old[name].media_reference.target_url
        assert new[name].range_in_parent() == old[name].range_in_parent()
        assert new[name].source_range == old[name].source_range
    assert float(time_warp(new["quarter"]).speed) == 0.25


def test_closing_while_rendering_cancels_and_leaves_nothing(qtbot, panel, tmp_path):
    media = write_clip(tmp_path / "big.mkv", 320, 180, Fraction(RATE), 40, codec="ffv1")
    cut = tmp_path / "long.otio"
    otio.adapters.write_to_file(timeline([clip("slow", media, 2, 60, 0.25)]), str(cut))
    before = sorted(p.name for p in tmp_path.iterdir())
    dialog, count = open_listed(qtbot, panel, cut)
    assert count == 1
    started = []
    dialog.progress_bar.valueChanged.connect(lambda v: started.append(v))
    dialog.render_button.click()
    qtbot.waitUntil(lambda: any(v > 0 for v in started) or not dialog.busy,
                    timeout=RENDER_TIMEOUT_MS)
    assert dialog.busy, "the render ended before it could be cancelled"
    asked = answer_next_question("Keep rendering")
    dialog.close()
    assert asked and "still rendering" in asked[0]
    assert dialog.isVisible() and dialog.busy
    asked = answer_next_question("Cancel conform")
    with qtbot.waitSignal(dialog.conformCancelled, timeout=60_000):
        dialog.close()
    assert asked and "still rendering" in asked[0]
    assert not dialog.isVisible()
    assert "no timeline was written" in dialog.status()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no timeline, no media folder
    threads.wait_all(5.0)
    assert threads.running_threads() == 0


def test_a_bad_timeline_is_one_line_in_the_dialog(qtbot, panel, tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_text("<xmeml><sequence>not a timeline")
    dialog = panel.open_timeline()
    with qtbot.waitSignal(dialog.listFailed, timeout=30_000) as failed:
        dialog.open_timeline(bad)
    message = failed.args[0]
    assert dialog.status() == message and dialog.status_kind() == "error"
    assert str(bad) in message and "\n" not in message and "Traceback" not in message
    assert dialog.table.rowCount() == 0 and not dialog.render_button.isEnabled()
    with qtbot.waitSignal(dialog.listFailed, timeout=30_000) as failed:
        dialog.open_timeline(tmp_path / "notes.txt")
    assert "unknown timeline format" in failed.args[0]


def test_an_edl_asks_for_its_frame_rate(qtbot, panel, media, tmp_path):
    cut = tmp_path / "cut.edl"
    otio.adapters.write_to_file(timeline([clip("half", media, 10, 6, 0.5)]), str(cut))
    dialog, count = open_listed(qtbot, panel, cut)
    assert count == 1 and dialog.fps_edit.isVisibleTo(dialog)
    assert dialog.output_edit.text() == str(tmp_path / "cut_slowmo.edl")
    dialog.fps_edit.setText("nope")
    dialog.fps_edit.editingFinished.emit()
    assert dialog.status_kind() == "error" and "bad EDL frame rate 'nope'" in dialog.status()
    with qtbot.waitSignal(dialog.listed, timeout=30_000):
        dialog.fps_edit.setText("25")
        dialog.fps_edit.editingFinished.emit()
    assert dialog.choices.rate() == 25
    assert dialog.table.rows[0].record_text.endswith("00:00:00:06")


def test_choices_defaults_and_rates(tmp_path):
    """The new timeline goes next to the old one, in its format; an EDL's rate is asked
    for, other formats carry theirs."""
    assert default_output(tmp_path / "cut.xml") == tmp_path / "cut_slowmo.xml"
    assert default_output(tmp_path / "reel.aaf") == tmp_path / "reel_slowmo.aaf"
    assert parse_rate("29.97") == Fraction(30000, 1001) and parse_rate("25") == 25
    with pytest.raises(UserInputError, match="bad EDL frame rate '0'"):
        parse_rate("0")
    choices = ConformChoices(timeline=tmp_path / "cut.edl", edl_fps="25")
    assert choices.media_path() == tmp_path / "cut_slowmo_media"
    assert choices.plan_options((2,))["rate"] == 25
    with pytest.raises(UserInputError, match="no clip is ticked"):
        choices.plan_options(())
    assert ConformChoices(timeline=tmp_path / "cut.otio", edl_fps="x").rate() is None


def test_media_composer_aaf_finds_its_media_in_a_search_folder(qtbot, panel, tmp_path):
    """An AAF exported by Media Composer points at another computer's disk: its clips are
    listed as left (media not found) until a folder holding the media is given."""
    cut = tmp_path / "cut.aaf"
    cut.write_bytes(gzip.decompress((DATA / "linear_speed_effects.aaf.gz").read_bytes()))
    dialog, count = open_listed(qtbot, panel, cut)
    table = dialog.table
    assert count == 6 and not table.checked() and not dialog.render_button.isEnabled()
    assert all("media not found" in table.item(i, 9).text() for i in range(count))
    assert dialog.output_edit.text() == str(tmp_path / "cut_slowmo.aaf")
    found = tmp_path / "found"
    found.mkdir()
    write_clip(found / "Frame Debugger 0h.mov", 32, 32, Fraction(RATE), 120)
    with qtbot.waitSignal(dialog.listed, timeout=60_000):
        dialog.search_edit.setText(str(found))
        dialog.search_edit.editingFinished.emit()
    assert [r.speed_text for r in table.rows] == ["50 %", "33.33 %", "25 %", "66.67 %", "50 %",
                                                  "75 %"]
    assert table.checked() == (1, 2, 3, 4, 5, 6) and dialog.render_button.isEnabled()
    assert dialog.choices.plan_options(table.checked())["search"] == (found,)


def test_renders_on_the_panels_dask_cluster(qtbot, panel, media, tmp_path):
    """Render on: Dask cluster applies to a timeline too: the clips' segments run as one queue
    on the scheduler at the panel's address (a real in-process scheduler and worker)."""
    from distributed import LocalCluster

    cut = write_cut(tmp_path, media)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        panel.state.render_on, panel.state.scheduler = "dask", cluster.scheduler_address
        dialog, _ = open_listed(qtbot, panel, cut)
        dialog.table.set_checked(2, False)
        dialog.codec_combo.setCurrentIndex(dialog.codec_combo.findData("ffv1"))
        with qtbot.waitSignal(dialog.conformFinished, timeout=RENDER_TIMEOUT_MS) as done:
            dialog.render_button.click()
            assert f"on the Dask cluster at {cluster.scheduler_address}" in dialog.status()
        worker_tasks = sum(len(w.state.log) for w in cluster.workers.values())
    result = done.args[0]
    assert worker_tasks > 0  # the segments ran on the cluster's worker
    (rendered,) = result.rendered
    item = by_name(otio.adapters.read_from_file(str(result.output)))["half"]
    assert item.media_reference.target_url == rendered.resolve().as_uri()
    assert time_warp(item) is None
    panel.state.render_on = "here"
