"""Runs inside Blender *with a window* (xvfb-run blender --factory-startup --enable-event-simulate
--python THIS -- CONFIG): the operator's interactive path, a modal operator polling the CLI
from a timer, and Esc cancelling a second render. Writes a JSON report, then quits Blender.
"""
import glob
import json
import os
import sys
import time
import traceback

import addon_utils
import bpy

cfg = json.loads(open(sys.argv[sys.argv.index("--") + 1]).read())
report = {"errors": [], "events": []}
state = {"t0": time.monotonic(), "phase": "start"}


def finish():
    with open(cfg["report"], "w") as fh:
        json.dump(report, fh, indent=2)
    # quitting saves quit.blend into the temp folder: keep it in the test's folder
    bpy.context.preferences.filepaths.temporary_directory = os.path.dirname(cfg["report"])
    bpy.ops.wm.quit_blender()


def running_renders(marker):
    """Processes whose command line holds ``marker`` (the cancelled render's output name)."""
    found = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as fh:
                if marker.encode() in fh.read():
                    found.append(cmdline)
        except OSError:
            pass
    return found


def window_override():
    win = bpy.context.window_manager.windows[0]
    area = win.screen.areas[0]
    area.type = "SEQUENCE_EDITOR"
    region = next(r for r in area.regions if r.type == "WINDOW")
    return win, {"window": win, "area": area, "region": region, "screen": win.screen}


def invoke(factor):
    win, ctx = window_override()
    with bpy.context.temp_override(**ctx):
        return sorted(bpy.ops.sequencer.slowmo_render("INVOKE_DEFAULT", factor=factor))


def step():
    try:
        scene = bpy.context.scene
        ed = scene.sequence_editor
        now = time.monotonic() - state["t0"]
        if now > 240:
            report["errors"].append(f"timed out in phase {state['phase']}")
            finish()
            return None
        if state["phase"] == "start":
            mod = addon_utils.enable("slowmo_vse", default_set=True)
            scene.render.fps = 25
            ed = scene.sequence_editor_create()
            src = mod.editor_strips(ed).new_movie(name="src", filepath=cfg["clip"], channel=2,
                                                  frame_start=10)
            src.frame_offset_start, src.frame_offset_end = 5, 10
            mod.set_active_strip(scene, src)
            report["invoke_1"] = invoke(2.0)
            state.update(phase="rendering", started=now)
            return 0.2
        if state["phase"] == "rendering":
            names = [s.name for s in ed.sequences_all]
            if "src_slowmo2x" in names:
                new = ed.sequences_all["src_slowmo2x"]
                report["result"] = {"channel": new.channel, "frame_final_start": new.frame_final_start,
                                    "frame_final_duration": new.frame_final_duration,
                                    "filepath": bpy.path.abspath(new.filepath)}
                report["render_seconds"] = now - state["started"]
                # second render, cancelled with Esc while it runs
                bpy.context.scene.sequence_editor.active_strip = ed.sequences_all["src"]
                report["invoke_2"] = invoke(2.0)
                state.update(phase="cancel", started=now)
            return 0.2
        if state["phase"] == "cancel" and now - state["started"] > 1.5:
            win = bpy.context.window_manager.windows[0]
            win.event_simulate(type="ESC", value="PRESS")
            win.event_simulate(type="ESC", value="RELEASE")
            state.update(phase="after_cancel", started=now)
            return 0.2
        if state["phase"] == "after_cancel" and now - state["started"] > 3.0:
            report["strips_after_cancel"] = sorted(s.name for s in ed.sequences_all)
            report["renders_running_after_cancel"] = running_renders("_slowmo2x_f5-40_2.mp4")
            folder = os.path.dirname(cfg["clip"])
            report["files_after_cancel"] = sorted(os.path.basename(p) for p in glob.glob(
                os.path.join(folder, "*")) + glob.glob(os.path.join(folder, ".*")))
            finish()
            return None
        return 0.2
    except Exception:
        report["errors"].append(traceback.format_exc())
        finish()
        return None


bpy.app.timers.register(step, first_interval=1.0)
