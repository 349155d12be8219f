"""Choosing the compute device and numeric precision."""
from __future__ import annotations

import torch

from ..errors import UserInputError

from .choices import DEVICE_CHOICES  # noqa: F401 (re-exported)


def available_devices() -> list[str]:
    """Devices usable on this machine, best first (always ends with 'cpu')."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found + ["cpu"]


def resolve_device(name: str = "auto") -> torch.device:
    """'auto' picks cuda, then mps, then cpu; an unavailable explicit choice is a user error."""
    name = (name or "auto").lower()
    if name not in DEVICE_CHOICES and not name.startswith("cuda:"):
        raise UserInputError(f"unknown device '{name}': choose one of {', '.join(DEVICE_CHOICES)}")
    devices = available_devices()
    if name == "auto":
        return torch.device(devices[0])
    if name.split(":")[0] not in devices:
        raise UserInputError(f"device '{name}' is not available on this machine "
                             f"(available: {', '.join(devices)})")
    return torch.device(name)


def cpu_supports_bf16() -> bool:
    """True when oneDNN has native bf16 kernels on this CPU (AVX512-BF16 / AMX)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def autocast_dtype(device: torch.device, precision: str = "auto") -> torch.dtype | None:
    """The autocast dtype for 'auto' | 'fp32' | 'bf16' | 'fp16' on ``device`` (None = fp32)."""
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if precision == "fp16":
        return torch.float16
    if precision != "auto":
        raise UserInputError(f"unknown precision '{precision}': use auto, fp32, bf16 or fp16")
    if device.type == "cuda":
        return torch.float16
    if device.type == "cpu" and cpu_supports_bf16():
        return torch.bfloat16
    return None
