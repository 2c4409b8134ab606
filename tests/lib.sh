# lib.sh - what the shell test runners share; source it first:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" NAME "$@"
#
# Sets svp (the binary under test: $1 of the runner, default build/svp,
# made absolute), root (the repository, now the current directory), tmp (a
# scratch folder removed on exit) and the counters passed and failed, with
# pass, fail MESSAGE, same NAME GOT WANT, and summary (the closing line
# "NAME: N passed, M failed", and the exit status).
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
svp_test_name=$1
svp=${2:-build/svp}
case $svp in /*) ;; *) svp="$PWD/$svp" ;; esac
cd "$root" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/svp-$svp_test_name.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
same() { if [ "$2" = "$3" ]; then pass; else fail "$1: expected $3, got $2"; fi; }
summary() {
    echo "$svp_test_name: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
