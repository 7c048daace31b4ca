#!/usr/bin/env bash
# Install kazrag into ./.venv (CPU-only torch first, so pip never pulls a CUDA build).
# Idempotent: a second run only checks. Usage: bash scripts/setup.sh [--test]
# pip's own output goes to .venv/setup.log; a failure shows its end.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

step() { echo "kazrag setup: $*" >&2; }
run() {  # run a pip step quietly; on failure print the end of the log and stop
    if ! "$@" >>.venv/setup.log 2>&1; then
        echo "kazrag setup: failed: $*" >&2
        tail -n 30 .venv/setup.log >&2
        exit 1
    fi
}

if [ ! -x .venv/bin/python ]; then
    step "creating .venv with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
stamp=".venv/.kazrag-installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    : >.venv/setup.log
    step "installing pip, then torch 2.13.0 (CPU build)"
    run python -m pip install --upgrade pip
    run python -m pip install "torch==2.13.0"
    step "installing kazrag${extras} and its dependencies (a few minutes the first time)"
    run python -m pip install -e ".${extras}"
    touch "$stamp"
fi
step "ready: $(python -c 'import kazrag, torch; print("kazrag", kazrag.__version__, "with torch", torch.__version__)')"
step "next: .venv/bin/kazrag ask \"Сколько судей было наказано за нарушение судейской этики?\"   or   .venv/bin/kazrag serve"
