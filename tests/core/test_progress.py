"""The render's speed and ETA (vfi_plugin.jobs.ProgressMeter) with a controlled clock."""
from __future__ import annotations

import pytest

from vfi_plugin import jobs


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def meter(monkeypatch: pytest.MonkeyPatch, total: int) -> tuple[jobs.ProgressMeter, Clock, list]:
    clock = Clock()
    monkeypatch.setattr(jobs.time, "monotonic", clock)
    reports: list = []
    return jobs.ProgressMeter(total, reports.append), clock, reports


def test_frames_slower_than_the_window_still_give_a_speed_and_eta(monkeypatch) -> None:
    """A 4K frame on a CPU takes longer than the 10 s window: the speed is one frame per
    25 s, not 0 with no ETA (what the panel showed: '0.0 fps, ETA --:--')."""
    m, clock, reports = meter(monkeypatch, total=10)
    for done in range(1, 4):
        for _ in range(50):          # reports every 0.5 s while a frame renders
            clock.now += 0.5
            m.update(done - 1)
        m.update(done, force=True)
        last = reports[-1]
        assert last.fps == pytest.approx(1 / 25, rel=0.05)
        assert last.eta_s == pytest.approx((10 - done) * 25, rel=0.05)


def test_speed_follows_the_last_ten_seconds(monkeypatch) -> None:
    m, clock, reports = meter(monkeypatch, total=1000)
    done = 0
    for _ in range(100):              # 20 s at 10 fps
        clock.now += 0.2
        done += 2
        m.update(done)
    for _ in range(100):              # then 20 s at 2.5 fps
        clock.now += 0.2
        done += 0.5
        m.update(int(done))
    assert reports[-1].fps == pytest.approx(2.5, rel=0.1)
