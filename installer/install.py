#!/usr/bin/env python3
"""SlowMo installer: the product in its own venv, plus the editor integrations.

    python installer/install.py                 # install (or update) for this user
    python installer/install.py --dry-run       # show what would change, change nothing
    python installer/install.py --uninstall     # remove exactly what it added
    python installer/install.py --use-env .venv # register hosts against an existing environment
    python installer/install.py --hosts blender,nuke

What it does (per user, never needs admin rights except for apt-get):
1. the product: a venv in <data dir>/venv (data dir = platformdirs.user_data_dir("vfi-slowmo"):
   $XDG_DATA_HOME/vfi-slowmo or ~/.local/share/vfi-slowmo on Linux, ~/Library/Application
   Support/vfi-slowmo on macOS, %LOCALAPPDATA%\\vfi-slowmo\\vfi-slowmo on Windows), filled with
   ``pip install <this repository>`` (the package pins torch==2.13.0). ``--use-env DIR``,
   ``--python PY`` or ``--no-venv`` (this Python) use an environment that already has it.
2. ffmpeg/ffprobe on PATH; if missing: ``apt-get install -y ffmpeg`` on Debian/Ubuntu as
   root, else a message saying how to install them.
3. the host entry points it finds (``--hosts`` picks; a host named there is installed into its
   standard folder even when the editor was not detected, except Blender, which needs a version):
   blender  add-on folder slowmo_vse/ (+ slowmo_config.json naming the CLI) copied into
            scripts/addons of every Blender config version found (Linux $XDG_CONFIG_HOME/blender/
            <v>, default ~/.config/blender/<v>; macOS ~/Library/Application Support/Blender/<v>;
            Windows %APPDATA%\\Blender Foundation\\Blender\\<v>), and into
            $BLENDER_USER_SCRIPTS/addons when that is set. No config folder at all but `blender`
            on PATH: asks `blender --version` and creates <config>/<major.minor>/scripts/addons.
            Enable it in Blender: Preferences > Add-ons > "SlowMo".
   nuke     ~/.nuke/slowmo/menu.py + slowmo_config.json, and ONE marked line in ~/.nuke/init.py
            that adds that folder to Nuke's plugin path (uninstall removes exactly that line).
   resolve  SlowMo.py (its settings line filled in) in Resolve's per-user
            Fusion/Scripts/Utility folder (Linux ~/.local/share/DaVinciResolve/...,
            macOS ~/Library/Application Support/Blackmagic Design/DaVinci Resolve/...,
            Windows %APPDATA%\\Blackmagic Design\\DaVinci Resolve\\Support\\...).
   desktop  $XDG_DATA_HOME/applications/vfi-slowmo.desktop (Linux) for `vfi-slowmo-gui`.
Every file written, folder created and line added is recorded in
<data dir>/install-manifest.json; ``--uninstall`` removes exactly those (files you changed since
are kept, with a warning). Files are compared before writing: a second run changes nothing.

Standard library only (it runs before anything is installed).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

APP = "vfi-slowmo"
REPO = Path(__file__).resolve().parent.parent
RESOURCES = REPO / "resources" / "hosts"
MANIFEST_NAME = "install-manifest.json"
MANIFEST_VERSION = 1
HOSTS = ("blender", "nuke", "resolve", "desktop")
NUKE_MARK = "# added by the vfi-slowmo installer (install.py --uninstall removes it)"
RESOLVE_CONFIG_LINE = re.compile(r"^INSTALL_CONFIG = .*# SLOWMO-INSTALL-CONFIG.*$", re.M)
IS_WINDOWS = os.name == "nt"
IS_MAC = sys.platform == "darwin"


# --- per-user locations ------------------------------------------------------------------------
def home() -> Path:
    return Path(os.path.expanduser("~"))


def _env_dir(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value) if value and os.path.isabs(value) else default


def data_dir() -> Path:
    """platformdirs.user_data_dir('vfi-slowmo'), computed without platformdirs."""
    if IS_MAC:
        return home() / "Library" / "Application Support" / APP
    if IS_WINDOWS:
        return _env_dir("LOCALAPPDATA", home() / "AppData" / "Local") / APP / APP
    return _env_dir("XDG_DATA_HOME", home() / ".local" / "share") / APP


def xdg_data_home() -> Path:
    return _env_dir("XDG_DATA_HOME", home() / ".local" / "share")


def blender_config_base() -> Path:
    if IS_MAC:
        return home() / "Library" / "Application Support" / "Blender"
    if IS_WINDOWS:
        return _env_dir("APPDATA", home() / "AppData" / "Roaming") / "Blender Foundation" / "Blender"
    return _env_dir("XDG_CONFIG_HOME", home() / ".config") / "blender"


def resolve_user_dir() -> Path:
    if IS_MAC:
        return home() / "Library" / "Application Support" / "Blackmagic Design" / "DaVinci Resolve"
    if IS_WINDOWS:
        return (_env_dir("APPDATA", home() / "AppData" / "Roaming") / "Blackmagic Design"
                / "DaVinci Resolve" / "Support")
    return home() / ".local" / "share" / "DaVinciResolve"


def resolve_installed() -> bool:
    if resolve_user_dir().is_dir():
        return True
    if IS_MAC:
        return Path("/Applications/DaVinci Resolve").exists()
    if IS_WINDOWS:
        pf = os.environ.get("PROGRAMFILES", r"C:\Program Files")
        return (Path(pf) / "Blackmagic Design" / "DaVinci Resolve").exists()
    return Path("/opt/resolve").exists()


def nuke_dir() -> Path:
    return home() / ".nuke"


# --- the environment that holds the product ----------------------------------------------------
_ENV_PROBE = r"""
import json, sys, sysconfig
info = {"python": sys.executable, "python_version": "%d.%d" % sys.version_info[:2],
        "scripts": sysconfig.get_path("scripts"), "purelib": sysconfig.get_path("purelib"),
        "version": None, "package_root": None, "resources": None}
try:
    from importlib.metadata import version
    info["version"] = version("vfi-slowmo")
except Exception:
    pass
try:
    import importlib.util, os
    spec = importlib.util.find_spec("vfi_plugin")
    if spec and spec.origin:
        info["package_root"] = os.path.dirname(os.path.dirname(spec.origin))
    spec = importlib.util.find_spec("vfi_plugin.resources")
    if spec and spec.submodule_search_locations:
        info["resources"] = list(spec.submodule_search_locations)[0]
except Exception:
    pass
print(json.dumps(info))
"""


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")


def probe_env(python: Path) -> dict | None:
    try:
        # run from a neutral folder: `python -c` puts the current folder on sys.path, and the
        # installer usually runs from the repository, whose own vfi_plugin must not be seen
        out = subprocess.run([str(python), "-c", _ENV_PROBE], capture_output=True, text=True,
                             timeout=120, env=_clean_env(), cwd=tempfile.gettempdir())
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def _clean_env() -> dict:
    env = dict(os.environ)
    for key in ("PYTHONHOME", "PYTHONPATH"):
        env.pop(key, None)
    return env


def repo_version() -> str | None:
    try:
        text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    return m.group(1) if m else None


def predicted_env(venv: Path) -> dict:
    """What a venv made by this Python will look like (for --dry-run before it exists)."""
    ver = "%d.%d" % sys.version_info[:2]
    if IS_WINDOWS:
        scripts, purelib = venv / "Scripts", venv / "Lib" / "site-packages"
    else:
        scripts, purelib = venv / "bin", venv / "lib" / f"python{ver}" / "site-packages"
    return {"python": str(venv_python(venv)), "python_version": ver, "scripts": str(scripts),
            "purelib": str(purelib), "version": repo_version(), "package_root": str(purelib),
            "resources": str(purelib / "vfi_plugin" / "resources")}


def exe(scripts: str, name: str) -> str:
    return str(Path(scripts) / (name + ".exe" if IS_WINDOWS else name))


# --- actions -----------------------------------------------------------------------------------
def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Installer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.dry = args.dry_run
        self.data = data_dir()
        self.manifest_path = self.data / MANIFEST_NAME
        self.manifest = self._load_manifest()
        self.changes = 0
        self.warnings: list[str] = []
        self.planned: set[str] = set()  # files this run installs (to find stale ones)

    # --- output ---
    def say(self, text: str) -> None:
        print(text, flush=True)

    def change(self, text: str) -> None:
        self.changes += 1
        self.say(("would " if self.dry else "") + text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        print(f"warning: {text}", file=sys.stderr, flush=True)

    # --- manifest ---
    def _load_manifest(self) -> dict:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                data.setdefault("files", {})
                data.setdefault("dirs", [])
                data.setdefault("lines", [])
                return data
        except (OSError, ValueError):
            pass
        return {"version": MANIFEST_VERSION, "files": {}, "dirs": [], "lines": [], "venv": None}

    def save_manifest(self) -> None:
        if self.dry:
            return
        if not self.manifest["files"] and not self.manifest["lines"] and not self.manifest.get("venv") \
                and not self.manifest_path.exists():
            return  # nothing installed: leave no trace
        self.ensure_dir(self.data, host="core")
        text = json.dumps(self.manifest, indent=2, sort_keys=True) + "\n"
        try:
            if self.manifest_path.read_text(encoding="utf-8") == text:
                return
        except OSError:
            pass
        _atomic_write(self.manifest_path, text.encode("utf-8"))

    # --- primitives ---
    def ensure_dir(self, path: Path, record: bool = True, host: str = "core") -> None:
        """Create ``path`` and missing parents; record each folder created (for uninstall)."""
        missing = []
        p = path
        while not p.exists():
            missing.append(p)
            if p.parent == p:
                break
            p = p.parent
        for d in reversed(missing):
            if self.dry:
                continue
            d.mkdir()
            if record and str(d) not in [e["path"] for e in self.manifest["dirs"]]:
                self.manifest["dirs"].append({"path": str(d), "host": host or "core"})

    def write_file(self, path: Path, data: bytes, host: str, mode: int = 0o644) -> None:
        key = str(path)
        self.planned.add(key)
        known = self.manifest["files"].get(key)
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current == data:
            if known is None:  # identical file already there (e.g. a manual copy): adopt it
                self.manifest["files"][key] = {"sha256": sha256(data), "host": host}
            return
        if current is not None and known is None and not self.args.force:
            self.warn(f"{path} exists and was not written by SlowMo: left alone (--force replaces it)")
            return
        if current is not None and known is not None and sha256(current) != known["sha256"] \
                and not self.args.force:
            self.warn(f"{path} was changed since SlowMo installed it: left alone (--force replaces it)")
            return
        self.change(f"{'update' if current is not None else 'write'} {path}")
        if self.dry:
            return
        self.ensure_dir(path.parent, host=host)
        _atomic_write(path, data, mode)
        self.manifest["files"][key] = {"sha256": sha256(data), "host": host}

    def add_line(self, path: Path, line: str, host: str) -> None:
        """Append one marked line to a user's file (created if missing); no-op if present."""
        try:
            text = path.read_text(encoding="utf-8")
            existed = True
        except FileNotFoundError:
            text, existed = "", False
        if line in text.splitlines():
            if not any(e["file"] == str(path) and e["line"] == line for e in self.manifest["lines"]):
                self.manifest["lines"].append({"file": str(path), "line": line, "host": host,
                                               "created_file": False, "added_newline": False})
            return
        added_newline = bool(text) and not text.endswith("\n")
        self.change(f"add one line to {path}")
        if self.dry:
            return
        self.ensure_dir(path.parent, host=host)
        mtime_before = path.stat().st_mtime_ns if existed else None
        with open(path, "a", encoding="utf-8", newline="") as fh:
            fh.write(("\n" if added_newline else "") + line + "\n")
        # both times: uninstall puts the old mtime back if nobody touched the file meanwhile
        self.manifest["lines"].append({"file": str(path), "line": line, "host": host,
                                       "created_file": not existed, "added_newline": added_newline,
                                       "mtime_before": mtime_before,
                                       "mtime_after": path.stat().st_mtime_ns})

    # --- steps ---
    def product_env(self) -> dict:
        """Find (or make) the environment with the product; returns its probe info."""
        a = self.args
        if a.use_env or a.python or a.no_venv:
            python = (Path(a.python) if a.python else venv_python(Path(a.use_env)) if a.use_env
                      else Path(sys.executable))
            info = probe_env(python)
            if info is None:
                raise SystemExit(f"error: {python} does not run: give a Python of an environment "
                                 f"with SlowMo installed")
            if info["version"] is None and info["package_root"] is None:
                raise SystemExit(f"error: SlowMo is not installed in {python}'s environment "
                                 f"(pip install {REPO} there, or leave out --use-env/--python)")
            self.say(f"using the existing environment of {info['python']} (SlowMo {info['version']})")
            return info
        venv = self.data / "venv"
        python = venv_python(venv)
        if sys.version_info < (3, 10):
            raise SystemExit("error: SlowMo needs Python 3.10 or newer to build its environment")
        if not python.exists():
            self.change(f"create a Python environment in {venv}")
            if not self.dry:
                self.ensure_dir(self.data, host="core")
                made = subprocess.run([sys.executable, "-m", "venv", str(venv)])
                if made.returncode != 0:
                    shutil.rmtree(venv, ignore_errors=True)
                    raise SystemExit(f"error: {sys.executable} cannot create a venv (on Debian/Ubuntu: "
                                     f"apt-get install python3-venv), or pass --use-env/--python")
                self.manifest["venv"] = str(venv)
                self.save_manifest()  # from here on, --uninstall knows about the venv
        info = probe_env(python) if python.exists() else None
        wanted = repo_version()
        if info is None or info["version"] != wanted or a.upgrade:
            self.change(f"pip install {REPO} into {venv} (SlowMo {wanted}, torch==2.13.0; "
                        f"downloads about 1 GB the first time)")
            if not self.dry:
                cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
                if a.upgrade:
                    cmd.append("--upgrade")
                if subprocess.run(cmd + [str(REPO)], env=_clean_env()).returncode != 0:
                    raise SystemExit(f"error: pip could not install SlowMo into {venv} (see above); "
                                     f"run the installer again once that is fixed, or --uninstall")
                info = probe_env(python)
                if info is None or info["version"] is None:
                    raise SystemExit(f"error: installing SlowMo into {venv} failed")
        if self.manifest.get("venv") is None and python.exists() and not self.dry:
            self.manifest["venv"] = str(venv)
        return info or predicted_env(venv)

    def check_ffmpeg(self) -> None:
        if shutil.which("ffmpeg") and shutil.which("ffprobe"):
            self.verbose(f"ffmpeg: {shutil.which('ffmpeg')}")
            return
        debian = Path("/etc/debian_version").exists()
        root = hasattr(os, "geteuid") and os.geteuid() == 0
        if sys.platform.startswith("linux") and debian and root and shutil.which("apt-get") \
                and not self.args.no_system_packages:
            self.change("apt-get install -y ffmpeg (ffmpeg/ffprobe are not on PATH)")
            if not self.dry:
                env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
                subprocess.run(["apt-get", "install", "-y", "ffmpeg"], check=False, env=env)
                if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
                    subprocess.run(["apt-get", "update"], check=False, env=env)
                    subprocess.run(["apt-get", "install", "-y", "ffmpeg"], check=False, env=env)
                if shutil.which("ffmpeg"):
                    self.manifest.setdefault("system_packages", [])
                    if "ffmpeg" not in self.manifest["system_packages"]:
                        self.manifest["system_packages"].append("ffmpeg")
                    return
        if IS_MAC:
            how = "brew install ffmpeg"
        elif IS_WINDOWS:
            how = "winget install Gyan.FFmpeg (then open a new terminal)"
        elif debian:
            how = "sudo apt-get install ffmpeg"
        else:
            how = "install ffmpeg with your system's package manager"
        self.warn(f"ffmpeg and ffprobe are not on PATH; SlowMo needs them: {how}")

    # --- hosts ---
    def selected_hosts(self) -> tuple[list[str], bool]:
        if not self.args.hosts or self.args.hosts == "auto":
            return list(HOSTS), False
        names = [h.strip().lower() for h in self.args.hosts.split(",") if h.strip()]
        bad = [h for h in names if h not in HOSTS]
        if bad:
            raise SystemExit(f"error: unknown host {', '.join(bad)}: choose from {', '.join(HOSTS)}")
        return names, True

    def install_hosts(self, env: dict) -> None:
        hosts, forced = self.selected_hosts()
        for host in hosts:
            getattr(self, f"host_{host}")(env, forced)
        self.remove_stale(hosts)

    def host_blender(self, env: dict, forced: bool) -> None:
        targets = blender_addon_dirs()
        if not targets:
            (self.say if forced else self.verbose)(
                "blender: no Blender configuration found (run Blender once, or put `blender` on PATH)")
            return
        config = _json({"cli": exe(env["scripts"], "vfi-slowmo"), "python": env["python"],
                        "version": env.get("version")})
        src = RESOURCES / "blender" / "slowmo_vse"
        for label, addons in targets:
            self.verbose(f"blender {label}: {addons}")
            dest = addons / "slowmo_vse"
            for f in _resource_files(src):
                self.write_file(dest / f.relative_to(src), f.read_bytes(), "blender")
            self.write_file(dest / "slowmo_config.json", config, "blender")

    def host_nuke(self, env: dict, forced: bool) -> None:
        base = nuke_dir()
        if not base.is_dir() and not forced:
            self.verbose("nuke: ~/.nuke not found (run Nuke once, or pass --hosts nuke)")
            return
        folder = base / "slowmo"
        self.write_file(folder / "menu.py", (RESOURCES / "nuke" / "menu.py").read_bytes(), "nuke")
        config = {"python": env["python"], "python_version": env["python_version"],
                  "site_packages": _site_dirs(env), "cli": exe(env["scripts"], "vfi-slowmo")}
        self.write_file(folder / "slowmo_config.json", _json(config), "nuke")
        self.add_line(base / "init.py", nuke_line(folder), "nuke")

    def host_resolve(self, env: dict, forced: bool) -> None:
        if not resolve_installed() and not forced:
            self.verbose("resolve: DaVinci Resolve not found")
            return
        dest = resolve_user_dir() / "Fusion" / "Scripts" / "Utility" / "SlowMo.py"
        config = {"python": env["python"], "site_packages": _site_dirs(env),
                  "cli": exe(env["scripts"], "vfi-slowmo")}
        self.write_file(dest, resolve_script(config), "resolve")

    def host_desktop(self, env: dict, forced: bool) -> None:
        if IS_MAC or IS_WINDOWS:
            (self.say if forced else self.verbose)("desktop: only Linux desktop entries are made")
            return
        icon = "video-x-generic"
        if env.get("resources"):
            for name in ("slowmo-256.png", "slowmo-512.png", "slowmo-128.png", "slowmo.svg"):
                candidate = Path(env["resources"]) / "icons" / name
                if candidate.is_file():
                    icon = str(candidate)
                    break
        text = (RESOURCES / "desktop" / "vfi-slowmo.desktop").read_text(encoding="utf-8")
        text = text.replace("@EXEC@", _desktop_quote(exe(env["scripts"], "vfi-slowmo-gui")))
        text = text.replace("@ICON@", icon)
        self.write_file(xdg_data_home() / "applications" / "vfi-slowmo.desktop",
                        text.encode("utf-8"), "desktop")

    def remove_stale(self, hosts: list[str]) -> None:
        """Files an earlier run installed for these hosts that this run no longer installs."""
        for key, entry in list(self.manifest["files"].items()):
            if entry.get("host") in hosts and key not in self.planned:
                self.remove_file(Path(key), entry)

    def verbose(self, text: str) -> None:
        if self.args.verbose:
            self.say(text)

    # --- uninstall ---
    def remove_file(self, path: Path, entry: dict) -> None:
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            if not self.dry:
                self.manifest["files"].pop(str(path), None)
            return
        if sha256(current) != entry["sha256"] and not self.args.force:
            self.warn(f"{path} was changed since SlowMo installed it: kept (--force removes it)")
            if not self.dry:
                self.manifest["files"].pop(str(path), None)
            return
        self.change(f"remove {path}")
        if not self.dry:
            path.unlink()
            self.manifest["files"].pop(str(path), None)

    def remove_line(self, entry: dict) -> None:
        path = Path(entry["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if not self.dry:
                self.manifest["lines"].remove(entry)
            return
        block = ("\n" if entry.get("added_newline") else "") + entry["line"] + "\n"
        if block in text:
            idx = text.rfind(block)
            new = text[:idx] + text[idx + len(block):]
        else:
            kept = [ln for ln in text.splitlines(keepends=True) if ln.rstrip("\r\n") != entry["line"]]
            new = "".join(kept)
        if new == text:
            if not self.dry:
                self.manifest["lines"].remove(entry)
            return
        if entry.get("created_file") and not new.strip():
            self.change(f"remove {path} (only held SlowMo's line)")
            if not self.dry:
                path.unlink()
        else:
            self.change(f"remove SlowMo's line from {path}")
            if not self.dry:
                untouched = path.stat().st_mtime_ns == entry.get("mtime_after")
                with open(path, "w", encoding="utf-8", newline="") as fh:
                    fh.write(new)
                if untouched and entry.get("mtime_before") is not None:
                    st = path.stat()
                    os.utime(path, ns=(st.st_atime_ns, entry["mtime_before"]))
        if not self.dry:
            self.manifest["lines"].remove(entry)

    def uninstall(self) -> None:
        hosts, partial = self.selected_hosts()
        for key, entry in sorted(self.manifest["files"].items()):
            if entry.get("host") in hosts:
                self.remove_file(Path(key), entry)
        for entry in list(self.manifest["lines"]):
            if entry.get("host") in hosts:
                self.remove_line(entry)
        if partial:
            self.remove_dirs(hosts)
            self.save_manifest()
            return
        venv = self.manifest.get("venv")
        if venv and Path(venv).is_dir():
            self.change(f"remove the SlowMo environment {venv}")
            if not self.dry:
                shutil.rmtree(venv)
        if self.manifest.get("system_packages"):
            self.say("note: ffmpeg was installed with apt-get; `apt-get remove ffmpeg` if unneeded")
        if self.manifest_path.exists():
            self.change(f"remove {self.manifest_path}")
            if not self.dry:
                self.manifest_path.unlink()
        self.remove_dirs([*hosts, "core"], also_gone=[str(self.manifest_path), str(venv)])

    def remove_dirs(self, hosts: list[str], also_gone=()) -> None:
        """Folders this installer created, deepest first, once empty (their __pycache__ goes too)."""
        gone: set[str] = set(also_gone) if self.dry else set()  # what a dry run would have removed
        if self.dry:
            gone.update(k for k, e in self.manifest["files"].items() if e.get("host") in hosts)
        entries = [e for e in self.manifest["dirs"] if e.get("host") in hosts]
        for entry in sorted(entries, key=lambda e: -len(Path(e["path"]).parts)):
            d = Path(entry["path"])
            if not d.is_dir():
                if not self.dry:
                    self.manifest["dirs"].remove(entry)
                continue
            pycache = d / "__pycache__"
            if pycache.is_dir() and all(p.suffix == ".pyc" for p in pycache.iterdir()):
                self.change(f"remove {pycache}")
                gone.add(str(pycache))
                if not self.dry:
                    shutil.rmtree(pycache)
            leftovers = [p for p in d.iterdir() if str(p) not in gone]
            if leftovers:
                self.warn(f"{d} is not empty, kept: {', '.join(sorted(p.name for p in leftovers)[:5])}")
                if not self.dry:
                    self.manifest["dirs"].remove(entry)
                continue
            self.change(f"remove folder {d}")
            gone.add(str(d))
            if not self.dry:
                d.rmdir()
                self.manifest["dirs"].remove(entry)


# --- Blender discovery -------------------------------------------------------------------------
def blender_version_from_path() -> str | None:
    blender = shutil.which("blender")
    if not blender:
        return None
    try:
        out = subprocess.run([blender, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"Blender\s+(\d+)\.(\d+)", out)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def blender_addon_dirs() -> list[tuple[str, Path]]:
    """(label, scripts/addons folder) for every Blender this user has."""
    out = []
    base = blender_config_base()
    versions = []
    if base.is_dir():
        versions = sorted((d for d in base.iterdir() if d.is_dir() and re.fullmatch(r"\d+\.\d+", d.name)),
                          key=lambda d: tuple(int(x) for x in d.name.split(".")))
    if versions:
        out = [(d.name, d / "scripts" / "addons") for d in versions]
    else:
        version = blender_version_from_path()
        if version:
            out = [(version, base / version / "scripts" / "addons")]
    user_scripts = os.environ.get("BLENDER_USER_SCRIPTS", "").strip()
    if user_scripts:
        out.append(("$BLENDER_USER_SCRIPTS", Path(user_scripts) / "addons"))
    return out


# --- file contents -----------------------------------------------------------------------------
def nuke_line(folder: Path) -> str:
    return f"__import__('nuke').pluginAddPath({json.dumps(folder.as_posix())})  {NUKE_MARK}"


def resolve_script(config: dict) -> bytes:
    text = (RESOURCES / "resolve" / "SlowMo.py").read_text(encoding="utf-8")
    line = f"INSTALL_CONFIG = {json.dumps(config, sort_keys=True)}  # SLOWMO-INSTALL-CONFIG (installer)"
    new, n = RESOLVE_CONFIG_LINE.subn(lambda m: line, text, count=1)
    if n != 1:
        raise SystemExit("error: resources/hosts/resolve/SlowMo.py lost its INSTALL_CONFIG line")
    return new.encode("utf-8")


def _site_dirs(env: dict) -> list[str]:
    """Folders a host's own Python adds with site.addsitedir (.pth files: editable installs work)."""
    return [env["purelib"]]


def _json(data: dict) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _desktop_quote(path: str) -> str:
    if re.search(r'[\s"\'\\$`]', path):
        return '"' + re.sub(r'(["`$\\])', r"\\\1", path) + '"'
    return path


def _resource_files(src: Path) -> list[Path]:
    return sorted(p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix not in (".pyc", ".pyo") and p.name != "slowmo_config.json")


def _atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- main --------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="install.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--dry-run", "-n", action="store_true", help="show what would change; change nothing")
    p.add_argument("--uninstall", action="store_true", help="remove what this installer added")
    p.add_argument("--hosts", default="auto",
                   help="comma list of blender,nuke,resolve,desktop (default: the ones found)")
    env = p.add_mutually_exclusive_group()
    env.add_argument("--use-env", metavar="DIR", help="an existing venv with SlowMo installed")
    env.add_argument("--python", metavar="PY", help="the Python of an environment with SlowMo")
    env.add_argument("--no-venv", action="store_true",
                     help="use the Python running this installer (SlowMo must be installed in it)")
    p.add_argument("--upgrade", action="store_true", help="reinstall the package into the venv")
    p.add_argument("--force", action="store_true", help="replace/remove files changed by someone else")
    p.add_argument("--no-system-packages", action="store_true", help="never run apt-get")
    p.add_argument("--verbose", "-v", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    inst = Installer(args)
    if args.dry_run:
        inst.say("dry run: nothing will be changed")
    if args.uninstall:
        inst.uninstall()
    else:
        env = inst.product_env()
        inst.check_ffmpeg()
        inst.install_hosts(env)
        inst.save_manifest()
    if inst.changes == 0:
        inst.say("nothing to do: " + ("nothing of SlowMo's is installed" if args.uninstall
                                      else "everything is installed and up to date"))
    elif args.dry_run:
        inst.say(f"dry run: {inst.changes} change(s) would be made")
    else:
        inst.say(f"done: {inst.changes} change(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
