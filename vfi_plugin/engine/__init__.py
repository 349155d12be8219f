"""Frames in, frames out: inference, recursion, batching, tiling and device choice."""
from .device import available_devices, resolve_device
from .interpolator import InferenceOptions, Interpolator, default_weights_path, load_interpolator
from .retime import Retimer
from .timing import RetimePlan, parse_factor

__all__ = ["available_devices", "resolve_device", "InferenceOptions", "Interpolator",
           "default_weights_path", "load_interpolator", "Retimer", "RetimePlan", "parse_factor"]
