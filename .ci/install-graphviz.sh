#!/usr/bin/env bash
# Install the Graphviz `dot` program where we can (Debian/Ubuntu). Never fails the build:
# without `dot`, autograd_lite still writes .gv sources and says how to install Graphviz.
set -u
if command -v dot >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "note: Graphviz 'dot' is missing and cannot be installed without root;" \
         "graphs will be written as .gv sources (install with: sudo apt-get install graphviz)" >&2
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    echo "Installing Graphviz (apt-get install graphviz) ..." >&2
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null 2>&1 \
        || echo "note: apt-get install graphviz failed; graphs fall back to .gv sources" >&2
else
    echo "note: no apt-get here; install Graphviz with your package manager" >&2
fi
exit 0
