#!/bin/sh
# Install requirements.txt into the virtual environment VENV, every file checked against the hash it records:
#     scripts/install-requirements.sh VENV [pip options]
# The pip a new virtual environment starts with (23.2 on Python 3.11) takes the newest release of a dependency that
# another names with an extra (weasel's smart-open[http]) even where requirements.txt pins an older one, and
# --require-hashes then refuses the install. The pip requirements.txt pins resolves it correctly, so it goes in
# first, with its own hashes.
set -eu
venv=$1
shift
pinned_pip=$(mktemp)
trap 'rm -f "$pinned_pip"' EXIT
awk '/^pip==/ { keep = 1; print; next } keep && /^ +--hash/ { print; next } { keep = 0 }' requirements.txt >"$pinned_pip"
"$venv/bin/python" -m pip install "$@" --require-hashes --no-deps -r "$pinned_pip"
"$venv/bin/python" -m pip install "$@" --require-hashes -r requirements.txt
