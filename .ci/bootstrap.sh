#!/usr/bin/env bash
# Create the project-local virtual environment and install autograd_lite with its dev extras.
# Used by `make demo`, `make test` and `make bench`; safe to run again (pip is idempotent).
set -euo pipefail
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@";
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@";
    else return 1; fi
}

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: $PYTHON not found; install Python >= 3.10 (apt-get install python3)" >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian/Ubuntu ship venv separately (python3-venv); install it when we can.
        rm -rf "$VENV"
        ver=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        as_root apt-get update -qq || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python$ver-venv" python3-venv \
            || { echo "error: '$PYTHON -m venv' failed; install python3-venv" >&2; exit 1; }
        "$PYTHON" -m venv "$VENV"
    fi
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'
