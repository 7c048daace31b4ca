#!/usr/bin/env bash
# The test suite, as CI runs it: installs what the tests need, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium for the browser test, DejaVu for the Cyrillic PDF fixtures,
# iproute2 (`ip netns`) for the loopback-only network namespace the Ray cluster runs in.
need=()
command -v ip >/dev/null || need+=(iproute2)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "warning: missing ${need[*]} (install with apt-get)" >&2
    fi
fi

bash scripts/setup.sh --test
# keep the suite away from the user's own index and model cache
export XDG_CACHE_HOME="${KAZRAG_TEST_CACHE:-$(mktemp -d)}" XDG_DATA_HOME="$(mktemp -d)"
# style and types first: they take seconds, and a failure here is cheap to fix
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
    echo "pytest collected no tests: treating as a failure" >&2
    exit 1
fi
exit $rc
