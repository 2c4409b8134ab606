#!/usr/bin/env bash
# coverage.sh - line and branch coverage of the library by the test suite.
#
#   tests/coverage.sh            from anywhere; the report goes to build/coverage/
#
# Builds the library, the command and the unit tests with --coverage (no
# optimisation, no LTO) into build/coverage, runs the unit, golden and
# end-to-end tests there, and has gcovr report on engine/ and grammar/.
#
# The generated parser and scanner (build/coverage/gen/parser.c, lexer.c)
# carry #line directives: gcov credits the grammar actions to
# grammar/parser.y and grammar/lexer.l, and the rest (bison's and flex's
# skeletons, tables and driver) to the generated files themselves.  The
# report keeps the first and leaves out the second: only grammar/ and
# engine/ are measured, so the skeletons' code, which we do not write,
# does not count either way.
#
# Prints the summary and the per-file table, writes an HTML report
# (build/coverage/html/index.html), and exits non-zero when a test failed
# or coverage is below the targets: at least 90% of lines and 80% of
# branches (SVP_MIN_LINES / SVP_MIN_BRANCHES override them).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root" || exit 2
out=build/coverage
min_lines=${SVP_MIN_LINES:-90}
min_branches=${SVP_MIN_BRANCHES:-80}

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

make_vars=(BUILD="$out" OPT="-O0 -g" LTO= EXTRA_CFLAGS=--coverage EXTRA_LDFLAGS=--coverage)
make --no-print-directory "${make_vars[@]}" all || exit 2
make --no-print-directory -k "${make_vars[@]}" TEST_WRAP="bash $out/run-test.sh" unit golden e2e
tests_status=$?

gcovr_args=(--root "$root" --object-directory "$out/obj"
            --filter "$root/engine/" --filter "$root/grammar/"
            --exclude-unreachable-branches)
mkdir -p "$out/html"
gcovr "${gcovr_args[@]}" --txt "$out/coverage.txt" --json-summary "$out/summary.json" \
    --html-details "$out/html/index.html" --print-summary > "$out/summary.txt" || exit 2
cat "$out/coverage.txt"
echo
cat "$out/summary.txt"

read -r lines branches < <(python3 - "$out/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(s["line_percent"], s["branch_percent"])
EOF
)
status=0
if [ -s "$failed" ] || [ "$tests_status" -ne 0 ]; then
    echo "coverage: some tests failed:"
    sed 's/^/  /' "$failed"
    [ "$tests_status" -ne 0 ] && echo "  (make unit golden e2e exited with $tests_status)"
    status=1
fi
below() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$1" "$2"; }
if below "$lines" "$min_lines"; then
    echo "coverage: lines ${lines}% is below the ${min_lines}% target"
    status=1
fi
if below "$branches" "$min_branches"; then
    echo "coverage: branches ${branches}% is below the ${min_branches}% target"
    status=1
fi
[ $status -eq 0 ] && echo "coverage: lines ${lines}% (target ${min_lines}%), branches ${branches}% (target ${min_branches}%): ok"
exit $status
