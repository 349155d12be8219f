#!/usr/bin/env bash
# Set up SlowMo in ./.venv: ffmpeg and mkvtoolnix (system), the package and its pinned dependencies.
#   bash tools/bootstrap.sh          # product only
#   bash tools/bootstrap.sh --dev    # plus test tools, Qt's system libraries and Blender (host test)
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[ "${1:-}" = "--dev" ] && dev=1

# When this set-up last refreshed apt's package lists: kept with the environment it sets up
# (not in the shared temp folder), and refreshed again once it is a day old.
apt_stamp=.venv/.slowmo-apt-updated
refreshed=0

apt_refresh() {  # a failed update is not fatal: the install is still tried (as with stale lists)
    refreshed=1
    if apt-get update -qq; then mkdir -p "$(dirname "$apt_stamp")" && touch "$apt_stamp"
    else echo "warning: apt-get update failed" >&2; fi
}

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        [ -n "$(find "$apt_stamp" -mmin -1440 2>/dev/null)" ] || apt_refresh
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
            [ "$refreshed" = 1 ] && return 1
            apt_refresh  # lists refreshed less than a day ago can already be stale
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
        fi
    else
        echo "please install with your package manager: $*" >&2
        return 1
    fi
}

missing=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
command -v mkvpropedit >/dev/null || missing+=(mkvtoolnix)  # HDR metadata into MKV outputs
if [ "$dev" = 1 ]; then
    # Qt's system libraries (offscreen, Xvfb and a real X server: the xcb plugin needs the
    # libxcb-* ones) and Blender for the real Blender add-on test.
    for lib in libegl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
               libfontconfig1 libdbus-1-3 libgl1 xvfb xauth; do
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
