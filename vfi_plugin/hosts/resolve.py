"""DaVinci Resolve adapter (scripting API).

Used from Resolve's own Python by ``resources/hosts/resolve/SlowMo.py``
(Workspace > Scripts > Utility > SlowMo): ``run_from_script`` reads the
current timeline video item, opens the panel in its own process (Resolve has
no Qt for us) and imports every finished render into the media pool.

Resolve API calls used (documented in Resolve's Developer/Scripting/README.txt):
``resolve.GetProjectManager().GetCurrentProject()``, ``project.GetCurrentTimeline()``,
``project.GetMediaPool()``, ``resolve.GetMediaStorage()``,
``timeline.GetCurrentVideoItem()``, ``timeline.GetSetting('timelineFrameRate')``,
``item.GetMediaPoolItem()``, ``item.GetDuration()``, ``item.GetLeftOffset()``,
``item.GetSourceStartFrame()`` / ``item.GetSourceEndFrame()`` (newer versions),
``mediaPoolItem.GetClipProperty('File Path' | 'FPS' | 'Frames' | 'Start TC')``,
``mediaPool.ImportMedia([path])``, ``mediaStorage.AddItemListToMediaPool([path])``.

Standard library only; never imports Qt or torch.
"""
from __future__ import annotations

import time
from pathlib import Path

from .base import ClipSelection, ImportRequest
from .common import fps_fraction, find_python

HOST_NAME = "DaVinci Resolve"


def _call(obj, method: str, *args):
    """obj.method(*args), or None when this Resolve version lacks the method or it fails."""
    fn = getattr(obj, method, None)
    if fn is None or not callable(fn):
        return None
    try:
        return fn(*args)
    except Exception:  # Resolve's remote objects raise assorted errors for unknown calls
        return None


def _int(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def timecode_frames(tc: str | None, fps) -> int | None:
    """'01:00:00:00' -> frames at ``fps`` (drop-frame ';' separators treated as non-drop)."""
    if not tc or fps is None:
        return None
    parts = str(tc).replace(";", ":").split(":")
    if len(parts) != 4:
        return None
    try:
        h, m, s, f = (int(p) for p in parts)
    except ValueError:
        return None
    nominal = round(float(fps))
    return ((h * 60 + m) * 60 + s) * nominal + f


def source_range(item, media_item=None, fps=None) -> tuple[int, int, bool]:
    """(start, end exclusive, retimed) of a timeline item in frames of its media file.

    Prefers GetSourceStartFrame/GetSourceEndFrame (newer Resolve); falls back to
    GetLeftOffset + GetDuration. Values that look like source timecode (beyond the
    clip's frame count) are shifted by the clip's start timecode.
    """
    duration = _int(_call(item, "GetDuration")) or 0
    start = _int(_call(item, "GetSourceStartFrame"))
    src_end = _int(_call(item, "GetSourceEndFrame")) if start is not None else None
    if start is None:
        start = _int(_call(item, "GetLeftOffset")) or 0
    frames = _int(_call(media_item, "GetClipProperty", "Frames")) if media_item is not None else None
    if frames and start >= frames:
        offset = timecode_frames(_call(media_item, "GetClipProperty", "Start TC"), fps)
        if offset is not None and 0 <= start - offset < frames:
            start -= offset
            if src_end is not None:
                src_end -= offset
    retimed = False
    if src_end is None:
        end = start + duration
    else:
        span = src_end - start
        if span == duration:          # exclusive end
            end = src_end
        elif span == duration - 1:    # inclusive end
            end = src_end + 1
        else:                         # speed change: the source span covered
            end = src_end + 1 if span >= 0 else start + duration
            retimed = True
    if frames:
        end = min(end, frames)
    return start, end, retimed


class ResolveHost:
    """Host over Resolve's scripting object (``resolve`` / ``bmd.scriptapp('Resolve')``)."""

    name = HOST_NAME

    def __init__(self, resolve) -> None:
        if resolve is None:
            raise RuntimeError("DaVinci Resolve's scripting object is not available")
        self.resolve = resolve
        self.imported: list = []

    def project(self):
        pm = _call(self.resolve, "GetProjectManager")
        project = _call(pm, "GetCurrentProject") if pm is not None else None
        if project is None:
            raise RuntimeError("no project is open in DaVinci Resolve")
        return project

    def current_clip(self) -> ClipSelection | None:
        project = self.project()
        timeline = _call(project, "GetCurrentTimeline")
        if timeline is None:
            return None
        item = _call(timeline, "GetCurrentVideoItem")
        if item is None:
            return None
        media = _call(item, "GetMediaPoolItem")
        if media is None:  # titles, generators, compound clips
            return None
        path = _call(media, "GetClipProperty", "File Path")
        if not path:
            return None
        fps = (fps_fraction(_call(media, "GetClipProperty", "FPS"))
               or fps_fraction(_call(timeline, "GetSetting", "timelineFrameRate")))
        start, end, retimed = source_range(item, media, fps)
        extra = {"timeline": _call(timeline, "GetName"), "item": _call(item, "GetName"),
                 "record_start": _int(_call(item, "GetStart")), "retimed": retimed}
        uid = _call(item, "GetUniqueId")
        if uid:
            extra["item_id"] = uid
        return ClipSelection(Path(path), start, end, fps,
                             name=str(_call(item, "GetName") or Path(path).name), extra=extra)

    def import_result(self, request: ImportRequest) -> None:
        """Import the rendered file into the current media pool folder."""
        path = str(Path(request.output))
        project = self.project()
        items = None
        pool = _call(project, "GetMediaPool")
        if pool is not None:
            items = _call(pool, "ImportMedia", [path])
        if not items:
            storage = _call(self.resolve, "GetMediaStorage")
            if storage is not None:
                items = _call(storage, "AddItemListToMediaPool", [path])
        if not items:
            raise RuntimeError(f"DaVinci Resolve could not import {path}")
        self.imported.extend(items if isinstance(items, (list, tuple)) else [items])


def notify(resolve, text: str, bmd=None) -> None:
    """Tell the user: a small Fusion UIManager dialog when ``bmd`` is given, the console always."""
    print(f"SlowMo: {text}")
    if bmd is None:
        return
    try:
        ui = resolve.Fusion().UIManager
        if ui is None:
            return
        disp = bmd.UIDispatcher(ui)
        win = disp.AddWindow({"ID": "SlowMoMsg", "WindowTitle": "SlowMo", "Geometry": [200, 200, 460, 140]},
                             [ui.VGroup([ui.Label({"Text": text, "WordWrap": True}),
                                         ui.Button({"ID": "OK", "Text": "OK"})])])
        win.On.OK.Clicked = lambda ev: disp.ExitLoop()
        win.On.SlowMoMsg.Close = lambda ev: disp.ExitLoop()
        win.Show()
        disp.RunLoop()
        win.Hide()
    except Exception:
        pass


def run_panel(resolve, python: str | None, *, command: list[str] | None = None,
              poll_s: float = 0.5, timeout_s: float | None = None, workdir: str | None = None) -> dict:
    """Open the panel in its own process for the current item; import results until it closes.

    Returns {'imported': [paths], 'error': str}. ``command`` replaces the panel program (tests).
    """
    from .external import PanelSession

    try:
        host = ResolveHost(resolve)
        clip = host.current_clip()
    except RuntimeError as exc:  # no scripting object, no project open: said, not raised
        return {"imported": [], "error": str(exc)}
    if python is None and command is None:
        return {"imported": [], "error": "cannot find the SlowMo environment's Python: "
                                          "run the SlowMo installer again"}
    out_dir = clip.path.parent if clip is not None else None
    session = PanelSession(python or "", host.name, clip, output_dir=out_dir, workdir=workdir,
                           command=command).start()
    imported, errors = [], []
    started = time.monotonic()

    def drain() -> None:
        for request in session.poll():
            try:
                host.import_result(request)
                imported.append(str(request.output))
            except RuntimeError as exc:
                errors.append(str(exc))

    try:
        while session.running():
            drain()
            if timeout_s is not None and time.monotonic() - started > timeout_s:
                session.process.terminate()
                errors.append("the SlowMo panel did not finish in time")
                break
            time.sleep(poll_s)
        if session.process is not None:
            session.process.wait()
        drain()
        failure = session.error_text()
        if failure:
            errors.append(failure)
    finally:
        session.close()  # its temporary folder (host file, results, log) goes
    return {"imported": imported, "error": "\n".join(errors)}


def run_from_script(resolve, config: dict | None = None, bmd=None, **kwargs) -> dict:
    """Entry point of Workspace > Scripts > SlowMo (called by SlowMo.py).

    ``bmd`` is the global Resolve gives its scripts (used for the message dialog).
    """
    python = find_python(config=config)
    if config and config.get("panel_command") and "command" not in kwargs:
        kwargs["command"] = list(config["panel_command"])  # another panel program (tests, studios)
    result = run_panel(resolve, python, **kwargs)
    if result["error"]:
        notify(resolve, result["error"], bmd)
    elif result["imported"]:
        print("SlowMo: imported " + ", ".join(result["imported"]))
    return result
