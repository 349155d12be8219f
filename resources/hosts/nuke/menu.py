# SlowMo for Nuke 16+: installed as ~/.nuke/slowmo/menu.py by the SlowMo installer
# (`python installer/install.py`), which also adds one marked line
# `nuke.pluginAddPath(...)` to ~/.nuke/init.py so that Nuke runs this file.
#
# It makes the SlowMo package importable (the installer's slowmo_config.json next
# to this file names the product's site-packages; they are *appended* to sys.path,
# so Nuke's own PySide6 always wins) and registers the panel:
#   Nuke > SlowMo > SlowMo Panel, and the Pane menu (Windows > Custom) entry "SlowMo".
import json
import os
import sys

import nuke


def _slowmo_setup():
    here = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else ""
    config = {}
    for folder in filter(None, [here] + [p for p in nuke.pluginPath() if p.rstrip("/\\").endswith("slowmo")]):
        path = os.path.join(folder, "slowmo_config.json")
        if os.path.isfile(path):
            try:
                with open(path, encoding="utf-8") as fh:
                    config = json.load(fh)
            except (OSError, ValueError):
                config = {}
            break
    wanted = config.get("python_version")
    have = "%d.%d" % sys.version_info[:2]
    if wanted and wanted != have:
        return ("SlowMo was installed for Python %s but this Nuke runs Python %s.\n"
                "Run the SlowMo installer again with --python pointing to a Python %s."
                % (wanted, have, have))
    import site

    for folder in config.get("site_packages") or []:
        if os.path.isdir(folder) and folder not in sys.path:
            site.addsitedir(folder)  # appended; also runs .pth files (editable installs)
    try:
        from vfi_plugin.hosts import nuke as slowmo_nuke
    except Exception as exc:  # shown on demand, never breaks Nuke's start-up
        return "SlowMo cannot be loaded: %s: %s" % (type(exc).__name__, exc)
    slowmo_nuke.install_menus()
    return None


_slowmo_problem = _slowmo_setup()
if _slowmo_problem:
    nuke.tprint("SlowMo: " + _slowmo_problem)
    nuke.menu("Nuke").addMenu("SlowMo").addCommand(
        "SlowMo unavailable (why?)", lambda: nuke.message(_slowmo_problem))
