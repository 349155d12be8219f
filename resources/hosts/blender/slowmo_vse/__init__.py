"""SlowMo for Blender's Video Sequencer: neural slow motion of the active movie strip.

Sequencer > Strip > SlowMo, or the sidebar (N) > SlowMo tab:
* "Render Slow Motion": renders the active movie strip's trimmed range with the
  SlowMo command line tool (``vfi-slowmo``, run in a subprocess: Blender's Python
  has no torch) and adds the result as a new movie strip on the channel above,
  starting where the source strip starts. Progress shows in the status bar and
  the window manager's progress cursor; Esc cancels. In background mode
  (``blender -b``) and from scripts, ``bpy.ops.sequencer.slowmo_render()``
  renders to completion (blocking) instead.
* "Open SlowMo Panel": the full SlowMo panel (preview, factor, mode) in its own
  window; each render finished there is added the same way.

Works with Blender 3.4 through 5.x (strips were renamed in 4.4: see the
compatibility helpers below): a legacy add-on up to 4.1, an extension
(blender_manifest.toml) from 4.2 on. ``common``, ``hostfile`` and
``render_process`` are not kept here: the installer copies them from the
SlowMo package it registers (vfi_plugin/hosts), so the add-on and the product
share one copy of the CLI's progress lines, the host-file protocol and the
partial-output name.
"""
bl_info = {
    "name": "SlowMo (neural slow motion)",
    "author": "SlowMo",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "Sequencer > Strip > SlowMo, Sequencer sidebar > SlowMo",
    "description": "Render the active movie strip in slow motion with SlowMo's frame interpolation",
    "category": "Sequencer",
}

import os

import bpy
from bpy.props import FloatProperty, StringProperty
from bpy.types import AddonPreferences, Operator, Panel

try:
    from . import common, hostfile, render_process
except ImportError as exc:  # the bare resources folder: the installer adds these files
    raise ImportError("SlowMo's add-on is incomplete (common.py, hostfile.py, render_process.py "
                      "are missing): install it with SlowMo's installer") from exc

ADDON_ID = __name__
HERE = os.path.dirname(os.path.abspath(__file__))


def read_config():
    """What the installer wrote next to this file (slowmo_config.json)."""
    return common.read_config(os.path.join(HERE, common.CONFIG_NAME))


def find_cli(*explicit):
    """The CLI: an explicit path, $VFI_SLOWMO_CLI, the installer's config, PATH, the installer's venv."""
    given = next((p for p in explicit if p and os.path.isfile(p)), None)
    return common.find_cli(given, read_config(), search_dirs=[common.installer_venv_bin()])


def find_python(*explicit):
    """The Python of SlowMo's environment (the panel runs in it): explicit, config, beside the CLI."""
    given = next((p for p in explicit if p and os.path.isfile(p)), None)
    config = read_config()
    if given is None and not config.get("python"):
        config = dict(config, cli=find_cli())
    return common.find_python(given, config)


# --- compatibility: Blender 3.4 ... 5.x --------------------------------------------------------
def editor_strips(editor):
    """Top-level strips: ``strips`` since 4.4, ``sequences`` before."""
    coll = getattr(editor, "strips", None)
    return coll if coll is not None else editor.sequences


def editor_all_strips(editor):
    """All strips, inside meta strips too: ``strips_all`` since 4.4, ``sequences_all`` before."""
    coll = getattr(editor, "strips_all", None)
    return coll if coll is not None else editor.sequences_all


def get_active_strip(scene):
    editor = scene.sequence_editor
    return editor.active_strip if editor is not None else None


def set_active_strip(scene, strip) -> None:
    editor = scene.sequence_editor
    for other in editor_all_strips(editor):
        other.select = False
    strip.select = True
    editor.active_strip = strip


def find_strip(scene, name: str):
    editor = scene.sequence_editor
    if editor is None:
        return None
    return editor_all_strips(editor).get(name)


def new_movie_strip(editor, name: str, filepath: str, channel: int, frame_start: int):
    coll = editor_strips(editor)
    try:
        return coll.new_movie(name=name, filepath=filepath, channel=channel, frame_start=frame_start,
                              fit_method="ORIGINAL")
    except TypeError:  # a version without fit_method (or with renamed keywords)
        return coll.new_movie(name, filepath, channel, frame_start)


def channel_is_free(editor, channel: int, start: int, end: int) -> bool:
    for strip in editor_strips(editor):
        if strip.channel == channel and strip.frame_final_start < end and strip.frame_final_end > start:
            return False
    return True


def free_channel_above(editor, channel: int, start: int, length: int) -> int:
    """The channel right above ``channel``, or the next one up with room for [start, start+length)."""
    ch = channel + 1
    while ch < 128 and not channel_is_free(editor, ch, start, start + max(1, length)):
        ch += 1
    return ch


# --- preferences --------------------------------------------------------------------------------
class SlowMoPreferences(AddonPreferences):
    bl_idname = ADDON_ID

    cli_path: StringProperty(
        name="vfi-slowmo command", subtype="FILE_PATH", default="",
        description="Path of SlowMo's command line tool; empty: the installer's setting, then PATH")
    python_path: StringProperty(
        name="SlowMo Python", subtype="FILE_PATH", default="",
        description="Python of the SlowMo environment (opens the panel); empty: next to the command")
    output_dir: StringProperty(
        name="Output folder", subtype="DIR_PATH", default="",
        description="Where renders go; empty: next to the source file (or the .blend, or temp)")

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "cli_path")
        layout.prop(self, "python_path")
        layout.prop(self, "output_dir")
        cli = find_cli(bpy.path.abspath(self.cli_path) if self.cli_path else None)
        layout.label(text=f"Using: {cli}" if cli else "vfi-slowmo not found: run SlowMo's installer",
                     icon="CHECKMARK" if cli else "ERROR")


def get_prefs(context=None):
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon is not None else None


def _pref(context, name: str):
    prefs = get_prefs(context)
    value = getattr(prefs, name, "") if prefs is not None else ""
    return bpy.path.abspath(value) if value else None


# --- the job ------------------------------------------------------------------------------------
class SlowMoError(Exception):
    pass


def strip_job(context, factor: float, output: str = "") -> dict:
    """Everything a render of the active strip needs, checked; raises SlowMoError."""
    scene = context.scene
    strip = get_active_strip(scene)
    if strip is None or strip.type != "MOVIE":
        raise SlowMoError("select a movie strip first (it must be the active strip)")
    if abs(getattr(strip, "speed_factor", 1.0) - 1.0) > 1e-6:
        raise SlowMoError(f"strip '{strip.name}' has its speed changed: set Speed back to 1")
    if getattr(strip, "use_reverse_frames", False):
        raise SlowMoError(f"strip '{strip.name}' plays reversed: SlowMo needs it forward")
    library = getattr(strip.id_data, "library", None)
    source = os.path.normpath(bpy.path.abspath(strip.filepath, library=library))
    if not os.path.isfile(source):
        raise SlowMoError(f"the strip's file does not exist: {source}")
    start, end = common.strip_file_range(strip.frame_start, strip.frame_final_start,
                                       strip.frame_final_duration,
                                       getattr(strip, "animation_offset_start", 0))
    if end - start < 2:
        raise SlowMoError("the strip must show at least 2 frames")
    if not 1.0 < factor <= 64.0:
        raise SlowMoError("the factor must be greater than 1 and at most 64")
    if not output:
        folders = [_pref(context, "output_dir")]
        if bpy.data.filepath:
            folders.append(bpy.path.abspath("//"))
        output = str(common.default_output(source, factor, "slowmo", start, end,
                                           folders=[f for f in folders if f]))
    return {"scene": scene.name, "strip": strip.name, "source": source, "start": start, "end": end,
            "factor": factor, "channel": strip.channel, "frame": int(strip.frame_final_start),
            "output": bpy.path.abspath(output),
            "expected_frames": common.slowmo_frames(end - start, factor)}


def add_result_strip(job: dict, output=None):
    """Add a rendered file as a movie strip above its source strip; returns the new strip."""
    scene = bpy.data.scenes.get(job["scene"]) or bpy.context.scene
    editor = scene.sequence_editor or scene.sequence_editor_create()
    source = find_strip(scene, job["strip"])
    channel = source.channel if source is not None else job["channel"]
    frame = int(source.frame_final_start) if source is not None else job["frame"]
    length = job.get("expected_frames") or 1
    channel = free_channel_above(editor, channel, frame, length)
    name = f"{job['strip']}_slowmo{common.factor_text(job['factor'])}x"
    strip = new_movie_strip(editor, name, output or job["output"], channel, frame)
    if strip.channel != channel or int(strip.frame_final_start) != frame:  # moved on overlap
        strip.channel = channel
        strip.frame_start = frame
    set_active_strip(scene, strip)
    return strip


def _cli(context, explicit: str):
    cli = find_cli(bpy.path.abspath(explicit) if explicit else None, _pref(context, "cli_path"))
    if cli is None:
        raise SlowMoError("cannot find SlowMo's 'vfi-slowmo' command: run SlowMo's installer, or set "
                          "its path in Preferences > Add-ons > SlowMo")
    return cli


class SEQUENCER_OT_slowmo_render(Operator):
    """Render the active movie strip's trimmed range in slow motion and add it on the channel above"""

    bl_idname = "sequencer.slowmo_render"
    bl_label = "Render Slow Motion"
    bl_options = {"UNDO"}  # no REGISTER: a redo panel would re-run a long render

    factor: FloatProperty(name="Factor", default=2.0, min=1.01, max=64.0, soft_max=16.0, precision=2,
                          description="Slow-down factor: 2 plays the strip at half speed")
    cli_path: StringProperty(name="CLI", default="", subtype="FILE_PATH", options={"SKIP_SAVE"},
                             description="vfi-slowmo to use (default: preferences, installer, PATH)")
    output: StringProperty(name="Output", default="", subtype="FILE_PATH", options={"SKIP_SAVE"},
                           description="Output movie (default: a new file next to the source)")

    _timer = None
    _proc = None
    _job = None

    @classmethod
    def poll(cls, context):
        scene = context.scene
        strip = get_active_strip(scene) if scene is not None else None
        return strip is not None and strip.type == "MOVIE"

    def _start(self, context):
        job = strip_job(context, self.factor, self.output)
        cmd = common.cli_command(_cli(context, self.cli_path), job["source"], job["output"],
                                 common.factor_text(job["factor"]), job["start"], job["end"])
        return job, render_process.RenderProcess(cmd, job["expected_frames"])

    def _finish_ok(self, job):
        if not os.path.isfile(job["output"]):
            self.report({"ERROR"}, f"SlowMo: the render reported success but {job['output']} is missing")
            return {"CANCELLED"}
        strip = add_result_strip(job)
        self.report({"INFO"}, f"SlowMo: added '{strip.name}' on channel {strip.channel} "
                              f"({strip.frame_final_duration} frames)")
        return {"FINISHED"}

    # blocking path: background mode and scripts
    def execute(self, context):
        try:
            job, proc = self._start(context)
        except (SlowMoError, OSError) as exc:
            self.report({"ERROR"}, f"SlowMo: {exc}")
            return {"CANCELLED"}
        wm = context.window_manager
        wm.progress_begin(0, 100)
        last = [-1]

        def on_progress(info):
            wm.progress_update(int(100 * proc.fraction))
            if bpy.app.background and info.get("total") and info["done"] != last[0]:
                last[0] = info["done"]
                print(proc.status_text().replace("  (Esc cancels)", ""), flush=True)

        try:
            rc = proc.wait(on_progress)
        except KeyboardInterrupt:
            proc.cancel()
            self.report({"WARNING"}, "SlowMo: cancelled")
            return {"CANCELLED"}
        finally:
            wm.progress_end()
        if rc != 0:
            self.report({"ERROR"}, f"SlowMo: {proc.error_text()}")
            return {"CANCELLED"}
        return self._finish_ok(job)

    # interactive path: modal with a timer, Esc cancels
    def invoke(self, context, event):
        if bpy.app.background or context.window is None:
            return self.execute(context)
        try:
            self._job, self._proc = self._start(context)
        except (SlowMoError, OSError) as exc:
            self.report({"ERROR"}, f"SlowMo: {exc}")
            return {"CANCELLED"}
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.25, window=context.window)
        wm.progress_begin(0, 100)
        wm.modal_handler_add(self)
        self._status(context, self._proc.status_text())
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type == "ESC" and event.value == "PRESS":
            self._proc.cancel()
            self._cleanup(context)
            self.report({"WARNING"}, "SlowMo: render cancelled, nothing added")
            return {"CANCELLED"}
        if event.type != "TIMER":  # (events do not say which timer fired: any tick polls)
            return {"PASS_THROUGH"}
        context.window_manager.progress_update(int(100 * self._proc.fraction))
        self._status(context, self._proc.status_text())
        rc = self._proc.poll()
        if rc is None:
            return {"PASS_THROUGH"}
        self._proc.wait()
        self._cleanup(context)
        if rc != 0:
            self.report({"ERROR"}, f"SlowMo: {self._proc.error_text()}")
            return {"CANCELLED"}
        return self._finish_ok(self._job)

    def cancel(self, context):  # Blender ends the operator (file load, quit)
        if self._proc is not None:
            self._proc.cancel()
        self._cleanup(context)

    def _status(self, context, text):
        workspace = getattr(context, "workspace", None)
        if workspace is not None and hasattr(workspace, "status_text_set"):
            workspace.status_text_set(text)

    def _cleanup(self, context):
        wm = context.window_manager
        if self._timer is not None:
            wm.event_timer_remove(self._timer)
            self._timer = None
        wm.progress_end()
        self._status(context, None)


# --- the panel in its own process ---------------------------------------------------------------
_sessions: list = []  # the open panels (PanelSession), polled by a timer; closed on unregister


class PanelSession:
    """One panel process (``hostfile.PanelProcess``) and the strips its renders add.

    ``command`` replaces ``python -m vfi_plugin.ui --host-file`` (tests)."""

    def __init__(self, job, scene_name: str, python: str, command=None) -> None:
        self.job = job
        self.scene = scene_name
        self.added: list = []
        clip = None
        if job is not None:
            fps = bpy.data.scenes[scene_name].render
            clip = {"path": job["source"], "start_frame": job["start"], "end_frame": job["end"],
                    "fps": f"{fps.fps}/1" if fps.fps_base == 1 else str(fps.fps / fps.fps_base),
                    "name": job["strip"], "extra": {"scene": scene_name, "strip": job["strip"]}}
        out_dir = os.path.dirname(job["output"]) if job is not None else None
        self.panel = hostfile.PanelProcess(python, "Blender", clip, out_dir, command=command).start()
        self.dir = self.panel.dir

    def poll_once(self) -> bool:
        """Add the strips of newly finished renders; False once the panel has exited."""
        running = self.panel.running()
        for result in self.panel.poll():
            self._add(result)
        return running

    def close(self) -> None:
        """Stop the panel if it still runs; remove its temporary folder."""
        self.panel.close()

    def _add(self, result: dict) -> None:
        clip = result.get("clip") or {}
        extra = clip.get("extra") or {}
        job = dict(self.job or {"scene": self.scene, "strip": "", "channel": 1, "frame": 1})
        job.update({"strip": extra.get("strip", job.get("strip", "")) or "SlowMo",
                    "factor": result.get("factor", "2"), "expected_frames": result.get("frames", 1)})
        try:
            self.added.append(add_result_strip(job, result["output"]).name)
        except Exception as exc:  # a bad result line must not kill the timer
            print(f"SlowMo: could not add {result.get('output')}: {exc}")


def _poll_sessions():
    for session in list(_sessions):
        if not session.poll_once():
            session.poll_once()  # what was written just before it exited
            error = session.panel.error_text()
            if error:
                print(f"SlowMo: the panel failed:\n{error}")
            session.close()
            _sessions.remove(session)
    return 0.5 if _sessions else None


def close_sessions() -> None:
    """Stop every open panel process and remove its folder (unregister)."""
    while _sessions:
        _sessions.pop().close()


class SEQUENCER_OT_slowmo_panel(Operator):
    """Open the SlowMo panel (preview, factor, mode) in its own window for the active movie strip"""

    bl_idname = "sequencer.slowmo_panel"
    bl_label = "Open SlowMo Panel"

    python_path: StringProperty(name="Python", default="", subtype="FILE_PATH", options={"SKIP_SAVE"})

    def execute(self, context):
        python = find_python(bpy.path.abspath(self.python_path) if self.python_path else None,
                             _pref(context, "python_path"))
        if python is None:
            self.report({"ERROR"}, "SlowMo: cannot find the SlowMo environment's Python: run "
                                   "SlowMo's installer, or set it in Preferences > Add-ons > SlowMo")
            return {"CANCELLED"}
        try:
            job = strip_job(context, 2.0)
        except SlowMoError:
            job = None  # the panel opens without a clip
        session = PanelSession(job, context.scene.name, python)
        _sessions.append(session)
        if not bpy.app.timers.is_registered(_poll_sessions):
            bpy.app.timers.register(_poll_sessions, first_interval=0.5, persistent=True)
        self.report({"INFO"}, "SlowMo: panel opened; finished renders are added above the strip")
        return {"FINISHED"}


# --- UI -----------------------------------------------------------------------------------------
class SEQUENCER_PT_slowmo(Panel):
    bl_label = "SlowMo"
    bl_space_type = "SEQUENCE_EDITOR"
    bl_region_type = "UI"
    bl_category = "SlowMo"

    def draw(self, context):
        layout = self.layout
        strip = get_active_strip(context.scene) if context.scene else None
        if strip is None or strip.type != "MOVIE":
            layout.label(text="Select a movie strip", icon="INFO")
        else:
            start, end = common.strip_file_range(strip.frame_start, strip.frame_final_start,
                                               strip.frame_final_duration,
                                               getattr(strip, "animation_offset_start", 0))
            layout.label(text=f"{strip.name}: file frames {start}-{end - 1}")
        wm = context.window_manager
        layout.prop(wm, "slowmo_factor")
        row = layout.row()
        row.enabled = strip is not None and strip.type == "MOVIE"
        op = row.operator(SEQUENCER_OT_slowmo_render.bl_idname, icon="RENDER_ANIMATION")
        op.factor = wm.slowmo_factor
        layout.operator(SEQUENCER_OT_slowmo_panel.bl_idname, icon="WINDOW")


def draw_strip_menu(self, context):
    self.layout.separator()
    op = self.layout.operator(SEQUENCER_OT_slowmo_render.bl_idname, text="SlowMo: Render Slow Motion")
    op.factor = context.window_manager.slowmo_factor
    self.layout.operator(SEQUENCER_OT_slowmo_panel.bl_idname, text="SlowMo: Open Panel")


CLASSES = (SlowMoPreferences, SEQUENCER_OT_slowmo_render, SEQUENCER_OT_slowmo_panel, SEQUENCER_PT_slowmo)


def register():
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.WindowManager.slowmo_factor = FloatProperty(
        name="Factor", default=2.0, min=1.01, max=64.0, soft_max=16.0, precision=2,
        description="Slow-down factor for SlowMo renders")
    menu = getattr(bpy.types, "SEQUENCER_MT_strip", None)
    if menu is not None:
        menu.append(draw_strip_menu)


def unregister():
    menu = getattr(bpy.types, "SEQUENCER_MT_strip", None)
    if menu is not None:
        menu.remove(draw_strip_menu)
    if bpy.app.timers.is_registered(_poll_sessions):
        bpy.app.timers.unregister(_poll_sessions)
    close_sessions()  # a panel left running would add strips to nothing, or outlive Blender
    del bpy.types.WindowManager.slowmo_factor
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
