#!/usr/bin/env bash
# coverage.sh - line and branch coverage of the library by the test suite.
#
#   tests/coverage.sh            from anywhere; the report goes to build/coverage/
#
# Builds the library, the command and the unit tests with --coverage (no
# optimisation, no LTO) into build/coverage, runs the unit, golden and
# end-to-end tests there, and has gcovr report on the library (engine/ and
# grammar/) and, separately, on the command (cli/).
#
# The generated parser and scanner (build/coverage/gen/parser.c, lexer.c)
# carry #line directives: gcov credits the grammar actions to
# grammar/parser.y and grammar/lexer.l, and the rest (bison's and flex's
# skeletons, tables and driver) to the generated files themselves.  The
# report keeps the first and leaves out the second: only grammar/ and
# engine/ are measured, so the skeletons' code, which we do not write,
# does not count either way.
#
# Prints the per-file table and the figures of each part, writes an HTML
# report of both (build/coverage/html/index.html), and exits non-zero when a
# test failed or coverage is below the targets: for the library at least 90%
# of lines and 80% of branches (SVP_MIN_LINES / SVP_MIN_BRANCHES override
# them), for the command at least 85% and 70% (SVP_CLI_MIN_LINES /
# SVP_CLI_MIN_BRANCHES).  The command's targets are lower: much of what it
# adds is the handling of errors the tests provoke only in part (a write
# to a full disk, a file that vanishes between two reads, out of memory).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root" || exit 2
out=build/coverage
min_lines=${SVP_MIN_LINES:-90}
min_branches=${SVP_MIN_BRANCHES:-80}
cli_min_lines=${SVP_CLI_MIN_LINES:-85}
cli_min_branches=${SVP_CLI_MIN_BRANCHES:-70}

if ! command -v gcovr >/dev/null 2>&1; then
    echo "coverage: installing gcovr"
    sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gcovr >/dev/null ||
        { echo "coverage: cannot install gcovr (apt-get install gcovr)" >&2; exit 2; }
fi

# Fresh counts: objects that are up to date are kept, their old counts not.
mkdir -p "$out"
find "$out" -name '*.gcda' -delete

# Every unit test runs even when one fails; failures are listed, not fatal
# here, so the report still comes out.
failed="$out/failed-tests"
: > "$failed"
cat > "$out/run-test.sh" <<EOF
#!/usr/bin/env bash
"\$@" || echo "\$*" >> "$root/$failed"
EOF

# -fprofile-update=atomic: svp eval --jobs counts from several threads, and plain
# counters lose updates and can go negative (gcovr then refuses the report)
make_vars=(BUILD="$out" OPT="-O0 -g" LTO= EXTRA_CFLAGS="--coverage -fprofile-update=atomic" EXTRA_LDFLAGS=--coverage)
make --no-print-directory "${make_vars[@]}" all || exit 2
make --no-print-directory -k "${make_vars[@]}" TEST_WRAP="bash $out/run-test.sh" unit golden e2e
tests_status=$?

# Two figures, each with its targets: the library (engine/ and grammar/)
# and the command (cli/).  One HTML report covers all three folders.
gcovr_common=(--root "$root" --object-directory "$out/obj" --exclude-unreachable-branches)
mkdir -p "$out/html"
gcovr "${gcovr_common[@]}" --filter "$root/engine/" --filter "$root/grammar/" --filter "$root/cli/" \
    --html-details "$out/html/index.html" > /dev/null || exit 2

status=0
if [ -s "$failed" ] || [ "$tests_status" -ne 0 ]; then
    echo "coverage: some tests failed:"
    sed 's/^/  /' "$failed"
    [ "$tests_status" -ne 0 ] && echo "  (make unit golden e2e exited with $tests_status)"
    status=1
fi
below() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$1" "$2"; }

# measure NAME MIN_LINES MIN_BRANCHES FOLDER...: the per-file table and the
# summary of FOLDERs, and whether they meet the targets.
verdicts=()
measure() {
    local name=$1 min_l=$2 min_b=$3 lines branches; shift 3
    local filters=()
    for folder in "$@"; do filters+=(--filter "$root/$folder/"); done
    gcovr "${gcovr_common[@]}" "${filters[@]}" --txt "$out/$name.txt" \
        --json-summary "$out/$name-summary.json" --print-summary > "$out/$name-summary.txt" || exit 2
    echo "== $name ($*)"
    cat "$out/$name.txt"
    echo
    read -r lines branches < <(python3 - "$out/$name-summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(s["line_percent"], s["branch_percent"])
PY
)
    local ok=ok
    if below "$lines" "$min_l"; then
        echo "coverage: $name: lines ${lines}% is below the ${min_l}% target"
        ok=BELOW status=1
    fi
    if below "$branches" "$min_b"; then
        echo "coverage: $name: branches ${branches}% is below the ${min_b}% target"
        ok=BELOW status=1
    fi
    verdicts+=("coverage: $name ($*): lines ${lines}% (target ${min_l}%), branches ${branches}% (target ${min_b}%): $ok")
}
measure library "$min_lines" "$min_branches" engine grammar
measure command "$cli_min_lines" "$cli_min_branches" cli
printf '%s\n' "${verdicts[@]}"
exit $status
