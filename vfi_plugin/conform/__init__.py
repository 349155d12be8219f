"""Conform editors' timelines (OpenTimelineIO): render each slowed clip, relink it at 100 %.

    from vfi_plugin.conform import list_slowed_clips, plan_conform, ConformJob, conform
    clips = list_slowed_clips("cut.xml")                   # speed, record range, source start
    plan = plan_conform("cut.xml", "cut_slowmo.xml", chosen=(1, 3))   # what would be rendered
    result = ConformJob(plan, progress, cancel).run()      # renders + the new timeline

Importing this package is cheap: OpenTimelineIO and torch load on first use.
"""
from __future__ import annotations

from .clips import SlowedClip, find_slowed_clips
from .job import ConformJob, ConformPlan, ConformResult, conform, list_slowed_clips, plan_conform
from .plan import ClipPlan
from .timeline import FORMATS, read_timeline, write_timeline

__all__ = ["ClipPlan", "ConformJob", "ConformPlan", "ConformResult", "FORMATS", "SlowedClip",
           "conform", "find_slowed_clips", "list_slowed_clips", "plan_conform", "read_timeline",
           "write_timeline"]
