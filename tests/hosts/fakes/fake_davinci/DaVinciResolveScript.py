"""FakeDaVinciResolveScript: stands in for Resolve's DaVinciResolveScript module.

``scriptapp("Resolve")`` returns a FakeResolve whose current item plays the clip
named in $FAKE_RESOLVE_CONFIG (JSON: path, fps, frames, left_offset, duration,
source_start, source_end); at exit the media pool's imports go to $FAKE_RESOLVE_LOG.
"""
import atexit
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fake_resolve import FakeMediaPoolItem, FakeResolve, FakeTimelineItemV19  # noqa: E402

_app = None


def scriptapp(name):
    global _app
    if name != "Resolve":
        return None
    if _app is None:
        cfg = json.loads(os.environ["FAKE_RESOLVE_CONFIG"])
        media = FakeMediaPoolItem(cfg["path"], cfg.get("fps", "25"), cfg.get("frames"))
        item = FakeTimelineItemV19(media, cfg["left_offset"], cfg["duration"],
                                   cfg.get("source_start"), cfg.get("source_end"))
        _app = FakeResolve(item)
        atexit.register(_dump)
    return _app


def _dump():
    with open(os.environ["FAKE_RESOLVE_LOG"], "w") as fh:
        json.dump({"imported": _app.imported}, fh)
