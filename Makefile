# svp - build, test and check.  See README.md for what each target is for.
#
#   make            build/svp (the command) and build/libsvp.a (the library)
#   make test       every test: unit, golden, end-to-end, policy tests
#   make sanitize   the tests again under AddressSanitizer + UBSan
#   make examples   the embedding example
#   make bench      the benchmark
#   make install    the command, the library (static and shared), svp.h,
#                   svp.pc and the man pages under PREFIX (and DESTDIR)
#   make uninstall  remove exactly what make install put there
#   make clean      remove build/

CC      ?= cc
BUILD   ?= build
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O3 -g
# Link-time optimisation lets the evaluator inline across modules; the
# sanitizer and coverage builds turn it off (LTO= on the command line).
LTO     ?= -flto=auto
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(LTO)
CPPFLAGS += -Iengine -I$(BUILD)/gen
LDLIBS  += -lcjson -lcsv
# Clients of the library (the command, the embedding example) see only the
# public header: a folder that holds svp.h and nothing else.
PUBLIC_INC = $(BUILD)/include

GEN      = $(BUILD)/gen
ENGINE_SRC = $(wildcard engine/*.c)
ENGINE_OBJ = $(patsubst engine/%.c,$(BUILD)/obj/%.o,$(ENGINE_SRC)) \
             $(BUILD)/obj/parser.o $(BUILD)/obj/lexer.o
CLI_SRC  = $(wildcard cli/*.c)
CLI_OBJ  = $(patsubst cli/%.c,$(BUILD)/obj/cli_%.o,$(CLI_SRC))

.PHONY: all setup demo test unit golden e2e replay build-checks sanitize examples bench valgrind coverage fuzz \
        clean install uninstall vscode editors-test pgext pgtest
all: $(BUILD)/svp

# Install the Debian packages svp needs, when they are missing.
setup:
	@bash .ci/setup

# The first command of the README: set up, build, check the council's
# policy and evaluate an example procurement.
demo: setup
	$(MAKE) --no-print-directory all
	$(BUILD)/svp check policies/nelc-social-value.svp
	@echo "$(BUILD)/svp eval policies/nelc-social-value.svp examples/records/fires-sv-weighting.json --format text"
	@$(BUILD)/svp eval policies/nelc-social-value.svp examples/records/fires-sv-weighting.json --format text; \
	    echo "exit status $$? (0: compliant, 1: non-compliant, 2: invalid)"

# ---- generated parser ------------------------------------------------------
# Grouped targets (&:): one run of bison makes both files, so a parallel
# build runs each generator once (tests/clean-build/run.sh checks it).
$(GEN)/parser.c $(GEN)/parser.h &: grammar/parser.y | $(GEN)
	bison -Wall -Werror --defines=$(GEN)/parser.h -o $(GEN)/parser.c $<

$(GEN)/lexer.c $(GEN)/lexer.h &: grammar/lexer.l | $(GEN)
	flex --header-file=$(GEN)/lexer.h -o $(GEN)/lexer.c $<

# Generated code is not ours to keep warning-free against every flag.
GENFLAGS = $(CSTD) $(OPT) $(LTO) -Wall -Wno-unused-function -Wno-sign-compare $(EXTRA_CFLAGS)
$(BUILD)/obj/parser.o: $(GEN)/parser.c $(GEN)/lexer.h engine/*.h | $(BUILD)/obj
	$(CC) $(GENFLAGS) $(CPPFLAGS) -c -o $@ $<
$(BUILD)/obj/lexer.o: $(GEN)/lexer.c $(GEN)/parser.h engine/*.h | $(BUILD)/obj
	$(CC) $(GENFLAGS) $(CPPFLAGS) -c -o $@ $<

# ---- the library and the command -------------------------------------------
$(BUILD)/obj/%.o: engine/%.c engine/*.h $(GEN)/parser.h $(GEN)/lexer.h | $(BUILD)/obj
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) $(CPPFLAGS) -c -o $@ $<
$(BUILD)/obj/cli_%.o: cli/%.c cli/*.h $(PUBLIC_INC)/svp.h | $(BUILD)/obj
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -I$(PUBLIC_INC) -c -o $@ $<
$(PUBLIC_INC)/svp.h: engine/svp.h | $(PUBLIC_INC)
	cp $< $@

$(BUILD)/libsvp.a: $(ENGINE_OBJ)
	gcc-ar rcs $@ $^

$(BUILD)/svp: $(CLI_OBJ) $(BUILD)/obj/web_assets.o $(BUILD)/libsvp.a
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $^ $(LDLIBS) $(SERVE_LIBS) $(EXTRA_LDFLAGS)

# svp serve: HTTP, the register, SHA-256 of policies; the page's files
# (web/) embedded in the command.  -pthread: serve, and the --jobs workers
# (cli/jobs.c).
SERVE_LIBS = -lmicrohttpd -lsqlite3 -lnettle -pthread
WEB_FILES = $(wildcard web/*.html web/*.js web/*.css web/*.svg)
$(GEN)/web_assets.c: $(WEB_FILES) web/embed.sh | $(GEN)
	sh web/embed.sh $(WEB_FILES) > $@
$(BUILD)/obj/web_assets.o: $(GEN)/web_assets.c cli/serve.h $(PUBLIC_INC)/svp.h | $(BUILD)/obj
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -I$(PUBLIC_INC) -Icli -c -o $@ $<

$(GEN) $(BUILD)/obj $(BUILD)/tests $(PUBLIC_INC):
	mkdir -p $@

clean:
	rm -rf $(BUILD)
	rm -f postgres/*.o postgres/*.bc postgres/*.so

# ---- install -------------------------------------------------------------------
# The library's version (MAJOR.MINOR.PATCH): MAJOR changes when svp.h breaks
# compatibility, and is the shared library's soname (libsvp.so.MAJOR).
SVP_VERSION = 0.1.0
SVP_MAJOR   = $(firstword $(subst ., ,$(SVP_VERSION)))
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR     ?= $(PREFIX)/share/man
SONAME      = libsvp.so.$(SVP_MAJOR)
SHLIB       = libsvp.so.$(SVP_VERSION)

# The installed libraries are built from position-independent objects of
# their own ($(BUILD)/pic/), with fat LTO objects so that the static
# library links with or without LTO, with any compiler.  The command and
# the tests keep using $(BUILD)/libsvp.a.  libsvp.so exports exactly the
# functions svp.h declares: the version script lists them, read from the
# preprocessed header, so a new public function is exported without a
# second list to keep (tests/install/run.sh checks the exported set).
PIC_OBJ = $(patsubst $(BUILD)/obj/%.o,$(BUILD)/pic/%.o,$(ENGINE_OBJ))
PICFLAGS = -fPIC -ffat-lto-objects
$(BUILD)/pic/%.o: engine/%.c engine/*.h $(GEN)/parser.h $(GEN)/lexer.h | $(BUILD)/pic
	$(CC) $(CFLAGS) $(PICFLAGS) $(EXTRA_CFLAGS) $(CPPFLAGS) -c -o $@ $<
$(BUILD)/pic/parser.o: $(GEN)/parser.c $(GEN)/lexer.h engine/*.h | $(BUILD)/pic
	$(CC) $(GENFLAGS) $(PICFLAGS) $(CPPFLAGS) -c -o $@ $<
$(BUILD)/pic/lexer.o: $(GEN)/lexer.c $(GEN)/parser.h engine/*.h | $(BUILD)/pic
	$(CC) $(GENFLAGS) $(PICFLAGS) $(CPPFLAGS) -c -o $@ $<
$(BUILD)/lib/libsvp.a: $(PIC_OBJ) | $(BUILD)/lib
	rm -f $@
	gcc-ar rcs $@ $^
$(BUILD)/lib/libsvp.map: engine/svp.h | $(BUILD)/lib
	{ echo '{ global:'; $(CC) $(CSTD) -E -P -x c $< | grep -o '\bsvp_[a-z0-9_]* *(' | tr -d ' (' | \
	    sort -u | sed 's/.*/    &;/'; echo 'local: *; };'; } > $@
$(BUILD)/lib/$(SHLIB): $(PIC_OBJ) $(BUILD)/lib/libsvp.map
	$(CC) $(CFLAGS) $(PICFLAGS) $(EXTRA_CFLAGS) -shared -Wl,-soname,$(SONAME) \
	    -Wl,--version-script=$(BUILD)/lib/libsvp.map -o $@ $(PIC_OBJ) $(LDLIBS) $(EXTRA_LDFLAGS)
$(BUILD)/pic $(BUILD)/lib:
	mkdir -p $@

# Every file make install writes (uninstall removes exactly these).
INSTALLED = $(BINDIR)/svp $(LIBDIR)/libsvp.a $(LIBDIR)/$(SHLIB) $(LIBDIR)/$(SONAME) $(LIBDIR)/libsvp.so \
            $(INCLUDEDIR)/svp.h $(PKGCONFIGDIR)/svp.pc $(MANDIR)/man1/svp.1 $(MANDIR)/man5/svp-policy.5
# svp.pc is written from engine/svp.pc.in, naming the folders installed to.
install: $(BUILD)/svp $(BUILD)/lib/libsvp.a $(BUILD)/lib/$(SHLIB)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BUILD)/svp $(DESTDIR)$(BINDIR)/svp
	install -m 644 $(BUILD)/lib/libsvp.a $(DESTDIR)$(LIBDIR)/libsvp.a
	install -m 755 $(BUILD)/lib/$(SHLIB) $(DESTDIR)$(LIBDIR)/$(SHLIB)
	ln -sf $(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsvp.so
	install -m 644 engine/svp.h $(DESTDIR)$(INCLUDEDIR)/svp.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(SVP_VERSION)|' engine/svp.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/svp.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/svp.pc
	install -m 644 cli/svp.1 $(DESTDIR)$(MANDIR)/man1/svp.1
	install -m 644 grammar/svp-policy.5 $(DESTDIR)$(MANDIR)/man5/svp-policy.5

# Files only: the folders (bin, lib, share/man/man1...) are shared with
# other software and stay, as they do with any make uninstall.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# ---- tests -------------------------------------------------------------------
UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/tests/%: tests/unit/%.c tests/unit/*.h $(BUILD)/libsvp.a | $(BUILD)/tests
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -Wno-missing-prototypes $(CPPFLAGS) -o $@ $< $(BUILD)/libsvp.a $(LDLIBS) -lcmocka $(EXTRA_LDFLAGS)

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $(TEST_WRAP) $$t; done

golden: $(BUILD)/svp
	bash tests/check/run.sh $(BUILD)/svp
	bash tests/fmt/run.sh $(BUILD)/svp
	bash tests/check/cost.sh $(BUILD)/svp

e2e: $(BUILD)/svp
	bash tests/eval/run.sh $(BUILD)/svp
	bash tests/eval/long-line.sh $(BUILD)/svp
	bash tests/eval/input.sh $(BUILD)/svp
	bash tests/eval/records.sh $(BUILD)/svp
	bash tests/cli/run.sh $(BUILD)/svp
	bash tests/eval/colour.sh $(BUILD)/svp
	bash tests/eval/jobs.sh $(BUILD)/svp
	bash tests/eval/units.sh $(BUILD)/svp
	bash tests/portfolio/run.sh $(BUILD)/svp
	bash tests/versions/run.sh $(BUILD)/svp
	bash tests/rules/run.sh $(BUILD)/svp
	bash tests/svptest/run.sh $(BUILD)/svp
	bash tests/review/run.sh $(BUILD)/svp
	bash tests/review/walkthrough.sh $(BUILD)/svp
	bash tests/import/run.sh $(BUILD)/svp
	bash tests/readme/run.sh $(BUILD)/svp
	bash tests/report/run.sh $(BUILD)/svp
	bash tests/serve/run.sh $(BUILD)/svp
	$(BUILD)/svp test --coverage --min-coverage 100 policies/nelc-social-value.tests.json
	$(BUILD)/svp test --coverage --min-coverage 100 policies/ppn-002-social-value-model.tests.json
	$(BUILD)/svp test --coverage --min-coverage 100 policies/proxy-values.tests.json
	python3 tests/lsp/session.py $(BUILD)/svp
	bash tests/editors/vim.sh
	bash tests/editors/nvim.sh $(BUILD)/svp

# Every input fuzzing ever found a problem with, replayed (no clang needed:
# the harnesses link with a plain main).
REPLAY = $(BUILD)/tests/replay_policy $(BUILD)/tests/replay_record $(BUILD)/tests/replay_batch $(BUILD)/tests/replay_lsp
$(BUILD)/tests/replay_%: tests/fuzz/replay.c tests/fuzz/fuzz_%.c tests/fuzz/fuzz_alloc.h $(BUILD)/libsvp.a \
                        $(PUBLIC_INC)/svp.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -I$(PUBLIC_INC) -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_$*.c \
	    $(BUILD)/libsvp.a $(LDLIBS) $(EXTRA_LDFLAGS)

# The batch reader's harness is the command's code (cli/input.c), not the library's.
$(BUILD)/tests/replay_batch: tests/fuzz/replay.c tests/fuzz/fuzz_batch.c cli/input.c cli/util.c cli/cli.h $(BUILD)/libsvp.a \
                            $(PUBLIC_INC)/svp.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -I$(PUBLIC_INC) -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_batch.c \
	    cli/input.c cli/util.c $(BUILD)/libsvp.a $(LDLIBS) $(EXTRA_LDFLAGS)
# The language server's harness also takes the server's own files.
LSP_SERVER_SRC = cli/lsp_server.c cli/lsp_documents.c cli/lsp_protocol.c cli/lsp_versions.c
$(BUILD)/tests/replay_lsp: tests/fuzz/replay.c tests/fuzz/fuzz_lsp.c $(LSP_SERVER_SRC) cli/lsp*.h $(BUILD)/libsvp.a \
                          $(PUBLIC_INC)/svp.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -I$(PUBLIC_INC) -Icli -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_lsp.c \
	    $(LSP_SERVER_SRC) $(BUILD)/libsvp.a $(LDLIBS) $(EXTRA_LDFLAGS)

replay: $(REPLAY)
	SVP_FUZZ_OOM=all $(BUILD)/tests/replay_policy tests/fuzz/regressions/policy
	$(BUILD)/tests/replay_record tests/fuzz/regressions/record
	$(BUILD)/tests/replay_batch tests/fuzz/regressions/batch
	$(BUILD)/tests/replay_lsp tests/fuzz/regressions/lsp

# The build from clean (generators once, make LTO=, cli/ sees only svp.h) and
# make install / uninstall with pkg-config and the man pages.
build-checks: $(BUILD)/svp
	bash tests/clean-build/run.sh
	bash tests/install/run.sh $(BUILD)/svp

test: setup
	$(MAKE) --no-print-directory unit golden e2e replay build-checks
	@echo "all tests passed"

# The whole suite again, built with AddressSanitizer and UBSan in a
# separate build folder (any finding aborts the test that hit it).
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) --no-print-directory BUILD=build/sanitize OPT="-O1 -g" LTO= EXTRA_CFLAGS="$(SAN) -DSVP_NO_CJSON_ARENA" \
	    EXTRA_LDFLAGS="$(SAN)" test

# The unit tests and a batch evaluation under valgrind's memcheck.
valgrind: $(BUILD)/svp $(UNIT_TESTS)
	$(MAKE) --no-print-directory unit TEST_WRAP="valgrind -q --error-exitcode=99 --leak-check=full"
	valgrind -q --error-exitcode=99 --leak-check=full $(BUILD)/svp eval policies/nelc-social-value.svp \
	    examples/register.jsonl --format json > /dev/null || test $$? -ne 99
	valgrind -q --error-exitcode=99 --leak-check=full $(BUILD)/svp import policies/import/ocds.svp \
	    tests/import/fixtures/packages.jsonl tests/import/fixtures/record-package.json > /dev/null 2>&1 || test $$? -ne 99
	valgrind -q --error-exitcode=99 --leak-check=full $(BUILD)/svp import policies/import/transparency-register.svp \
	    tests/import/fixtures/edge.csv > /dev/null 2>&1 || test $$? -ne 99
	SVP_LSP_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	    python3 tests/lsp/session.py $(BUILD)/svp test_break_and_fix test_knowledge test_rename_and_complete \
	    test_formatting test_versions test_robustness
	SVP_LSP_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	    SVP_LSP_BYTES=0 python3 tests/lsp/session.py $(BUILD)/svp test_many_edits

# Line and branch coverage of grammar/ and engine/ (gcovr), with targets.
coverage:
	bash tests/coverage.sh

# The libFuzzer harnesses, FUZZ_SECONDS each (clang); finds go to tests/fuzz/regressions/.
FUZZ_SECONDS ?= 60
fuzz: $(BUILD)/svp
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# ---- editors ------------------------------------------------------------------
# The VS Code extension as a .vsix (npm packages from the registry: needs the
# network), and its tests (the grammar, the package); CI runs editors-test.
vscode:
	bash editors/vscode/build.sh $(BUILD)

editors-test:
	bash tests/editors/vscode.sh $(BUILD)

# ---- examples and benchmark ----------------------------------------------------
examples: $(BUILD)/embed
$(BUILD)/embed: examples/embed.c $(BUILD)/libsvp.a $(PUBLIC_INC)/svp.h
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -I$(PUBLIC_INC) -o $@ $< $(BUILD)/libsvp.a $(LDLIBS) $(EXTRA_LDFLAGS)

# ---- the PostgreSQL extension (postgres/, PGXS) ---------------------------------
# pgtest installs it into the server pg_config names (root, or a user who may
# write there), then runs it in a throwaway cluster; CI runs it after make test.
pgext:
	$(MAKE) -C postgres --no-print-directory
pgtest: setup $(BUILD)/svp
	$(MAKE) -C postgres --no-print-directory install
	bash tests/postgres/run.sh $(BUILD)/svp

bench: $(BUILD)/svp
	bash tests/bench/bench.sh $(BUILD)
