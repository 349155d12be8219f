"""Saving and loading weights: safetensors (no code runs on load), versioned, checksummed."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import torch

from ..errors import WeightsError
from .config import ModelConfig
from .net import Net

FORMAT = "vfi-slowmo-weights"
FORMAT_VERSION = 1
# config fields that change how a net runs, not its parameters (``reconfigured`` may set them)
INFERENCE_FIELDS = ("polish", "flow_max_pixels", "warp_mode", "edge_fill", "global_motion",
                    "motion_vote")


def tensors_checksum(tensors: dict[str, torch.Tensor]) -> str:
    """sha256 over the tensors' names, dtypes, shapes and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        digest.update(f"{name}:{t.dtype}:{tuple(t.shape)};".encode())
        digest.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return digest.hexdigest()


def save_weights(net: Net, path: str | Path, info: dict[str, Any] | None = None) -> Path:
    """Write ``net``'s weights with its config, a format version and a checksum."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().float().contiguous().cpu() for k, v in net.state_dict().items()}
    meta = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "config": json.dumps(net.config.to_dict()),
        "sha256": tensors_checksum(tensors),
        "info": json.dumps(info or {}),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    save_file(tensors, str(tmp), metadata=meta)
    tmp.replace(path)
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The weights file's metadata (config and training info decoded)."""
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: weights file not found")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = dict(f.metadata() or {})
    except Exception as exc:  # safetensors raises several types for bad headers
        raise WeightsError(f"{path}: not a readable weights file ({exc})") from None
    if meta.get("format") != FORMAT:
        raise WeightsError(f"{path}: not a SlowMo weights file")
    if meta.get("format_version") != str(FORMAT_VERSION):
        raise WeightsError(f"{path}: weights format version {meta.get('format_version')} "
                           f"is not supported (expected {FORMAT_VERSION})")
    meta["config"] = json.loads(meta["config"])
    meta["info"] = json.loads(meta.get("info") or "{}")
    return meta


def load_net(path: str | Path) -> Net:
    """Build the network described in the file and load its verified weights (eval mode)."""
    from safetensors.torch import load_file

    path = Path(path)
    meta = read_metadata(path)
    try:
        tensors = load_file(str(path))
    except Exception as exc:
        raise WeightsError(f"{path}: weights file is corrupt ({exc})") from None
    if tensors_checksum(tensors) != meta.get("sha256"):
        raise WeightsError(f"{path}: checksum mismatch, the weights file is corrupt")
    try:
        net = Net(ModelConfig.from_dict(meta["config"]))
        net.load_state_dict(tensors, strict=True)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise WeightsError(f"{path}: weights do not match the network ({exc})") from None
    return net.eval()


def transplant(net: Net, tensors: dict[str, torch.Tensor], fresh: tuple[str, ...] = ()) -> list[str]:
    """Load ``tensors`` into ``net`` where the architecture grew inputs; returns what grew.

    A conv weight whose new shape only has more input channels (a flow level that
    gained a cost volume) gets the old weights for the old channels and zeros for the
    new ones, so the network computes exactly what it did before and training starts
    from there. Names starting with a prefix in ``fresh`` (e.g. ``"flow."``, a new flow
    head) keep their new initialisation. Any other mismatch raises ``WeightsError``.
    """
    own = net.state_dict()
    if fresh:
        own = {k: v for k, v in own.items() if not k.startswith(fresh)}
        tensors = {k: v for k, v in tensors.items() if not k.startswith(fresh)}
    missing = sorted(set(own) - set(tensors))
    unexpected = sorted(set(tensors) - set(own))
    if missing or unexpected:
        raise WeightsError(f"cannot transplant: missing {missing[:3]}, unexpected {unexpected[:3]}")
    grown = []
    for name, old in tensors.items():
        new = own[name]
        if new.shape == old.shape:
            new.copy_(old)
        elif (new.dim() == 4 and new.shape[0] == old.shape[0] and new.shape[2:] == old.shape[2:]
              and new.shape[1] > old.shape[1]):
            new.zero_()
            new[:, :old.shape[1]].copy_(old)
            grown.append(f"{name} {tuple(old.shape)} -> {tuple(new.shape)}")
        else:
            raise WeightsError(f"cannot transplant {name}: {tuple(old.shape)} -> {tuple(new.shape)}")
    return grown


def reconfigured(net: Net, **changes: Any) -> Net:
    """A copy of ``net`` with config fields ``changes`` (inference settings such as
    ``warp_mode`` or ``polish`` that add no parameters) and the same weights."""
    if set(changes) - set(INFERENCE_FIELDS):
        raise ValueError(f"not inference-only settings: {sorted(set(changes) - set(INFERENCE_FIELDS))}")
    new = Net(dataclasses.replace(net.config, **changes)).to(next(net.parameters()).device)
    new.load_state_dict(net.state_dict())
    return new.train(net.training)
