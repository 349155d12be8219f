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

Standard library only (it runs before anything is installed). The work is done by the package
next to this file, slowmo_installer/ (one module per job: locations, manifest, environment,
one per host); this file only makes it importable from any working directory and runs it.
"""
from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
if not sys.path or sys.path[0] != _HERE:
    sys.path.insert(0, _HERE)  # slowmo_installer/ sits next to this file

from slowmo_installer import cli, environment, hosts, locations, manifest  # noqa: E402,F401
from slowmo_installer.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
