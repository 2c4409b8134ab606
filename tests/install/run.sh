#!/usr/bin/env bash
# run.sh - `make install` and `make uninstall`, tried as a user of the library.
#
#   tests/install/run.sh [SVP]
#
# Run by `make test` (the make variables of the run, such as BUILD and the
# sanitizer flags, reach the `make install` below through the environment).
#   1. make install DESTDIR=STAGE PREFIX=/usr/local: exactly the expected
#      files under STAGE/usr/local (the command, libsvp.a, libsvp.so.X.Y.Z
#      with its soname link libsvp.so.X and the libsvp.so dev link, svp.h,
#      svp.pc naming /usr/local, the two man pages), the soname in the
#      library, and the exported symbols exactly the functions svp.h
#      declares; make uninstall with the same variables leaves no file.
#   2. make install PREFIX=TMP/prefix: examples/embed.c built with
#      `pkg-config --cflags --libs svp` against it (shared: NEEDED
#      libsvp.so.X) and against libsvp.a (static: no libsvp.so needed), both
#      run on the council's policy and print the same; the installed
#      command runs; `man -l` renders both man pages with no warning (and
#      groff -ww, and mandoc -T lint where installed, find nothing); every
#      subcommand `svp help` lists has its section in svp(1), and every
#      option it shows is in the page; then make uninstall leaves no file
#      (only the empty folders).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" install "$@"
make_() { make --no-print-directory -C "$root" "$@" > "$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; return 1; }; }
files_under() { (cd "$1" && find . ! -type d | sort); }
cflags=${EXTRA_CFLAGS:-} ldflags=${EXTRA_LDFLAGS:-} # the sanitizer run's flags, if any

# ---- 1. a staged install (DESTDIR), as a packager does it ----------------------------
stage=$tmp/stage
if make_ install DESTDIR="$stage" PREFIX=/usr/local; then pass; else fail "make install DESTDIR=... failed"; fi
lib=$stage/usr/local/lib
shlib=$(cd "$lib" 2>/dev/null && ls libsvp.so.*.*.* 2>/dev/null)
version=${shlib#libsvp.so.} major=${version%%.*}
case $version in [0-9]*.[0-9]*.[0-9]*) pass ;; *) fail "no libsvp.so.MAJOR.MINOR.PATCH installed (got '$shlib')" ;; esac
want="./bin/svp
./include/svp.h
./lib/libsvp.a
./lib/libsvp.so
./lib/libsvp.so.$major
./lib/libsvp.so.$version
./lib/pkgconfig/svp.pc
./share/man/man1/svp.1
./share/man/man5/svp-policy.5"
same "installed files" "$(files_under "$stage/usr/local")" "$want"
same "nothing outside PREFIX" "$(cd "$stage" && ls)" "usr"
same "libsvp.so.$major" "$(readlink "$lib/libsvp.so.$major")" "libsvp.so.$version"
same "libsvp.so" "$(readlink "$lib/libsvp.so")" "libsvp.so.$major"
same "soname" "$(readelf -d "$lib/$shlib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" "libsvp.so.$major"
same "svp.pc prefix" "$(sed -n 's/^prefix=//p' "$lib/pkgconfig/svp.pc")" "/usr/local"
same "svp.pc version" "$(sed -n 's/^Version: //p' "$lib/pkgconfig/svp.pc")" "$version"
cmp -s "$stage/usr/local/include/svp.h" engine/svp.h && pass || fail "the installed svp.h is not engine/svp.h"
[ -x "$stage/usr/local/bin/svp" ] && pass || fail "bin/svp is not executable"
declared=$(${CC:-cc} -E -P -x c engine/svp.h | grep -o '\bsvp_[a-z0-9_]* *(' | tr -d ' (' | sort -u)
exported=$(nm -D --defined-only "$lib/$shlib" | awk '$2 == "T" || $2 == "D" || $2 == "B" { print $3 }' | sort -u)
same "exported symbols (the functions of svp.h)" "$exported" "$declared"
if make_ uninstall DESTDIR="$stage" PREFIX=/usr/local; then pass; else fail "make uninstall DESTDIR=... failed"; fi
same "left after uninstall (staged)" "$(files_under "$stage")" ""

# ---- 2. an install a program builds against, with pkg-config ----------------------------
prefix=$tmp/prefix
if make_ install PREFIX="$prefix"; then pass; else fail "make install PREFIX=... failed"; fi
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
same "pkg-config --modversion" "$(pkg-config --modversion svp 2>&1)" "$version"
# (pkgconf adds libcjson's -I, from Requires.private: harmless)
for word in "-I$prefix/include" "-L$prefix/lib" -lsvp; do
    case " $(pkg-config --cflags --libs svp) " in *" $word "*) pass ;; *) fail "pkg-config --cflags --libs svp lacks $word" ;; esac
done
case " $(pkg-config --static --libs svp) " in *" -lcjson "*) pass ;; *) fail "pkg-config --static --libs svp lacks -lcjson" ;; esac

policy=policies/nelc-social-value.svp
# shellcheck disable=SC2046 # pkg-config's words are meant to split
if ${CC:-cc} $cflags -o "$tmp/embed-shared" examples/embed.c $(pkg-config --cflags --libs svp) $ldflags; then
    pass
    same "embed (shared) needs" "$(readelf -d "$tmp/embed-shared" | sed -n 's/.*(NEEDED).*\[\(libsvp[^]]*\)\]/\1/p')" "libsvp.so.$major"
    LD_LIBRARY_PATH=$prefix/lib "$tmp/embed-shared" "$policy" > "$tmp/shared.out" 2>&1
    same "embed (shared) exit status" "$?" "0"
else
    fail "examples/embed.c does not build with pkg-config --cflags --libs svp"
fi
# The static library, named by its file (the README's line), with what
# svp.pc says it needs (Requires.private).
# shellcheck disable=SC2046
if ${CC:-cc} $cflags -o "$tmp/embed-static" examples/embed.c $(pkg-config --cflags svp) \
    "$(pkg-config --variable=libdir svp)/libsvp.a" $(pkg-config --libs $(pkg-config --print-requires-private svp)) $ldflags; then
    pass
    same "embed (static) needs libsvp.so" "$(readelf -d "$tmp/embed-static" | grep -c 'NEEDED.*libsvp')" "0"
    "$tmp/embed-static" "$policy" > "$tmp/static.out" 2>&1
    same "embed (static) exit status" "$?" "0"
else
    fail "examples/embed.c does not build against libsvp.a"
fi
same "embed (static) prints as embed (shared)" "$(cat "$tmp/static.out" 2>&1)" "$(cat "$tmp/shared.out" 2>&1)"
same "embed's verdict" "$(sed -n 2p "$tmp/shared.out" 2>&1)" "(built-in record) (NELC-2025-0042): NON-COMPLIANT"
"$prefix/bin/svp" check "$policy" > /dev/null 2>&1
same "installed svp check" "$?" "0"

# The man pages: rendered by man with no warning, lint-clean.
for page in share/man/man1/svp.1 share/man/man5/svp-policy.5; do
    out=$(MANWIDTH=80 man --warnings -l "$prefix/$page" 2>&1 >/dev/null)
    same "man -l $page warnings" "$out" ""
    rendered=$(MANWIDTH=80 man -l "$prefix/$page" 2>/dev/null)
    case $rendered in *NAME*SYNOPSIS*DESCRIPTION*) pass ;; *) fail "man -l $page renders no NAME, SYNOPSIS, DESCRIPTION" ;; esac
    same "groff -ww $page" "$(groff -ww -z -man "$prefix/$page" 2>&1)" ""
    if command -v mandoc > /dev/null; then
        same "mandoc -T lint $page" "$(mandoc -T lint "$prefix/$page" 2>&1)" ""
    fi
done
# svp(1) documents every subcommand `svp help` lists.
for cmd in $("$prefix/bin/svp" help | sed -n 's/^  svp \([a-z][a-z-]*\).*/\1/p'); do
    grep -q "^\.SS \"svp $cmd\( \|\"\)" "$prefix/share/man/man1/svp.1" && pass || fail "svp(1) has no section for svp $cmd"
done

# ... and every option it shows.
rendered=$(MANWIDTH=200 man -l "$prefix/share/man/man1/svp.1" 2>/dev/null)
for option in $("$prefix/bin/svp" help | grep -o -- '[[ ]--*[a-z][a-z-]*' | cut -c2- | sort -u); do
    grep -q -- "$option\b" <<< "$rendered" && pass || fail "svp(1) does not document $option"
done

if make_ uninstall PREFIX="$prefix"; then pass; else fail "make uninstall PREFIX=... failed"; fi
same "left after uninstall" "$(files_under "$prefix")" ""
summary
