"""Exceptions shared by the core: user mistakes versus cancellations."""
from __future__ import annotations


class SlowMoError(Exception):
    """Base class of the core's own errors."""


class UserInputError(SlowMoError):
    """A mistake in what the user asked for (bad file, range, factor, path).

    The message is one line that names the file or option and the problem;
    front-ends show it as is, without a traceback (CLI exit code 2).
    """


class MediaError(SlowMoError):
    """ffmpeg/ffprobe failed on a file; the message names the file."""


class ToolMissingError(UserInputError):
    """ffmpeg or ffprobe cannot be found; the message says how to install them."""


class WeightsError(SlowMoError):
    """A weights file is missing, corrupt or of an unknown version."""


class Cancelled(SlowMoError):
    """The job was cancelled cooperatively."""
