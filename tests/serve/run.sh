#!/usr/bin/env bash
# run.sh SVP - the tests of `svp serve`: the API over a real server, the
# register (concurrent saves, kill -9, databases that are not ours), and
# an officer at the form in headless Chromium.  Python is Debian's
# (/usr/bin/python3, with python3-selenium), as .ci/setup installs it.
set -uo pipefail
svp=$(realpath "${1:-build/svp}")
here=$(cd "$(dirname "$0")" && pwd)
build=$(dirname "$svp")
work=$(mktemp -d "${TMPDIR:-/tmp}/svp-serve.XXXXXX")
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3
status=0
cd "$here"
timeout 300 $py api_test.py "$svp" "$work" || status=1
timeout 300 $py register_test.py "$svp" "$work" || status=1
timeout 120 $py browser_test.py "$svp" "$work" "$build/serve-officer-desk.png" || status=1
exit $status
