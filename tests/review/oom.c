/* oom.c - svp_diff and svp_impact when an allocation fails.
 *
 *   oom OLD.svp NEW.svp RECORDS.jsonl
 *
 * Runs a whole diff (text and JSON) and a whole impact (every record, its
 * text and JSON lines, both summaries) through an allocator that fails
 * allocation number k, for k = 0, 1, 2, ... until a run passes with no
 * failure; every run must end with nothing left allocated, and none may
 * crash (the runner builds this against the sanitizer library too).
 * Prints "all N allocations failed in turn" and exits 0, or names the k
 * that leaked and exits 1.  Built and run by tests/review/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svp.h"

static long countdown = -1; /* allocations to let through; -1: all */
static long live;           /* blocks allocated and not yet freed */

static void *failing(void *ctx, void *p, size_t old_size, size_t size)
{
    (void)ctx;
    (void)old_size;
    if (size == 0) {
        if (p)
            live--;
        free(p);
        return NULL;
    }
    if (countdown == 0) {
        countdown = -1;
        return NULL;
    }
    if (countdown > 0)
        countdown--;
    void *q = realloc(p, size);
    if (q && !p)
        live++;
    return q;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *b = malloc(1u << 20);
    if (!f || !b) {
        fprintf(stderr, "oom: cannot read %s\n", path);
        exit(2);
    }
    *n = fread(b, 1, 1u << 20, f);
    fclose(f);
    return b;
}

static void impact(svp_policy *a, svp_policy *b, const char *rec, size_t nr, const svp_allocator *alloc)
{
    svp_evaluator *ea = svp_evaluator_new(a, alloc), *eb = svp_evaluator_new(b, alloc);
    svp_impact *im = svp_impact_new(a, b, alloc);
    if (ea && eb && im) {
        const char *line = rec, *end = rec + nr;
        unsigned long number = 0;
        while (line < end) {
            const char *nl = memchr(line, '\n', (size_t)(end - line));
            if (!nl)
                nl = end;
            number++;
            if (nl > line) {
                svp_evaluate(ea, line, (size_t)(nl - line), number, false);
                svp_evaluate(eb, line, (size_t)(nl - line), number, false);
                if (svp_impact_add(im, ea, eb)) {
                    svp_impact_record_text(im, NULL);
                    svp_impact_record_json(im, NULL);
                }
            }
            line = nl + 1;
        }
        svp_impact_summary_text(im, NULL);
        svp_impact_summary_json(im, NULL);
    }
    svp_impact_free(im);
    svp_evaluator_free(ea);
    svp_evaluator_free(eb);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: oom OLD.svp NEW.svp RECORDS.jsonl\n", stderr);
        return 2;
    }
    svp_allocator alloc = {failing, NULL};
    size_t na, nb, nr;
    char *ta = slurp(argv[1], &na), *tb = slurp(argv[2], &nb), *rec = slurp(argv[3], &nr);
    svp_policy *a = svp_policy_compile(argv[1], ta, na, NULL, NULL);
    svp_policy *b = svp_policy_compile(argv[2], tb, nb, NULL, NULL);
    if (!a || !b) {
        fputs("oom: a policy does not compile\n", stderr);
        return 2;
    }
    int leaks = 0;
    long k;
    for (k = 0; k < 1000000; k++) {
        countdown = k;
        live = 0;
        svp_diff *d = svp_diff_new(a, b, &alloc);
        if (d) {
            svp_diff_text(d, NULL);
            svp_diff_json(d, NULL);
        }
        svp_diff_free(d);
        impact(a, b, rec, nr, &alloc);
        if (live) {
            printf("allocation %ld failed: %ld blocks left allocated\n", k, live);
            leaks++;
        }
        if (countdown != -1) /* nothing failed: every allocation had its turn */
            break;
    }
    printf("all %ld allocations failed in turn\n", k);
    svp_policy_free(a);
    svp_policy_free(b);
    free(ta);
    free(tb);
    free(rec);
    return leaks != 0;
}
