"""FakeResolve: the documented DaVinci Resolve scripting calls SlowMo uses.

``FakeResolve(...)`` builds resolve -> project manager -> project -> timeline ->
current video item -> media pool item, plus a media pool and media storage that
record imports. ``legacy=True`` gives a timeline item without
GetSourceStartFrame/GetSourceEndFrame (older Resolve versions).

As a module on PYTHONPATH it doubles as ``DaVinciResolveScript`` (see
fake_davinci/DaVinciResolveScript.py), configured from $FAKE_RESOLVE_CONFIG and
logging imports to $FAKE_RESOLVE_LOG.
"""
from __future__ import annotations


class FakeMediaPoolItem:
    def __init__(self, path: str, fps="25", frames: int | None = None, start_tc="00:00:00:00") -> None:
        self.props = {"File Path": path, "FPS": fps, "Start TC": start_tc,
                      "Clip Name": path.replace("\\", "/").rsplit("/", 1)[-1]}
        if frames is not None:
            self.props["Frames"] = str(frames)

    def GetClipProperty(self, name=None):  # noqa: N802
        return dict(self.props) if name is None else self.props.get(name, "")

    def GetName(self):  # noqa: N802
        return self.props["Clip Name"]


class FakeTimelineItem:
    def __init__(self, media: FakeMediaPoolItem | None, left_offset: int, duration: int,
                 source_start: int | None = None, source_end: int | None = None, start: int = 86400,
                 name: str = "clip") -> None:
        self.media, self.left, self.duration = media, left_offset, duration
        self.src_start, self.src_end, self.start, self.name = source_start, source_end, start, name

    def GetMediaPoolItem(self):  # noqa: N802
        return self.media

    def GetLeftOffset(self):  # noqa: N802
        return self.left

    def GetDuration(self):  # noqa: N802
        return self.duration

    def GetStart(self):  # noqa: N802
        return self.start

    def GetName(self):  # noqa: N802
        return self.name

    def GetUniqueId(self):  # noqa: N802
        return "item-1"


class FakeTimelineItemV19(FakeTimelineItem):
    """Resolve 18.5+/19: also GetSourceStartFrame / GetSourceEndFrame."""

    def GetSourceStartFrame(self):  # noqa: N802
        return self.src_start

    def GetSourceEndFrame(self):  # noqa: N802
        return self.src_end


class FakeTimeline:
    def __init__(self, item, fps="25") -> None:
        self.item, self.fps = item, fps

    def GetCurrentVideoItem(self):  # noqa: N802
        return self.item

    def GetSetting(self, name=None):  # noqa: N802
        return {"timelineFrameRate": self.fps}.get(name, "")

    def GetName(self):  # noqa: N802
        return "Timeline 1"


class FakeMediaPool:
    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.imported: list[str] = []

    def ImportMedia(self, paths):  # noqa: N802
        if not self.works:
            return []
        self.imported.extend(paths)
        return [FakeMediaPoolItem(p) for p in paths]


class FakeMediaStorage:
    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.imported: list[str] = []

    def AddItemListToMediaPool(self, paths):  # noqa: N802
        if not self.works:
            return []
        self.imported.extend(paths)
        return [FakeMediaPoolItem(p) for p in paths]


class FakeProject:
    def __init__(self, timeline, pool: FakeMediaPool) -> None:
        self.timeline, self.pool = timeline, pool

    def GetCurrentTimeline(self):  # noqa: N802
        return self.timeline

    def GetMediaPool(self):  # noqa: N802
        return self.pool


class FakeProjectManager:
    def __init__(self, project) -> None:
        self.project = project

    def GetCurrentProject(self):  # noqa: N802
        return self.project


class FakeResolve:
    def __init__(self, item=None, timeline_fps="25", pool_works=True, storage_works=True,
                 no_timeline=False, no_project=False) -> None:
        self.pool = FakeMediaPool(pool_works)
        self.storage = FakeMediaStorage(storage_works)
        self.timeline = None if no_timeline else FakeTimeline(item, timeline_fps)
        self.project = None if no_project else FakeProject(self.timeline, self.pool)

    def GetProjectManager(self):  # noqa: N802
        return FakeProjectManager(self.project)

    def GetMediaStorage(self):  # noqa: N802
        return self.storage

    @property
    def imported(self) -> list[str]:
        return self.pool.imported + self.storage.imported
