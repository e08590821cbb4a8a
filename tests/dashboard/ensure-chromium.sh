#!/usr/bin/env bash
# Debian's Chromium for Rapport's browser tests (tests/dashboard/test_dashboard_browser.py),
# installed with apt-get when it is missing and we are root. Otherwise nothing is installed
# and the browser tests skip, loudly; the HTTP-level dashboard tests run either way.
set -uo pipefail

chromium="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] && exit 0
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "chromium is missing: installing Debian's chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if { apt-get update -q && apt-get install -y -q chromium; } >/dev/null; then
        exit 0
    fi
    reason="apt-get install chromium failed"
else
    reason="not root, or no apt-get"
fi
echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
echo "!! Chromium is not installed ($reason): the dashboard's browser tests will SKIP." >&2
echo "!! Install Debian's chromium (apt-get install chromium) to run them." >&2
echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
exit 0
