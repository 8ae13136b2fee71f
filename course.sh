#!/usr/bin/env bash
# The course's one entry point. Each command first makes sure that .venv holds what
# requirements.txt asks for, so on a fresh machine it is the only set-up step.
#
#   bash course.sh lab         open the course in JupyterLab (localhost, token auth on)
#   bash course.sh test        run the whole test suite: rnn_core, every notebook, the browser
#   bash course.sh notebooks   re-execute every notebook top to bottom and store its outputs
#   bash course.sh bench       run the benchmarks (benchmarks/README.md)
set -euo pipefail
cd "$(dirname "$0")"

venv=.venv
python=${PYTHON:-python3}

ensure_venv() {
    # Reinstall only when requirements.txt or pyproject.toml changed since the last install.
    local stamp="$venv/.installed"
    if [[ ! -x "$venv/bin/python" ]]; then
        "$python" -m venv "$venv"
    fi
    if [[ ! -f "$stamp" || requirements.txt -nt "$stamp" || pyproject.toml -nt "$stamp" ]]; then
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        "$venv/bin/python" -m pip install --quiet -r requirements.txt
        touch "$stamp"
    fi
}

case "${1:-}" in
    lab)
        ensure_venv
        as_root=()
        [[ $EUID -eq 0 ]] && as_root=(--allow-root)    # e.g. inside a container
        exec "$venv/bin/jupyter" lab --ip=127.0.0.1 --notebook-dir=. "${as_root[@]}" \
            --LabApp.default_url=/lab/tree/notebooks/00_introduction.ipynb "${@:2}"
        ;;
    test)
        ensure_venv
        exec "$venv/bin/python" -m pytest "${@:2}"
        ;;
    notebooks)
        ensure_venv
        exec "$venv/bin/python" tools/run_notebooks.py "${@:2}"
        ;;
    bench)
        ensure_venv
        exec "$venv/bin/python" benchmarks/bench.py "${@:2}"
        ;;
    *)
        echo "usage: bash course.sh lab | test | notebooks | bench" >&2
        exit 2
        ;;
esac
