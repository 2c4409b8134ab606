#!/usr/bin/env bash
# run.sh - every command the documentation shows, run, and its output compared.
#
#   tests/readme/run.sh [SVP [FILE.md...]]
#
# Run by `make test`.  Without FILEs: README.md and every other *.md file of
# the repository (build/ aside), so a section written this way anywhere is
# tested without being listed here.
#
# THE CONVENTION (write documentation this way and it is tested):
#   - A fenced block opened with ```sh is a transcript.  Each line in it that
#     starts with "$ " is a command; the lines after it, up to the next
#     command or the end of the block, are what it prints: standard output
#     and standard error together, compared byte for byte.
#   - A ```sh block with no "$ " line (a list of commands to type) is not
#     run; nor is any other block (```, ```json...).
#   - Commands run one after the other, each with `bash -c`, from the root of
#     a scratch copy of the repository (so `svp fmt -w` or a file written to
#     the current folder changes nothing real), where build/ stands for the
#     folder of the svp under test: `build/svp` is that svp, `build/libsvp.a`
#     its library, and `cc` the C compiler with the run's EXTRA_CFLAGS and
#     EXTRA_LDFLAGS.  Standard input is empty; NO_COLOR is unset and the
#     output is not a terminal.
#   - A command line ending in " \" goes on on the next line (as in the
#     shell; the lines are passed to bash as they are).
#   - In what a command prints:
#       a line that is "..." (indented or not) stands for one or more lines
#       not shown;
#       a line ending in "\" was wrapped for display: the "\" is removed and
#       the next line, its leading spaces removed, is joined to it (so wrap
#       after a space, or where the real line has none).
#     A real output line that is "..." or ends in "\" cannot be shown.
#   - To show an exit status, make it part of the command:
#       $ build/svp check x.svp; echo "exit status: $?"
#
# A command whose output differs fails with a diff (expected, then got).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" readme "${1:-build/svp}"
shift
if [ $# -gt 0 ]; then
    docs=("$@")
else
    mapfile -t docs < <(find . -path ./build -prune -o -path ./.git -prune -o -name '*.md' -print | sed 's|^\./||' | sort)
fi

# A scratch copy of the repository.  Its build/ holds a link to each thing
# in the folder of the svp under test (so what a command writes there, such
# as `cc -o build/embed`, replaces a link, not the real file).
work=$tmp/repo
mkdir -p "$work/build"
tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -C "$work" -xf - || exit 2
for built in "$(dirname "$svp")"/*; do ln -s "$built" "$work/build/"; done
# `cc` is the C compiler with the run's flags (make sanitize and make coverage
# build the library with flags a program that links it needs too).
mkdir -p "$tmp/bin"
real_cc=$(command -v "${CC:-cc}") || exit 2
printf '#!/bin/sh\nexec %s %s "$@" %s\n' "$real_cc" "${EXTRA_CFLAGS:-}" "${EXTRA_LDFLAGS:-}" > "$tmp/bin/cc"
chmod +x "$tmp/bin/cc"

# expected FILE: the expected output with wrapped lines joined.
unwrap() {
    awk '{ if (held != "") { sub(/^ +/, ""); $0 = held $0; held = "" }
           if (/\\$/) { held = substr($0, 1, length($0) - 1); next }
           print }
         END { if (held != "") print held }' "$1"
}

# matches EXPECTED GOT: does GOT (a file of lines) match EXPECTED (lines,
# "..." standing for one or more lines)?  Fixed runs of lines between the
# "..." are found leftmost first, which finds a match whenever there is one.
matches() {
    awk -v expected="$1" '
        BEGIN { while ((getline line < expected) > 0) e[ne++] = line }
        { g[ng++] = $0 }
        END {
            # split e into segments at "..."; seg s is e[start[s] .. end[s]-1]
            ns = 0; start[0] = 0
            for (i = 0; i < ne; i++) if (e[i] ~ /^ *\.\.\.$/) { stop[ns] = i; start[++ns] = i + 1 }
            stop[ns] = ne
            if (ns == 0) { if (ng != ne) exit 1; for (i = 0; i < ne; i++) if (e[i] != g[i]) exit 1; exit 0 }
            # first segment at the start, last at the end
            n0 = stop[0] - start[0]; nl = stop[ns] - start[ns]
            if (n0 + nl + ns > ng) exit 1
            for (i = 0; i < n0; i++) if (e[i] != g[i]) exit 1
            for (i = 0; i < nl; i++) if (e[start[ns] + i] != g[ng - nl + i]) exit 1
            pos = n0; limit = ng - nl
            for (s = 1; s < ns; s++) {
                len = stop[s] - start[s]; pos++        # "..." takes at least one line
                found = -1
                for (p = pos; p + len + 1 <= limit && found < 0; p++) {   # the next "..." needs one too
                    ok = 1
                    for (i = 0; i < len && ok; i++) if (e[start[s] + i] != g[p + i]) ok = 0
                    if (ok) found = p
                }
                if (found < 0) exit 1
                pos = found + len
            }
            exit (pos + 1 <= limit) ? 0 : 1
        }' "$2"
}

run_one() { # DOC LINE COMMAND_FILE EXPECTED_FILE
    local doc=$1 line=$2 cmdfile=$3 want=$4
    unwrap "$want" > "$tmp/want"
    (cd "$work" && PATH=$tmp/bin:$PATH env -u NO_COLOR bash -c "$(cat "$cmdfile")" < /dev/null > "$tmp/got" 2>&1)
    if matches "$tmp/want" "$tmp/got"; then
        pass
    else
        fail "$doc:$line: \$ $(head -n 1 "$cmdfile")"
        diff "$tmp/want" "$tmp/got" | head -n 20 | sed 's/^/    /'
    fi
}

for doc in "${docs[@]}"; do
    in_sh=0 in_other=0 cmd_line=0 continuing=0 n=0
    : > "$tmp/cmd"; : > "$tmp/expected"
    flush() {
        if [ "$cmd_line" -gt 0 ]; then run_one "$doc" "$cmd_line" "$tmp/cmd" "$tmp/expected"; n=$((n + 1)); fi
        cmd_line=0; : > "$tmp/cmd"; : > "$tmp/expected"
    }
    lineno=0
    while IFS= read -r text || [ -n "$text" ]; do
        lineno=$((lineno + 1))
        if [ $in_sh -eq 0 ]; then
            case $text in
                '```sh') [ $in_other -eq 0 ] && in_sh=1 ;;
                '```'*) in_other=$((1 - in_other)) ;;
            esac
            continue
        fi
        if [ "$text" = '```' ]; then flush; in_sh=0; continue; fi
        if [ $continuing -eq 1 ]; then
            printf '%s\n' "$text" >> "$tmp/cmd"
        elif [ "${text:0:2}" = '$ ' ]; then
            flush
            cmd_line=$lineno
            printf '%s\n' "${text:2}" > "$tmp/cmd"
        elif [ "$cmd_line" -gt 0 ]; then
            printf '%s\n' "$text" >> "$tmp/expected"
            continue
        else
            continue
        fi
        case $text in *' \') continuing=1 ;; *) continuing=0 ;; esac
    done < "$doc"
    [ $in_sh -eq 1 ] && fail "$doc: a \`\`\`sh block is not closed"
    [ $n -gt 0 ] && echo "readme: $doc: $n commands"
done
summary
