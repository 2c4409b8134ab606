/*
 * fuzz_policy.c - libFuzzer harness: any bytes as policy source.
 *
 * Each input is compiled with svp_policy_compile (as "fuzz.svp"), its
 * diagnostics are read through the accessors and rendered with and without
 * colour, it is formatted with svp_format (and that call's diagnostics
 * rendered too), and everything is freed.  Allocation goes through the
 * checking allocator of fuzz_alloc.h, so a block freed with the wrong size
 * or left allocated aborts the run, as ASan/UBSan findings do.
 *
 * Two optional modes, read from the environment once:
 *   SVP_FUZZ_ORACLES=1  also check what the API promises: a compiled policy
 *                       has no error diagnostics and a refused one has at
 *                       least one; formatted text is a fixed point of
 *                       svp_format and compiles exactly when the input does.
 *   SVP_FUZZ_OOM=1      run each input a second time with an allocator that
 *                       runs dry at a request chosen from the input's bytes:
 *                       svp must report it and free everything.
 *   SVP_FUZZ_OOM=all    instead run dry at every request in turn (inputs of
 *                       up to 16 KiB; longer ones as for 1).  Slow, but it
 *                       does not depend on how many allocations the engine
 *                       makes today: use it to replay or minimise an input
 *                       found with SVP_FUZZ_OOM=1.
 *
 * Build (tests/fuzz/run.sh does this):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -std=c11 -D_POSIX_C_SOURCE=200809L -Iengine -Ibuild/gen \
 *     tests/fuzz/fuzz_policy.c ENGINE_C_FILES build/gen/parser.c build/gen/lexer.c -lcjson
 * where ENGINE_C_FILES is every engine/NAME.c.
 * Without libFuzzer, link it with tests/fuzz/replay.c instead.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svp.h"
#include "fuzz_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int oracles = -1, oom_mode = -1;

/* Read every diagnostic and render the list both ways. */
static void exercise_diagnostics(const svp_diagnostics *d)
{
    if (!d)
        return;
    size_t n = svp_diagnostics_count(d), errors = 0, warnings = 0;
    for (size_t i = 0; i < n; i++) {
        const svp_diagnostic *g = svp_diagnostics_get(d, i);
        if (!g)
            abort(); /* i < count: must exist */
        fuzz_touch_str(g->code);
        fuzz_touch_str(g->message);
        errors += g->severity == SVP_ERROR;
        warnings += g->severity == SVP_WARNING;
    }
    if (svp_diagnostics_get(d, n) != NULL)
        abort(); /* one past the end: must be NULL */
    (void)errors;
    (void)warnings;
    for (int color = 0; color < 2; color++) {
        char *text = svp_diagnostics_render(d, color);
        fuzz_touch_str(text);
        svp_string_free(text);
    }
}

/* Compile, render, format, free: one pass over the input with a fresh
 * allocator (failing from request fail_from when non-zero).  Returns the
 * number of allocation requests the pass made. */
static unsigned long one_pass(const char *text, size_t size, unsigned long fail_from)
{
    FuzzAlloc fa;
    fuzz_alloc_init(&fa, fail_from);
    bool check = oracles && !fail_from;

    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("fuzz.svp", text, size, &fa.api, &d);
    if (p) {
        fuzz_touch_str(svp_policy_name(p));
        fuzz_touch_str(svp_policy_version(p));
    }
    exercise_diagnostics(d);
    if (check) {
        FUZZ_REQUIRE(d != NULL, "diagnostics missing with a working allocator");
        FUZZ_REQUIRE(!p || svp_diagnostics_errors(d) == 0, "a compiled policy has %zu errors",
                     svp_diagnostics_errors(d));
        FUZZ_REQUIRE(p || svp_diagnostics_errors(d) > 0, "the policy was refused with no error diagnostic");
    }
    bool compiled = p != NULL;
    svp_policy_free(p);
    svp_diagnostics_free(d);

    d = NULL;
    size_t flen = 0;
    char *formatted = svp_format("fuzz.svp", text, size, &fa.api, &d, &flen);
    exercise_diagnostics(d);
    if (formatted) {
        fuzz_touch(formatted, flen + 1); /* the text and its NUL */
        if (formatted[flen] != '\0')
            abort();
    }
    svp_diagnostics_free(d);

    if (check && formatted) {
        FUZZ_REQUIRE(strlen(formatted) == flen, "svp_format's length %zu is not the text's %zu", flen,
                     strlen(formatted));
        /* Formatting never changes what the policy means ... */
        svp_diagnostics *d2 = NULL;
        svp_policy *p2 = svp_policy_compile("fuzz.svp", formatted, flen, &fa.api, &d2);
        FUZZ_REQUIRE((p2 != NULL) == compiled, "the policy %s but its formatted text %s",
                     compiled ? "compiles" : "does not compile", p2 ? "does" : "does not");
        svp_policy_free(p2);
        svp_diagnostics_free(d2);
        /* ... and formatting twice is formatting once. */
        size_t flen2 = 0;
        char *again = svp_format("fuzz.svp", formatted, flen, &fa.api, NULL, &flen2);
        FUZZ_REQUIRE(again != NULL, "the formatted text does not parse");
        FUZZ_REQUIRE(flen2 == flen && memcmp(again, formatted, flen) == 0,
                     "formatting is not idempotent (%zu bytes, then %zu)", flen, flen2);
        svp_string_free(again);
    }
    svp_string_free(formatted);

    fuzz_alloc_check_empty(&fa, fail_from ? "an out-of-memory compile and format" : "compile and format");
    return fa.requests;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (oracles < 0) {
        oracles = fuzz_env_flag("SVP_FUZZ_ORACLES");
        const char *oom = getenv("SVP_FUZZ_OOM");
        oom_mode = oom && !strcmp(oom, "all") ? 2 : fuzz_env_flag("SVP_FUZZ_OOM");
    }
    const char *text = (const char *)data;
    unsigned long requests = one_pass(text, size, 0);
    if (oom_mode == 2 && size <= 16384) {
        for (unsigned long k = 1; k <= requests; k++)
            one_pass(text, size, k);
    } else if (oom_mode && requests > 0) {
        /* FNV-1a of the input picks which request fails, so a saved input
         * replays the same failure. */
        uint64_t h = 1469598103934665603u;
        for (size_t i = 0; i < size; i++)
            h = (h ^ data[i]) * 1099511628211u;
        one_pass(text, size, 1 + (unsigned long)(h % requests));
    }
    return 0;
}
