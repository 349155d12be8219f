"""ffmpeg media layer: probe, frame-exact decode, encode, audio stretch, proxies.

Everything runs the ffmpeg/ffprobe executables (PATH, or $VFI_SLOWMO_FFMPEG /
$VFI_SLOWMO_FFPROBE) in child processes; frames travel as HxWx3 uint8 RGB
numpy arrays through pipes.
"""
from __future__ import annotations

from .audio import RAMP_FILTER, AudioPlan, atempo_chain
from .codecs import CODECS, CONTAINERS, DEFAULT_CODEC, CodecSpec, codec_for_path, output_codec
from .color import ColorTags
from .decode import FrameReader, read_frames
from .encode import FrameWriter, output_size
from .probe import AudioStream, MediaInfo, probe
from .proxy import PROXY_VERSION, ensure_proxy, proxy_dir, proxy_path, thumbnails
from .timecode import format_seconds, format_timecode, parse_time
from .tools import ffmpeg_exe, ffprobe_exe, file_url, has_filter

__all__ = [
    "AudioPlan", "AudioStream", "RAMP_FILTER", "CODECS", "CONTAINERS", "CodecSpec", "ColorTags",
    "DEFAULT_CODEC", "FrameReader", "FrameWriter", "MediaInfo", "PROXY_VERSION", "atempo_chain",
    "codec_for_path", "ensure_proxy", "ffmpeg_exe", "ffprobe_exe", "file_url", "format_seconds",
    "format_timecode", "has_filter", "output_codec", "output_size", "parse_time", "probe", "proxy_dir",
    "proxy_path", "read_frames", "thumbnails",
]
