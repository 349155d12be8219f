from __future__ import annotations

import os
import time
from fractions import Fraction

import pytest
from clips import fake_tool, frame_index

from vfi_plugin.errors import Cancelled, UserInputError
from vfi_plugin.media import ensure_proxy, probe, proxy_dir, proxy_path, read_frames, thumbnails


@pytest.fixture
def source(make_clip):
    return make_clip(160, 120, Fraction(25), 50, "src.mp4")


def test_proxy_contents(source, tmp_path):
    cache = tmp_path / "cache"
    path = ensure_proxy(source, 10, 30, height=48, cache_dir=cache)
    assert path.parent == cache and path.suffix == ".mp4"
    info = probe(path)
    assert (info.width, info.height) == (64, 48)
    assert info.fps == Fraction(25) and info.frame_count == 20
    assert not info.has_audio
    with read_frames(path, 7, 12, info=info) as reader:  # all-intra: any frame seeks fast
        assert [frame_index(f) for f in reader] == [17, 18, 19, 20, 21]
    assert [p.name for p in cache.iterdir()] == [path.name]  # no temp files left


def test_proxy_is_cached(source, tmp_path):
    cache = tmp_path / "cache"
    first = ensure_proxy(source, 0, 20, height=48, cache_dir=cache)
    inode = first.stat().st_ino
    started = time.monotonic()
    second = ensure_proxy(source, 0, 20, height=48, cache_dir=cache)
    assert second == first
    assert second.stat().st_ino == inode  # not re-encoded (a new encode is renamed into place)
    assert time.monotonic() - started < 0.05
    assert ensure_proxy(source, 0, 21, height=48, cache_dir=cache) != first
    assert ensure_proxy(source, 0, 20, height=60, cache_dir=cache) != first


def test_changed_source_gets_new_proxy(source, tmp_path, make_clip):
    cache = tmp_path / "cache"
    first = ensure_proxy(source, 0, None, height=48, cache_dir=cache)
    st = source.stat()
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # touched
    touched = ensure_proxy(source, 0, None, height=48, cache_dir=cache)
    assert touched != first
    make_clip(160, 120, Fraction(25), 30, "src.mp4")  # rewritten with other content
    rewritten = ensure_proxy(source, 0, None, height=48, cache_dir=cache)
    assert rewritten not in (first, touched)
    assert probe(rewritten).frame_count == 30


def test_cache_dir_from_env(source, tmp_path, monkeypatch):
    monkeypatch.setenv("VFI_SLOWMO_CACHE_DIR", str(tmp_path / "root"))
    assert proxy_dir() == tmp_path / "root" / "proxies"
    path = ensure_proxy(source, 0, 5, height=48)
    assert path.parent == tmp_path / "root" / "proxies" and path.is_file()
    assert proxy_path(source, 0, 5, height=48) == path


def test_no_upscaling_and_even_width(make_clip, tmp_path):
    clip = make_clip(75, 41, Fraction(30000, 1001), 6, "odd.mp4")
    info = probe(ensure_proxy(clip, height=360, cache_dir=tmp_path / "c"))
    assert (info.width, info.height) == (74, 40)  # 75 * 40 / 41 = 73.2 -> even 74
    assert info.fps == Fraction(30000, 1001) and info.frame_count == 6


def test_cancel_kills_ffmpeg_and_cleans_up(source, tmp_path, monkeypatch):
    # stand-in ffmpeg: starts writing its output file, then hangs
    fake = fake_tool(tmp_path, "ffmpeg",
                     'for a; do case "$a" in file:*.tmp) out="${a#file:}";; esac; done\n'
                     'echo partial > "$out"\nexec sleep 30')
    monkeypatch.setenv("VFI_SLOWMO_FFMPEG", str(fake))
    cache = tmp_path / "cache"
    calls = []

    def cancel():  # cancel once the fake has started writing its temp file
        calls.append(time.monotonic())
        temp_seen = cache.is_dir() and any(p.suffix == ".tmp" for p in cache.iterdir())
        return temp_seen or time.monotonic() - started > 5

    started = time.monotonic()
    with pytest.raises(Cancelled, match=str(source)):
        ensure_proxy(source, 0, 20, height=48, cache_dir=cache, cancel=cancel)
    assert time.monotonic() - started < 5  # stopped because of the temp file, not the timeout
    assert len(calls) >= 2  # checked before starting and while ffmpeg ran
    assert list(cache.iterdir()) == []  # the temp file is gone
    assert not proxy_path(source, 0, 20, height=48, cache_dir=cache).exists()


def test_range_outside_clip(source, tmp_path):
    with pytest.raises(UserInputError, match=str(source)):
        ensure_proxy(source, 50, 60, height=48, cache_dir=tmp_path / "c")


def test_thumbnails(source, tmp_path):
    thumbs = thumbnails(source, 5, height=32)
    assert len(thumbs) == 5
    assert all(t.shape == (32, 42, 3) for t in thumbs)
    assert [frame_index(t) for t in thumbs] == [0, 10, 20, 30, 40]
    proxy = ensure_proxy(source, 20, 50, height=48, cache_dir=tmp_path / "c")
    assert [frame_index(t) for t in thumbnails(proxy, 3, height=24)] == [0 + 20, 10 + 20, 20 + 20]


def test_more_thumbnails_than_frames(make_clip):
    clip = make_clip(64, 48, Fraction(25), 3, "short.mp4")
    assert [frame_index(t) for t in thumbnails(clip, 5, height=24)] == [0, 0, 1, 1, 2]


def test_prune_keeps_the_newest_within_budget(tmp_path):
    import os
    from vfi_plugin.media.proxy import prune_proxies

    for i, name in enumerate(["a.mp4", "b.mp4", "c.mp4"]):
        path = tmp_path / name
        path.write_bytes(b"x" * 1000)
        os.utime(path, (1000 + i, 1000 + i))
    assert prune_proxies(tmp_path, max_bytes=2000) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.mp4", "c.mp4"]
    assert prune_proxies(tmp_path, max_bytes=0, keep=tmp_path / "c.mp4") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.mp4"]
