#!/usr/bin/env bash
# run.sh - the build itself: what `make clean && make -j8` and `make LTO=` must do.
#
#   tests/clean-build/run.sh
#
# Run by `make test`.  One clean build, from nothing, into a scratch BUILD
# folder, with `make -j8 LTO=` (link-time optimisation off, as the sanitizer
# and coverage builds have it, at the release build's -O3), whatever make
# variables the calling run had.  Checks:
#   - it succeeds (GCC warns about things at -O3 without LTO that it does not
#     see with it, and warnings are errors), the fuzz replay harnesses
#     included (LTO drops unused functions before linking, so a harness that
#     takes a cli/ file whose unused function calls main.c links only with it);
#   - bison ran once and flex ran once (a rule with two targets and no `&:`
#     runs its recipe once per target in a parallel build);
#   - every file of cli/ was compiled with the public-header folder only
#     (-IBUILD/include, no -Iengine), and none includes a header by a path
#     (`#include "../engine/x.h"`), so the command can use only svp.h;
#   - the public-header folder holds svp.h and nothing else.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" build "$@"
out=$tmp/build
log=$tmp/make.log
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j8 BUILD="$out" LTO= OPT="-O3 -g" \
    EXTRA_CFLAGS= EXTRA_LDFLAGS= all "$out/tests/replay_policy" "$out/tests/replay_record" \
    "$out/tests/replay_batch" "$out/tests/replay_lsp" > "$log" 2>&1
status=$?
if [ $status -eq 0 ]; then pass; else fail "make -j8 LTO= failed (exit $status):"; tail -n 30 "$log"; fi
[ -x "$out/svp" ] && pass || fail "make -j8 LTO= made no $out/svp"
for h in policy record batch lsp; do
    [ -x "$out/tests/replay_$h" ] && pass || fail "make -j8 LTO= made no replay_$h harness"
done
same "bison runs in a clean make -j8" "$(grep -c '^bison ' "$log")" "1"
same "flex runs in a clean make -j8" "$(grep -c '^flex ' "$log")" "1"

cli_lines=$(grep -E ' -c -o [^ ]*/cli_[a-z_0-9]+\.o cli/' "$log")
same "cli/ files compiled" "$(grep -c . <<< "$cli_lines")" "$(ls cli/*.c | wc -l)"
same "cli/ compiled with -Iengine" "$(grep -c -- '-Iengine' <<< "$cli_lines")" "0"
same "cli/ compiled without the public folder" "$(grep -vc -- "-I$out/include" <<< "$cli_lines")" "0"
same "public header folder" "$(ls "$out/include")" "svp.h"
same "cli/ includes by path" "$(grep -n '^ *# *include *"[^"]*/' cli/*.c cli/*.h)" ""
summary
