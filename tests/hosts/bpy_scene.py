"""Runs in a venv holding Blender as a module (python bpy_scene.py CONFIG): the extension for real.

Installs the extension zip the way Preferences › Get Extensions › Install from Disk does
(``extensions.package_install_files``, enabled on install), renders a trimmed movie strip
with the operator (the real CLI), cancels a second render while its output is being
written (SIGINT, as Ctrl+C in `blender -b` would), opens the real panel process, disables
the extension, and writes what it saw to the JSON report named in CONFIG.
"""
import glob
import json
import os
import signal
import sys
import threading
import time
import traceback

cfg = json.loads(open(sys.argv[1]).read())
report = {"errors": []}


def strip_info(strip):
    import bpy

    return {"name": strip.name, "type": strip.type, "channel": strip.channel,
            "frame_final_start": strip.frame_final_start,
            "frame_final_duration": strip.frame_final_duration,
            "filepath": bpy.path.abspath(strip.filepath)}


def interrupt_when_writing(folder, timeout=120.0):
    """SIGINT this process once a partial output appears in ``folder`` (a render is writing)."""
    def watch():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if glob.glob(os.path.join(folder, ".*.slowmo-partial-*")):
                report["partial_seen"] = True
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, daemon=True).start()


def group_members(pgid):
    """Processes still in process group ``pgid`` (Linux /proc)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(stat)
    return found


try:
    import bpy

    report["blender"] = list(bpy.app.version)
    result = bpy.ops.extensions.package_install_files(
        filepath=cfg["zip"], repo="user_default", enable_on_install=True)
    report["install_result"] = sorted(result)
    name = "bl_ext.user_default.slowmo_vse"
    report["enabled"] = name in bpy.context.preferences.addons
    mod = sys.modules[name]
    report["addon_file"] = mod.__file__
    report["shared_files"] = {m: getattr(mod, m).__file__ for m in ("common", "hostfile", "render_process")}
    report["cli_found"] = mod.find_cli()

    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = 25, 1.0
    ed = scene.sequence_editor_create()
    report["strips_api"] = "strips" if getattr(ed, "strips", None) is not None else "sequences"
    src = mod.editor_strips(ed).new_movie(name="src", filepath=cfg["clip"], channel=2, frame_start=10)
    src.frame_offset_start, src.frame_offset_end = cfg["trim_start"], cfg["trim_end"]
    mod.set_active_strip(scene, src)
    report["source"] = strip_info(src)

    t0 = time.monotonic()
    report["operator_result"] = sorted(bpy.ops.sequencer.slowmo_render(factor=cfg["factor"]))
    report["render_seconds"] = time.monotonic() - t0
    report["result"] = strip_info(ed.active_strip)

    # cancel: a longer render, interrupted once its partial output is being written
    folder = os.path.dirname(cfg["clip"])
    before = sorted(os.listdir(folder))
    src.frame_offset_end = 0
    mod.set_active_strip(scene, src)
    interrupt_when_writing(folder)
    t0 = time.monotonic()
    try:
        report["cancel_result"] = sorted(bpy.ops.sequencer.slowmo_render(factor=cfg["factor"]))
    except KeyboardInterrupt:  # the interrupt landed outside the operator's wait
        report["cancel_result"] = ["KeyboardInterrupt outside the operator"]
    report["cancel_seconds"] = time.monotonic() - t0
    report["files_added_by_cancel"] = sorted(set(os.listdir(folder)) - set(before))
    report["strips_after_cancel"] = sorted(s.name for s in mod.editor_all_strips(ed))

    # the panel in its own process (the real one, offscreen), then the extension disabled
    mod.set_active_strip(scene, src)
    report["panel_result"] = sorted(bpy.ops.sequencer.slowmo_panel(python_path=cfg["panel_python"]))
    [session] = mod._sessions
    proc = session.panel.process
    time.sleep(1.5)
    report["panel_running_before"] = proc.poll() is None
    report["panel_dir_before"] = os.path.isdir(session.dir)
    bpy.ops.preferences.addon_disable(module=name)
    report["disabled"] = name not in bpy.context.preferences.addons
    report["panel_running_after"] = proc.poll() is None
    report["panel_group_after"] = group_members(proc.pid)
    report["panel_dir_after"] = os.path.isdir(session.dir)
    report["sessions_after"] = len(mod._sessions)
except Exception:
    report["errors"].append(traceback.format_exc())
with open(cfg["report"], "w") as fh:
    json.dump(report, fh, indent=2)
sys.exit(1 if report["errors"] else 0)
