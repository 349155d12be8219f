"""Runs inside Blender (blender -b --factory-startup --python-exit-code 1 --python THIS -- CONFIG).

Builds a VSE scene with a trimmed movie strip, enables the SlowMo add-on from
$BLENDER_USER_SCRIPTS/addons, runs the operator's blocking path, exercises the
panel-in-own-process path with a fake panel, and writes what it found to the
JSON file named in CONFIG (the pytest side checks it).
"""
import json
import os
import sys
import time
import traceback

import addon_utils
import bpy

cfg = json.loads(open(sys.argv[sys.argv.index("--") + 1]).read())
report = {"blender": list(bpy.app.version), "errors": []}


def save():
    with open(cfg["report"], "w") as fh:
        json.dump(report, fh, indent=2)


try:
    scene = bpy.context.scene
    scene.render.fps = 25
    scene.render.fps_base = 1.0
    ed = scene.sequence_editor_create()

    mod = addon_utils.enable("slowmo_vse", default_set=True, handle_error=None)
    report["addon_enabled"] = mod is not None and "slowmo_vse" in bpy.context.preferences.addons
    report["addon_file"] = getattr(mod, "__file__", None)
    report["strips_api"] = "strips" if getattr(ed, "strips", None) is not None else "sequences"

    strips = mod.editor_strips(ed)
    src = strips.new_movie(name="src", filepath=cfg["clip"], channel=2, frame_start=10)
    src.frame_offset_start = cfg["trim_start"]
    src.frame_offset_end = cfg["trim_end"]
    mod.set_active_strip(scene, src)
    report["source"] = {"channel": src.channel, "frame_final_start": src.frame_final_start,
                        "frame_final_duration": src.frame_final_duration,
                        "frame_duration": src.frame_duration}

    t0 = time.monotonic()
    result = bpy.ops.sequencer.slowmo_render(factor=cfg["factor"])
    report["render_seconds"] = time.monotonic() - t0
    report["operator_result"] = sorted(result)
    new = ed.active_strip
    report["result"] = {"name": new.name, "type": new.type, "channel": new.channel,
                        "frame_final_start": new.frame_final_start,
                        "frame_final_duration": new.frame_final_duration,
                        "filepath": bpy.path.abspath(new.filepath)}

    # errors are reported, not raised into the user's face: a reversed strip is refused
    mod.set_active_strip(scene, src)
    src.use_reverse_frames = True
    try:
        bpy.ops.sequencer.slowmo_render(factor=2.0)
        report["reversed_error"] = None
    except RuntimeError as exc:
        report["reversed_error"] = str(exc)
    src.use_reverse_frames = False

    # the panel in its own process (a fake panel that copies the source) adds its result, and
    # the add-on's timer removes the session's folder once the panel has exited
    mod.set_active_strip(scene, src)
    job = mod.strip_job(bpy.context, 2.0)
    os.environ["FAKE_PANEL_SEEN"] = os.path.join(os.path.dirname(cfg["report"]), "seen.json")
    session = mod.PanelSession(job, scene.name, "", cfg["panel_command"])
    mod._sessions.append(session)
    deadline = time.monotonic() + 60
    while mod._poll_sessions() is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    with open(os.environ["FAKE_PANEL_SEEN"]) as fh:
        report["panel_seen"] = json.load(fh)
    report["panel_added"] = [
        {"name": s.name, "channel": s.channel, "frame_final_start": s.frame_final_start,
         "filepath": bpy.path.abspath(s.filepath)}
        for s in (mod.find_strip(scene, n) for n in session.added)]
    report["panel_dir_after_exit"] = os.path.isdir(session.dir)

    # the real panel (offscreen), opened by the operator; disabling the add-on stops it
    report["panel_result"] = sorted(bpy.ops.sequencer.slowmo_panel(python_path=cfg["panel_python"]))
    [session] = mod._sessions
    proc = session.panel.process
    time.sleep(1.5)
    report["panel_running_before"] = proc.poll() is None
    addon_utils.disable("slowmo_vse", default_set=True)
    report["panel_running_after"] = proc.poll() is None
    report["panel_dir_after"] = os.path.isdir(session.dir)
    report["sessions_after"] = len(mod._sessions)
except Exception:
    report["errors"].append(traceback.format_exc())
save()
sys.exit(1 if report["errors"] else 0)
