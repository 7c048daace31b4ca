#!/usr/bin/env bash
# Install kazrag into ./.venv (CPU-only torch first, so pip never pulls a CUDA build).
# Idempotent: a second run only checks. Usage: bash scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
stamp=".venv/.kazrag-installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    python -m pip install -q --upgrade pip
    python -m pip install -q "torch==2.13.0"
    python -m pip install -q -e ".${extras}"
    touch "$stamp"
fi
echo "kazrag installed in $(pwd)/.venv ($(python -c 'import torch; print("torch", torch.__version__)'))" >&2
