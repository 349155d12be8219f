"""Take a screenshot of the panel's "Open timeline..." dialog (docs/conform.png).

Run it under a real X server, e.g.::

    xvfb-run -a -s "-screen 0 1280x720x24" python tools/screenshot_conform.py [OUT.png] [--idle]

It makes two short demo clips with ffmpeg, an OpenTimelineIO timeline cutting them with
four slowed clips (one on media that is missing), opens it in the standalone window's
dialog, waits for the thumbnails, unticks a clip, starts the conform and grabs the dialog
while it renders (``--idle``: before), then cancels (nothing is left behind). Settings,
proxies and media go to a temporary folder, removed at the end.
"""
from __future__ import annotations

import sys
from pathlib import Path

from screenshot_panel import ROOT, WORK, make_demo_clip, pump, wait_until  # sets the env

from PySide6.QtWidgets import QApplication  # noqa: E402


def make_timeline(folder: Path) -> Path:
    import opentimelineio as otio
    from opentimelineio.opentime import RationalTime, TimeRange

    rate = 25
    a = make_demo_clip(folder / "bounce_A012.mp4")
    b = make_demo_clip(folder / "bounce_B007.mp4", seconds=3)

    def cut(name: str, media: Path, start: int, frames: int, speed: float | None = None):
        ref = otio.schema.ExternalReference(target_url=media.as_uri())
        item = otio.schema.Clip(name=name, media_reference=ref, source_range=TimeRange(
            RationalTime(start, rate), RationalTime(frames, rate)))
        if speed is not None:
            item.effects.append(otio.schema.LinearTimeWarp(time_scalar=speed))
        return item

    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.extend([cut("wide", a, 0, 20), cut("ball drop", a, 18, 40, 0.5),
                  cut("bounce close", b, 10, 48, 0.25), cut("wide again", a, 60, 25),
                  cut("pickup", folder / "A013_missing.mp4", 5, 30, 0.5)])
    upper = otio.schema.Track(name="V2", kind=otio.schema.TrackKind.Video)
    upper.extend([otio.schema.Gap(source_range=TimeRange(RationalTime(0, rate),
                                                         RationalTime(70, rate))),
                  cut("insert", b, 40, 20, 0.4)])
    timeline = otio.schema.Timeline(name="promo cut")
    timeline.tracks.extend([track, upper])
    path = folder / "promo_cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    import shutil

    argv = sys.argv[1:] if argv is None else argv
    idle = "--idle" in argv
    argv = [a for a in argv if a != "--idle"]
    out = Path(argv[0]) if argv else ROOT / "docs" / "conform.png"
    try:
        return shoot(out, idle)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


def shoot(out: Path, idle: bool = False) -> int:
    from vfi_plugin.ui.app import MainWindow
    from vfi_plugin.ui.icon import app_icon
    from vfi_plugin.ui.style import apply_dark_theme

    app = QApplication.instance() or QApplication(["slowmo-screenshot"])
    apply_dark_theme(app)
    app.setWindowIcon(app_icon())
    folder = WORK / "Edit"
    folder.mkdir(parents=True)
    cut = make_timeline(folder)
    window = MainWindow()
    window.resize(1280, 680)
    window.show()
    dialog = window.panel.open_timeline(cut)
    wait_until(lambda: dialog.table.rowCount() > 0, 60, "the listing")
    table = dialog.table
    wait_until(lambda: all(table.thumbnail(r.number) for r in table.rows if r.ok), 60,
               "the thumbnails")
    table.set_checked(4, False)
    if idle:
        pump(0.3)
        grab(dialog, out)
        window.close()
        return 0
    dialog.render()
    wait_until(lambda: dialog.progress_bar.value() >= 40 or not dialog.busy, 600,
               "render progress")
    pump(0.3)
    try:
        grab(dialog, out)
    finally:
        dialog.cancel()
        wait_until(lambda: not dialog.busy, 60, "the cancel")
        window.close()
    return 0


def grab(dialog, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not dialog.grab().save(str(out)):
        raise OSError(f"could not write {out}")
    print(f"wrote {out} ({dialog.width()}x{dialog.height()})")


if __name__ == "__main__":
    sys.exit(main())
