#!/usr/bin/env bash
# Refresh constraints.txt, the lock of every Python package nianbao installs: the newest
# versions that pyproject.toml allows, installed into a fresh environment (the project's
# extras test and spark included), written as exact pins. Run `make test` afterwards and
# commit constraints.txt only when it passes: upgrading is a deliberate commit.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q -e '.[test,spark]'
{
  echo "# The versions of every Python package nianbao was tested with (make install and make test"
  echo "# install exactly these: pip install -c constraints.txt). Written by scripts/lock-deps.sh"
  echo "# (make lock) with $("$tmp/venv/bin/python" -V) on $(uname -sm); refresh it there, run make test,"
  echo "# and commit it when the tests pass."
  "$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^#'
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages pinned"
