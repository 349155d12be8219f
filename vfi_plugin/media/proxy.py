"""Low-resolution, all-intra proxies of a frame range (cached) and filmstrip thumbnails."""
from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from pathlib import Path
from typing import Callable

import ffmpeg
import numpy as np
import platformdirs

from vfi_plugin.errors import Cancelled, MediaError, UserInputError
from vfi_plugin.names import APP_NAME, CACHE_ENV

from . import process
from .sequence import find_frames, is_pattern
from .decode import GLOBAL_ARGS, FrameReader, constant_rate, seek_stream, to_rgb
from .probe import MediaInfo, probe
from .tools import ffmpeg_exe, file_url

PROXY_VERSION = 1
PROXY_CACHE_BYTES = 2 * 1024 ** 3  # least recently used proxies beyond this are deleted
POLL_S = 0.05


def proxy_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Folder holding proxies: `cache_dir` if given, else $VFI_SLOWMO_CACHE_DIR/proxies,
    else the user cache folder's vfi-slowmo/proxies."""
    if cache_dir is not None:
        return Path(cache_dir)
    root = os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir(APP_NAME)
    return Path(root) / "proxies"


def proxy_path(source: str | os.PathLike[str], start_frame: int = 0, end_frame: int | None = None,
               *, height: int = 360, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the proxy of this source range lives (whether or not it exists yet).

    The name hashes the source's resolved path, size and mtime with the range,
    height and PROXY_VERSION, so a changed source never matches an old proxy.
    """
    src = Path(source).resolve()
    extra: tuple = ()
    stat_path = src
    if is_pattern(source):  # an image sequence: its first frame, numbering and length
        pattern, first, count = find_frames(source)
        stat_path, extra = Path(pattern % first), (first, count)
    try:
        st = stat_path.stat()
    except OSError:
        raise UserInputError(f"{source}: no such file") from None
    key = "|".join(str(v) for v in (src, st.st_size, st.st_mtime_ns, start_frame,
                                     end_frame, height, PROXY_VERSION, *extra))
    return proxy_dir(cache_dir) / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".mp4")


def proxy_size(info: MediaInfo, height: int) -> tuple[int, int]:
    """Proxy frame size: at most `height` rows (never upscaled), even, aspect kept."""
    width, src_h = info.display_size
    out_h = max(2, min(height, src_h) // 2 * 2)
    out_w = max(2, round(width * out_h / src_h / 2) * 2)
    return out_w, out_h


def ensure_proxy(source: str | os.PathLike[str], start_frame: int = 0,
                 end_frame: int | None = None, *, height: int = 360,
                 cache_dir: str | os.PathLike[str] | None = None,
                 cancel: Callable[[], bool] | None = None,
                 info: MediaInfo | None = None) -> Path:
    """Path of the proxy of frames [start_frame, end_frame), encoding it unless cached.

    The proxy is H.264 all-intra (every frame seekable), yuv420p, no audio,
    at the source's frame rate; its frame i is source frame start_frame + i.
    `cancel()` returning True stops the encode and raises Cancelled.
    """
    target = proxy_path(source, start_frame, end_frame, height=height, cache_dir=cache_dir)
    if target.is_file():
        os.utime(target)  # mark as recently used
        return target
    if cancel is not None and cancel():
        raise Cancelled(f"{source}: proxy encoding cancelled")
    info = info or probe(source)
    end = info.frame_count if end_frame is None else end_frame
    if start_frame < 0 or end <= start_frame or start_frame >= info.frame_count:
        raise UserInputError(f"{source}: frame range {start_frame}-{end} is outside the clip "
                             f"({info.frame_count} frames)")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp")
    args = _proxy_command(info, start_frame, end - start_frame, proxy_size(info, height), temp)
    proc = process.start(args)
    stderr = process.StderrTail(proc.stderr)
    try:
        _wait(proc, cancel, source)
    except BaseException:
        process.stop(proc)
        stderr.join()
        temp.unlink(missing_ok=True)
        raise
    stderr.join()
    if proc.returncode != 0:
        temp.unlink(missing_ok=True)
        raise MediaError(process.one_line(
            f"{source}: making the preview proxy failed: {stderr.last_line()}"))
    os.replace(temp, target)
    prune_proxies(target.parent, keep=target)
    return target


def prune_proxies(folder: Path, max_bytes: int = PROXY_CACHE_BYTES, keep: Path | None = None) -> int:
    """Delete the least recently used proxies until the folder holds at most ``max_bytes``.

    Returns how many files were removed; ``keep`` is never removed.
    """
    entries = []
    for path in Path(folder).glob("*.mp4"):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        if keep is not None and path == keep:
            continue
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed


def _wait(proc: subprocess.Popen, cancel: Callable[[], bool] | None, source: object) -> None:
    while True:
        try:
            proc.wait(timeout=POLL_S)
            return
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel():
                raise Cancelled(f"{source}: proxy encoding cancelled") from None


def _proxy_command(info: MediaInfo, start: int, count: int, size: tuple[int, int],
                   temp: Path) -> list[str]:
    rate = f"{info.fps.numerator}/{info.fps.denominator}"
    video = constant_rate(seek_stream(info, start), info.fps)
    video = video.filter("scale", w=size[0], h=size[1]).filter("format", "yuv420p")
    out = ffmpeg.output(
        video, file_url(temp), format="mp4", r=rate, an=None, sn=None,
        **{"c:v": "libx264", "preset": "veryfast", "crf": "23", "g": "1", "bf": "0",
           "frames:v": count, "pix_fmt": "yuv420p", "movflags": "+faststart"},
    )
    return out.global_args(*GLOBAL_ARGS, "-y").compile(cmd=ffmpeg_exe())


def thumbnail_frames(frame_count: int, count: int) -> list[int]:
    """`count` evenly spaced frame indices: the first frame of each of `count` equal parts."""
    if count <= 0 or frame_count <= 0:
        return []
    return [i * frame_count // count for i in range(count)]


def thumbnails(path: str | os.PathLike[str], count: int, height: int = 64, *,
               info: MediaInfo | None = None) -> list[np.ndarray]:
    """`count` evenly spaced RGB frames, `height` rows high, for a filmstrip.

    One ffmpeg run decodes the file once and keeps the wanted frames (select
    filter); cheap on a proxy, which is what the filmstrip should be given.
    """
    info = info or probe(path)
    indices = thumbnail_frames(info.frame_count, count)
    if not indices:
        return []
    wanted = sorted(set(indices))
    width, out_h = proxy_size(info, height)
    expr = "+".join(f"eq(n,{i})" for i in wanted)
    video = ffmpeg.input(file_url(info.path))[str(info.stream_index)]
    video = constant_rate(video, info.fps).filter("select", expr)
    video = to_rgb(video, info, width, out_h)
    out = ffmpeg.output(video, "pipe:", format="rawvideo", pix_fmt="rgb24", vsync="passthrough",
                        **{"frames:v": len(wanted)})
    args = out.global_args(*GLOBAL_ARGS).compile(cmd=ffmpeg_exe())
    with FrameReader(args, width, out_h, len(wanted), info.path) as reader:
        got = dict(zip(wanted, reader))
    if len(got) < len(wanted):
        raise MediaError(f"{info.path}: could only decode {len(got)} of {len(wanted)} thumbnails")
    return [got[i] for i in indices]
