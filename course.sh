#!/usr/bin/env bash
# For those who prefer bash: the same as `python3 course.py COMMAND` (see course.py, which does
# all the work and also runs on Windows). Kept free of arrays and of `set -u`, so that macOS's
# /bin/bash 3.2 runs it too.
#
#   bash course.sh lab | test | check | notebooks | student | grade | bench | lint | lock |
#                  test-lowest | test-numerics | site | slides
set -e
cd "$(dirname "$0")"
python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
    python=python
fi
exec "$python" course.py "$@"
