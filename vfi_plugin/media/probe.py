"""Read a video file's stream properties with ffprobe."""
from __future__ import annotations

import json
import math
import os
import subprocess
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from vfi_plugin.errors import UserInputError

from .pixels import format_facts
from .process import one_line
from .sequence import DEFAULT_FPS, SequenceInfo, find_frames, is_pattern
from .tools import ffprobe_exe, file_url

PROBE_TIMEOUT_S = 120
_STILL_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe")


@dataclass(frozen=True)
class AudioStream:
    """One audio stream; `index` is the absolute ffprobe stream index."""

    index: int
    codec_name: str | None
    sample_rate: int | None
    channels: int | None
    duration: float | None


@dataclass(frozen=True)
class HdrMetadata:
    """Static HDR metadata, in the units of x265's options.

    ``master_display`` is "G(x,y)B(x,y)R(x,y)WP(x,y)L(max,min)" (chromaticities in
    1/50000, luminance in 1/10000 cd/m2), ``max_cll`` "MaxCLL,MaxFALL" in cd/m2.
    """

    master_display: str | None = None
    max_cll: str | None = None


@dataclass(frozen=True)
class MediaInfo:
    """Properties of a file's first video stream (plus its audio streams).

    width/height are the decoded frame size before rotation; `rotation` is
    the clockwise rotation (0/90/180/270) players apply for display;
    `stream_index` is the video stream's absolute index in the file.
    """

    path: Path
    width: int
    height: int
    fps: Fraction
    frame_count: int
    duration: float
    start_time: float
    pix_fmt: str | None
    codec_name: str | None
    rotation: int
    color_range: str | None
    color_space: str | None
    color_transfer: str | None
    color_primaries: str | None
    audio: tuple[AudioStream, ...] = ()
    stream_index: int = 0
    bit_depth: int = 8                     # bits per component of pix_fmt
    alpha: bool = False                    # pix_fmt carries an alpha channel
    sample_aspect_ratio: Fraction | None = None  # None: square pixels (1:1 or unset)
    field_order: str | None = None         # "tt", "bb", "tb", "bt" (interlaced) or None
    timecode: str | None = None            # the start timecode ("01:00:00:00"), if tagged
    reel_name: str | None = None           # reel / tape name (MOV tmcd, MKV REEL_NAME tag)
    hdr_metadata: HdrMetadata | None = None  # mastering display / content light level
    deinterlace: bool = False              # frames are the fields, deinterlaced (field_rate())
    variable_rate: tuple[float, float] | None = None  # (lowest, highest) fps of a VFR stream
    chroma_subsampled: bool = False        # 4:2:0 / 4:2:2 source (chroma at lower resolution)
    sequence: SequenceInfo | None = None   # a numbered image sequence (path is its pattern)

    @property
    def interlaced(self) -> bool:
        return self.field_order in ("tt", "bb", "tb", "bt")

    def field_rate(self) -> "MediaInfo":
        """This interlaced stream seen as its fields: twice the frames at twice the rate,
        each field deinterlaced to a full frame when decoded (bwdif)."""
        return replace(self, fps=self.fps * 2, frame_count=self.frame_count * 2,
                       deinterlace=True)

    def conformed(self, fps: Fraction) -> "MediaInfo":
        """This stream resampled to constant `fps` (frames dropped or repeated to fit)."""
        return replace(self, fps=Fraction(fps),
                       frame_count=max(1, int(round(self.duration * Fraction(fps)))),
                       variable_rate=None)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) after applying the rotation."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height


def probe(path: str | os.PathLike[str], fps: Fraction | None = None) -> MediaInfo:
    """Probe `path`; raise UserInputError if it is not a readable video file.

    A name with a frame-number field (``shot.%04d.exr``, ``shot.####.exr``) is an image
    sequence, played at `fps` (default 24, ``info.sequence.fps_given`` False)."""
    if is_pattern(path):
        return _probe_sequence(path, fps)
    path = Path(path)
    _check_file(path)
    data = _run_ffprobe(path, ["-show_format", "-show_streams"])
    streams = data.get("streams") or []
    fmt = data.get("format") or {}
    video = next((s for s in streams if _is_video(s)), None)
    if video is None:
        raise _not_video(path, "no video stream")
    if str(fmt.get("format_name", "")).split(",")[0] in _STILL_FORMATS:
        raise _not_video(path, "still image")
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if width <= 0 or height <= 0:
        raise _not_video(path, "video stream has no frame size")
    fps = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate"))
    if fps is None:
        raise _not_video(path, "unknown frame rate")
    duration = (_float(video.get("duration")) or _tag_duration(video)
                or _float(fmt.get("duration")) or 0.0)
    start_time = _float(video.get("start_time"))
    if start_time is None:
        start_time = _float(fmt.get("start_time")) or 0.0
    frame_count = _frame_count(path, video, fps, duration)
    if frame_count <= 0:
        raise _not_video(path, "no video frames")
    if duration <= 0:
        duration = float(frame_count / fps)
    facts = format_facts(video.get("pix_fmt"))
    transfer = _tag(video.get("color_transfer"))
    return MediaInfo(
        path=path,
        width=width,
        height=height,
        fps=fps,
        frame_count=frame_count,
        duration=duration,
        start_time=start_time,
        pix_fmt=video.get("pix_fmt"),
        codec_name=video.get("codec_name"),
        rotation=_rotation(video),
        color_range=_tag(video.get("color_range")),
        color_space=_tag(video.get("color_space")),
        color_transfer=_tag(video.get("color_transfer")),
        color_primaries=_tag(video.get("color_primaries")),
        audio=tuple(_audio(s) for s in streams if s.get("codec_type") == "audio"),
        stream_index=int(video.get("index", 0)),
        bit_depth=facts.bits,
        alpha=facts.alpha,
        sample_aspect_ratio=_sar(video.get("sample_aspect_ratio")),
        field_order=_field_order(video.get("field_order")),
        timecode=_timecode(streams, fmt),
        reel_name=_tag_value(streams, fmt, "reel_name"),
        hdr_metadata=(_hdr(path, video) if transfer in HDR_TRANSFERS else None),
        variable_rate=_variable_rate(path, video),
        chroma_subsampled=facts.subsampled,
    )


VFR_TOLERANCE = 0.25   # an interval this far from the typical one is a rate change ...
VFR_SHARE = 0.01       # ... and a stream with more of them than this is variable


def _variable_rate(path: Path, video: dict) -> tuple[float, float] | None:
    """(lowest, highest) frame rate when the stream's frame intervals vary, else None.

    Only streams whose average rate differs from their base rate are scanned (packet
    timestamps, no decoding)."""
    r, avg = _rate(video.get("r_frame_rate")), _rate(video.get("avg_frame_rate"))
    if r is None or avg is None or abs(float(r - avg)) < 0.01 * float(r):
        return None
    try:
        data = _run_ffprobe(path, ["-select_streams", str(video.get("index", 0)),
                                   "-show_entries", "packet=pts_time"])
    except UserInputError:
        return None
    times = sorted(t for t in (_float(p.get("pts_time")) for p in data.get("packets") or [])
                   if t is not None)
    gaps = [b - a for a, b in zip(times, times[1:]) if b > a]
    if len(gaps) < 3:
        return None
    typical = sorted(gaps)[len(gaps) // 2]
    odd = [g for g in gaps if abs(g - typical) > VFR_TOLERANCE * typical]
    if len(odd) <= VFR_SHARE * len(gaps):
        return None
    return 1.0 / max(gaps), 1.0 / min(gaps)


HDR_TRANSFERS = ("smpte2084", "arib-std-b67")  # PQ, HLG


def _sar(text: object) -> Fraction | None:
    try:
        num, den = (int(v) for v in str(text).split(":"))
        sar = Fraction(num, den)
    except (ValueError, ZeroDivisionError):
        return None
    return None if sar in (0, 1) else sar


def _field_order(text: object) -> str | None:
    return str(text) if text in ("tt", "bb", "tb", "bt") else None


def _timecode(streams: list[dict], fmt: dict) -> str | None:
    """The start timecode: a tag of the video or a tmcd data stream (MOV/MP4) or of the
    file (Matroska's TIMECODE, MXF)."""
    return _tag_value(streams, fmt, "timecode")


def _tag_value(streams: list[dict], fmt: dict, name: str) -> str | None:
    """The first non-empty tag `name` (any case) of the streams, else of the file."""
    for tags in [s.get("tags") or {} for s in streams] + [fmt.get("tags") or {}]:
        for key, value in tags.items():
            if key.lower() == name and value:
                return str(value)
    return None


def _hdr(path: Path, video: dict) -> HdrMetadata | None:
    """Mastering display and content light level of an HDR stream, from its stream side
    data (MKV, MP4) or else from its first frame (HEVC SEI)."""
    sides = list(video.get("side_data_list") or [])
    kinds = {str(s.get("side_data_type", "")) for s in sides}
    if not {"Mastering display metadata", "Content light level metadata"} & kinds:
        try:
            data = _run_ffprobe(path, ["-select_streams", str(video.get("index", 0)),
                                       "-read_intervals", "%+#1", "-show_frames",
                                       "-show_entries", "frame=side_data_list"])
            frames = data.get("frames") or [{}]
            sides = list(frames[0].get("side_data_list") or [])
        except UserInputError:
            return None
    master = light = None
    for side in sides:
        kind = str(side.get("side_data_type", ""))
        if kind == "Mastering display metadata":
            master = _master_display(side)
        elif kind == "Content light level metadata":
            light = f"{_int(side.get('max_content')) or 0},{_int(side.get('max_average')) or 0}"
    return HdrMetadata(master, light) if master or light else None


def _master_display(side: dict) -> str | None:
    def scaled(key: str, unit: int) -> int:
        return int(round(float(Fraction(str(side[key]))) * unit))

    try:
        xy = {c: (scaled(f"{c}_x", 50000), scaled(f"{c}_y", 50000)) for c in ("green", "blue", "red")}
        wp = (scaled("white_point_x", 50000), scaled("white_point_y", 50000))
        lum = (scaled("max_luminance", 10000), scaled("min_luminance", 10000))
    except (KeyError, ValueError, ZeroDivisionError):
        return None
    g, b, r = xy["green"], xy["blue"], xy["red"]
    return (f"G({g[0]},{g[1]})B({b[0]},{b[1]})R({r[0]},{r[1]})"
            f"WP({wp[0]},{wp[1]})L({lum[0]},{lum[1]})")


def _probe_sequence(path: str | os.PathLike[str], fps: Fraction | None) -> MediaInfo:
    pattern, first, count = find_frames(path)
    first_file = Path(pattern % first)
    _check_file(first_file)
    data = _run_ffprobe(first_file, ["-show_streams"])
    video = next((s for s in data.get("streams") or [] if s.get("codec_type") == "video"), None)
    if video is None or not int(video.get("width") or 0):
        raise _not_video(first_file, "not an image")
    rate = Fraction(fps) if fps else DEFAULT_FPS
    facts = format_facts(video.get("pix_fmt"))
    return MediaInfo(
        path=Path(pattern), width=int(video["width"]), height=int(video["height"]), fps=rate,
        frame_count=count, duration=float(count / rate), start_time=0.0,
        pix_fmt=video.get("pix_fmt"), codec_name=video.get("codec_name"), rotation=0,
        color_range=_tag(video.get("color_range")), color_space=_tag(video.get("color_space")),
        color_transfer=_tag(video.get("color_transfer")),
        color_primaries=_tag(video.get("color_primaries")), stream_index=0,
        bit_depth=facts.bits, alpha=facts.alpha,
        sample_aspect_ratio=_sar(video.get("sample_aspect_ratio")),
        chroma_subsampled=facts.subsampled,
        sequence=SequenceInfo(pattern, first, count, fps_given=bool(fps)))


def _is_video(stream: dict) -> bool:
    """A video stream that is not just cover art."""
    cover = (stream.get("disposition") or {}).get("attached_pic")
    return stream.get("codec_type") == "video" and not cover


def _check_file(path: Path) -> None:
    if not path.exists():
        raise UserInputError(f"{path}: no such file")
    if path.is_dir():
        raise UserInputError(f"{path}: is a folder, not a video file")
    if not path.is_file():
        raise UserInputError(f"{path}: not a regular file")
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    if size == 0:
        raise UserInputError(f"{path}: file is empty")


def _run_ffprobe(path: Path, args: list[str]) -> dict:
    cmd = [ffprobe_exe(), "-v", "error", "-of", "json", *args, file_url(path)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=PROBE_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise _not_video(path, "timed out") from exc
    if done.returncode != 0:
        raise _not_video(path, _reason(path, done.stderr))
    try:
        return json.loads(done.stdout.decode("utf-8", "replace"))
    except ValueError as exc:
        raise _not_video(path, "unreadable output") from exc


def _reason(path: Path, stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    if not lines:
        return "unknown error"
    line = lines[-1]
    for prefix in (f"{file_url(path)}: ", f"{path}: "):
        if line.startswith(prefix):
            line = line[len(prefix):]
            break
    return one_line(line, 120)


def _not_video(path: Path, reason: str) -> UserInputError:
    return UserInputError(one_line(f"{path}: not a video file (ffprobe: {reason})"))


def _frame_count(path: Path, video: dict, fps: Fraction, duration: float) -> int:
    nb = _int(video.get("nb_frames"))
    if nb:
        return nb
    for key, value in (video.get("tags") or {}).items():
        if key.upper().startswith("NUMBER_OF_FRAMES") and _int(value):
            return int(value)
    try:
        data = _run_ffprobe(
            path, ["-select_streams", f"{video.get('index', 0)}", "-count_packets",
                   "-show_entries", "stream=nb_read_packets"]
        )
        counted = _int(((data.get("streams") or [{}])[0]).get("nb_read_packets"))
    except UserInputError:
        counted = None
    if counted:
        return counted
    return int(round(duration * fps)) if duration > 0 else 0


def _tag_duration(stream: dict) -> float | None:
    """Matroska's per-stream DURATION tag ("HH:MM:SS.nnnnnnnnn")."""
    for key, value in (stream.get("tags") or {}).items():
        if key.upper() == "DURATION":
            try:
                hours, minutes, seconds = str(value).split(":")
                return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
            except ValueError:
                return None
    return None


def _rotation(video: dict) -> int:
    for side in video.get("side_data_list") or []:
        if "rotation" in side:
            # ffprobe's display matrix angle is counter-clockwise.
            return _quarter(-float(side["rotation"]))
    rotate = (video.get("tags") or {}).get("rotate")
    if rotate is not None:
        try:
            return _quarter(float(rotate))
        except ValueError:
            return 0
    return 0


def _quarter(degrees: float) -> int:
    return int(round(degrees / 90.0)) * 90 % 360


def _audio(stream: dict) -> AudioStream:
    return AudioStream(
        index=int(stream.get("index", 0)),
        codec_name=stream.get("codec_name"),
        sample_rate=_int(stream.get("sample_rate")),
        channels=_int(stream.get("channels")),
        duration=_float(stream.get("duration")) or _tag_duration(stream),
    )


def _rate(text: object) -> Fraction | None:
    try:
        rate = Fraction(str(text))
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def _float(value: object) -> float | None:
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _tag(value: object) -> str | None:
    if value in (None, "", "unknown", "unspecified", "reserved"):
        return None
    return str(value)
