#!/bin/sh
# SlowMo installer wrapper: finds a Python 3.10+ and runs installer/install.py with the same options.
#   sh installer/install.sh [--dry-run] [--uninstall] [--hosts blender,nuke,resolve,desktop] ...
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3.10 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 &&
       "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        exec "$py" "$here/install.py" "$@"
    fi
done
echo "error: SlowMo needs Python 3.10 or newer (with the venv module: on Debian/Ubuntu" \
     "'sudo apt-get install python3-venv'); set PYTHON=/path/to/python3 to choose one" >&2
exit 2
