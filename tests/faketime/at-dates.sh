#!/usr/bin/env bash
# Rapport's date-sensitive tests again with the machine's date moved, under Debian's faketime.
#
#   tests/faketime/at-dates.sh PYTEST [PYTEST ARGS...] -- MOMENT...
#   e.g. tests/faketime/at-dates.sh .venv/bin/pytest tests/unit -- 2027-12-31T23:30:00Z
#
# Each MOMENT (anything `date -d` reads) is where the faked clock starts; it then runs at the
# real pace. The offset is relative (faketime -f "+Ns"), so every process of the run (pytest,
# `rapport serve`, the embedded redis-server, ...) shares one faked timeline. Monotonic clocks
# stay real (FAKETIME_DONT_FAKE_MONOTONIC=1): timeouts, leases and sleeps are unaffected.
# sitecustomize.py beside this script works around libfaketime's broken time.sleep on Python
# 3.11+ in that mode. faketime is installed with apt-get when missing and we are root;
# otherwise the faked runs are skipped, loudly.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pytest_cmd=()
while [[ $# -gt 0 && "$1" != "--" ]]; do pytest_cmd+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
moments=("$@")
if [[ ${#pytest_cmd[@]} -eq 0 || ${#moments[@]} -eq 0 ]]; then
    echo "usage: $0 PYTEST [ARGS...] -- MOMENT..." >&2
    exit 2
fi

skip() {
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!! SKIPPED: the tests at faked dates (${moments[*]}) did not run: $1" >&2
    echo "!! Install Debian's faketime (apt-get install faketime) to run them." >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    exit 0
}

if ! command -v faketime >/dev/null; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        echo "faketime is missing: installing it with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -q && apt-get install -y -q faketime; } >/dev/null \
            || skip "apt-get install faketime failed"
    else
        skip "faketime is not installed, and installing it needs root and apt-get"
    fi
fi

export FAKETIME_DONT_FAKE_MONOTONIC=1
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
status=0
for moment in "${moments[@]}"; do
    offset=$(( $(date -u -d "$moment" +%s) - $(date -u +%s) ))
    started=$(date -u +%s)
    echo "== tests at $(faketime -f "+${offset}s" date -u '+%Y-%m-%d %H:%M:%S UTC (%a)')" \
         "= $(TZ=Europe/London faketime -f "+${offset}s" date '+%H:%M %Z') in London"
    if faketime -f "+${offset}s" "${pytest_cmd[@]}"; then
        echo "== passed at $moment in $(( $(date -u +%s) - started ))s"
    else
        status=1
        echo "== FAILED at $moment (after $(( $(date -u +%s) - started ))s)"
    fi
done
exit "$status"
