#!/usr/bin/env bash
# Set up SlowMo in ./.venv: ffmpeg (system), the package and its pinned dependencies.
#   bash tools/bootstrap.sh          # product only
#   bash tools/bootstrap.sh --dev    # plus test tools, Qt's system libraries and Blender (host test)
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[ "${1:-}" = "--dev" ] && dev=1

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        if [ ! -f /tmp/.slowmo-apt-updated ]; then apt-get update -qq && touch /tmp/.slowmo-apt-updated; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    else
        echo "please install with your package manager: $*" >&2
        return 1
    fi
}

missing=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
if [ "$dev" = 1 ]; then
    # Qt offscreen/Xvfb libraries and Blender for the real Blender add-on test.
    for lib in libegl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libfontconfig1 libdbus-1-3 libgl1 xvfb xauth; do
        dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib")
    done
    command -v blender >/dev/null || missing+=(blender)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    apt_install "${missing[@]}"
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
if [ "$dev" = 1 ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
else
    .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
echo "SlowMo is set up in .venv (vfi-slowmo, vfi-slowmo-gui)"
