"""Take the README screenshot of the SlowMo window (docs/panel.png).

Run it under a real X server, e.g.::

    xvfb-run -s "-screen 0 1400x900x24" python tools/screenshot_panel.py [OUT.png] [WxH] [--ramp]

(WxH: the window's size, default 1280x860; 1280x720 checks a small laptop screen.
--ramp: a speed ramp (the Ease in-out preset, one key moved) in the lane under the timeline.)

It makes a short demo clip with ffmpeg (a moving ball over drifting gradients),
opens it in the standalone window with the dark theme, marks a range, renders
the slow-motion preview, starts a real render and grabs the window while the
progress bar runs; then it cancels the render and leaves nothing behind.
Settings and proxies go to a temporary folder, not the user's, removed at the end.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="slowmo-shot-"))
os.environ.setdefault("VFI_SLOWMO_CONFIG_DIR", str(WORK / "config"))
os.environ.setdefault("VFI_SLOWMO_CACHE_DIR", str(WORK / "cache"))

from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

CLIP_FILTER = (
    "[0][1]overlay=x='-90+t*190':y='150+sin(t*4.5)*110':shortest=1[a];"
    "[a][2]overlay=x='600-t*150':y='60+abs(sin(t*3))*200',"
    "drawgrid=w=80:h=80:t=1:c=white@0.06,format=yuv420p"
)


def make_demo_clip(path: Path, seconds: int = 4) -> Path:
    ball = ("color=c=0x{c}:s={d}x{d}:r=25:d={s},format=rgba,geq=r='r(X,Y)':g='g(X,Y)':"
            "b='b(X,Y)':a='if(lte(hypot(X-{h},Y-{h}),{r}),255,0)'")
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", f"gradients=s=640x360:r=25:d={seconds}:speed=0.04:"
           "c0=0x14213d:c1=0x2b5876:c2=0x162447:c3=0x4e4376:nb_colors=4:seed=3",
           "-f", "lavfi", "-i", ball.format(c="f2b632", d=90, s=seconds, h=45, r=44),
           "-f", "lavfi", "-i", ball.format(c="e8eef5", d=40, s=seconds, h=20, r=19),
           "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}",
           "-filter_complex", CLIP_FILTER, "-map", "3:a",
           "-c:v", "libx264", "-crf", "18", "-g", "25", "-c:a", "aac", "-b:a", "96k",
           "-shortest", str(path)]
    subprocess.run(cmd, check=True)
    return path


def wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ramp = "--ramp" in argv
    argv = [a for a in argv if a != "--ramp"]
    out = Path(argv[0]) if argv else ROOT / "docs" / "panel.png"
    width, height = (int(v) for v in (argv[1] if len(argv) > 1 else "1280x860").split("x"))
    try:
        return shoot(out, width, height, ramp)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


def shoot(out: Path, width: int, height: int, ramp: bool = False) -> int:
    from vfi_plugin.ui.app import MainWindow
    from vfi_plugin.ui.icon import app_icon
    from vfi_plugin.ui.style import apply_dark_theme

    app = QApplication.instance() or QApplication(["slowmo-screenshot"])
    apply_dark_theme(app)
    app.setWindowIcon(app_icon())
    clip_dir = WORK / "Footage"
    clip_dir.mkdir(parents=True)
    clip = make_demo_clip(clip_dir / "bounce_A012.mp4")
    window = MainWindow()
    window.resize(width, height)
    window.show()
    panel = window.panel
    panel.open_file(clip)
    wait_until(lambda: panel.info is not None, 30, "the clip")
    wait_until(lambda: panel.timeline.thumbnails(), 120, "the filmstrip")
    wait_until(lambda: panel.loader.devices is not None, 60, "the engine")
    panel.set_factor(4)
    panel.set_range(18, 71)
    panel.set_playhead(40)
    panel.set_device("auto")
    if ramp:
        panel.ramp.apply_preset("ease-in-out")
        lane = panel.ramp_lane
        lane.select(1)
        key = lane.keys()[1]
        lane.move_key(1, key.time - 0.12, key.speed / 2)  # one key moved: 8x at its slowest
        lane.setFocus()
    panel.start_preview()
    wait_until(lambda: panel.preview.result is not None, 600, "the preview")
    wait_until(lambda: panel.preview.pos >= 30, 30, "the preview loop")
    panel.preview.timer.stop()  # hold a frame with the ball between source frames
    panel.preview.pos = 30
    panel.preview.tick(advance=False)
    panel.set_output_folder(WORK)  # the render goes to the temp folder
    panel.render()
    wait_until(lambda: panel.progress_bar.maximum() > 0 and panel.progress_bar.value() >= 80,
               600, "render progress")
    pump(0.3)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        raise OSError(f"could not write {out}")
    print(f"wrote {out} ({window.width()}x{window.height()})")
    panel.cancel_render()
    wait_until(lambda: not panel.is_rendering(), 30, "the cancel")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
