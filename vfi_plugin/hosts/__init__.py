"""Adapters between host editors and the core (no Qt, no torch at import time).

* ``nuke``     ``NukeHost``: the panel inside Nuke 16+ (PySide6); ``install_menus`` for menu.py.
* ``resolve``  ``ResolveHost``: DaVinci Resolve's scripting API; ``run_from_script`` for the
               Workspace > Scripts entry (the panel runs in its own process).
* ``external`` ``ExternalHost``: the Host of a panel running in its own process, built from a
               host file (``python -m vfi_plugin.ui --host-file FILE``); used by Resolve and
               by the Blender add-on's "Open SlowMo Panel".
* ``base``     the host interface: ``Host``, ``ClipSelection``, ``ImportRequest``, ``FileHost``
               (also importable as ``vfi_plugin.host``).
* ``common``   helpers shared with the host-side scripts (CLI command, progress lines, fps).
* ``hostfile`` the host-file protocol of a panel in its own process, in plain dicts.
* ``render_process`` one CLI render in a subprocess (progress, cancel) for a host without torch.

The Blender add-on (resources/hosts/blender/slowmo_vse) runs in Blender's own Python,
which has neither torch nor Qt: it drives the ``vfi-slowmo`` CLI with copies of
``common``, ``hostfile`` and ``render_process`` that the installer puts beside it
(standard library only, importing nothing else from this package).
"""
