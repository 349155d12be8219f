"""SlowMo for DaVinci Resolve: Workspace > Scripts > SlowMo.

Installed by the SlowMo installer into Resolve's per-user Fusion/Scripts/Utility
folder. Select (park the playhead on) a clip in the timeline, run this script:
the SlowMo panel opens in its own window with the clip's media file and its
source range; every render you finish there is imported into the current media
pool bin. The script runs inside Resolve's Python and only uses the SlowMo
package's plain-Python host adapter (vfi_plugin.hosts.resolve).
"""
import os
import sys

INSTALL_CONFIG = {}  # SLOWMO-INSTALL-CONFIG: the installer replaces this line with its settings


def _resolve_app():
    app = globals().get("resolve")
    if app is not None:
        return app
    bmd_mod = globals().get("bmd")
    if bmd_mod is not None:
        try:
            return bmd_mod.scriptapp("Resolve")
        except Exception:
            pass
    try:
        import DaVinciResolveScript  # external scripting (RESOLVE_SCRIPT_API on PYTHONPATH)

        return DaVinciResolveScript.scriptapp("Resolve")
    except ImportError:
        return None


def _product_importable(config):
    import importlib.util
    import site

    for folder in config.get("site_packages") or []:
        if os.path.isdir(folder) and folder not in sys.path:
            site.addsitedir(folder)  # appended: Resolve's own modules keep precedence
    return importlib.util.find_spec("vfi_plugin") is not None


def main():
    config = dict(INSTALL_CONFIG)
    app = _resolve_app()
    if app is None:
        print("SlowMo: run this from DaVinci Resolve (Workspace > Scripts > SlowMo)")
        return 2
    if not _product_importable(config):
        print("SlowMo: the SlowMo package cannot be found; run the SlowMo installer again "
              "(python installer/install.py)")
        return 2
    from vfi_plugin.hosts.resolve import run_from_script

    result = run_from_script(app, config, bmd=globals().get("bmd"))
    return 1 if result.get("error") else 0


main()  # Resolve runs menu scripts top to bottom (its __name__ varies by version)
