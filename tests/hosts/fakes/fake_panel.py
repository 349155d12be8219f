"""FakePanelProcess: stands in for ``python -m vfi_plugin.ui --host-file HOST_FILE``.

Reads the host file with the real ``ExternalHost``, records what it saw in
``seen.json`` next to the host file (or in $FAKE_PANEL_SEEN), "renders" by copying the source clip to
``fake_panel_result<ext>`` in the host file's output_dir, and hands the result
back with ``ExternalHost.import_result`` (the real protocol).
Usage: python fake_panel.py [--fail] HOST_FILE
"""
import json
import os
import shutil
import sys
from fractions import Fraction
from pathlib import Path

from vfi_plugin.host import ImportRequest
from vfi_plugin.hosts.external import ExternalHost


def main(argv):
    if argv[0] == "--fail":
        print("fake panel: failing on purpose", file=sys.stderr)
        return 3
    host_file = Path(argv[-1])
    host = ExternalHost.from_file(host_file)
    clip = host.current_clip()
    seen = {"host": host.name, "clip": None if clip is None else {
        "path": str(clip.path), "start_frame": clip.start_frame, "end_frame": clip.end_frame,
        "fps": str(clip.fps), "name": clip.name, "extra": clip.extra}}
    seen_path = os.environ.get("FAKE_PANEL_SEEN") or host_file.parent / "seen.json"
    Path(seen_path).write_text(json.dumps(seen))
    if clip is None:
        return 0
    out_dir = host.output_dir or host_file.parent
    output = Path(out_dir) / f"fake_panel_result{clip.path.suffix}"
    shutil.copyfile(clip.path, output)
    host.import_result(ImportRequest(output, clip, Fraction(2), "slowmo", 50, clip.fps or Fraction(25)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
