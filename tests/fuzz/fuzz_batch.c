/*
 * fuzz_batch.c - libFuzzer harness: any bytes as the input of `svp eval`,
 * `svp portfolio` and `svp impact`, read by the command's batch reader
 * (cli/input.c, cli_read_records).
 *
 * The oracle is the promise of issue 9: N lines in, N results out, in
 * order.  Each input is written to a file and read twice:
 *
 *   - as NAME.jsonl (always JSON Lines): the reader must hand out exactly
 *     one record per non-blank line, in order, each with its own line
 *     number and exactly that line's bytes (a CR before the LF dropped; a
 *     line over CLI_MAX_LINE cut to CLI_MAX_LINE + 1 bytes, which the
 *     record reader refuses by its size).  A line is every byte up to a
 *     LF: a NUL, a form feed or a lone CR never ends or merges lines.
 *   - as NAME.json (the reader decides): the records must be exactly those
 *     of JSON Lines, or, when the input is one JSON value, that value as
 *     one record (line 1), or, when it is an array, its items numbered 1,
 *     2, ... in order.  Anything else (a record lost, two merged, lines out
 *     of order) aborts, and libFuzzer saves the input.
 *
 * The oracle works the lines out itself, from the bytes, without the
 * reader's code.  cli/util.c is linked for cli_blank_line; it also holds
 * cli_load_policy, which calls cli_print_diagnostics (cli/check.c): that is
 * never called here, so a do-nothing one stands in for it below.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void cli_print_diagnostics(const svp_diagnostics *d) { (void)d; } /* not reached: see above */

typedef struct Got {
    unsigned long line;
    size_t len;
    char *text; /* a copy of the record handed out */
} Got;

typedef struct Calls {
    Got *items;
    size_t n, cap;
} Calls;

static void take(void *ctx, const char *text, size_t len, unsigned long line)
{
    Calls *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->items = realloc(c->items, c->cap * sizeof *c->items);
        if (!c->items)
            abort();
    }
    char *copy = malloc(len + 1);
    if (!copy)
        abort();
    memcpy(copy, text, len);
    c->items[c->n++] = (Got){line, len, copy};
}

static void release(Calls *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].text);
    free(c->items);
    memset(c, 0, sizeof *c);
}

static void oracle_failed(const char *what, size_t i)
{
    fprintf(stderr, "svp fuzz: batch reader: %s (record %zu)\n", what, i);
    abort();
}

static bool blank(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Do the records handed out match the input's lines exactly? */
static bool same_as_lines(const uint8_t *data, size_t size, const Calls *c, bool must)
{
    const size_t keep = (size_t)CLI_MAX_LINE + 1;
    size_t k = 0;
    unsigned long number = 0;
    for (size_t at = 0; at < size;) {
        const uint8_t *lf = memchr(data + at, '\n', size - at);
        size_t raw = lf ? (size_t)(lf - (data + at)) : size - at;
        number++;
        bool cut = raw > keep;
        size_t len = cut ? keep : raw && data[at + raw - 1] == '\r' ? raw - 1 : raw;
        if (cut || !blank(data + at, len)) {
            if (k >= c->n || c->items[k].line != number || c->items[k].len != len ||
                memcmp(c->items[k].text, data + at, len) != 0) {
                if (must)
                    oracle_failed(k >= c->n ? "a line got no record" : "a record is not its line", k);
                return false;
            }
            k++;
        }
        at += raw + 1;
    }
    if (k != c->n && must)
        oracle_failed("more records than lines", k);
    return k == c->n;
}

/* Read the file at path, decided by its name, into c. */
static void read_as(const char *path, Calls *c)
{
    if (cli_read_records(path, take, c) != 0)
        oracle_failed("a regular file could not be read", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/svp-fuzz-batch-XXXXXX";
    static char lines_path[64], auto_path[64];
    if (!lines_path[0]) {
        if (!mkdtemp(dir))
            abort();
        snprintf(lines_path, sizeof lines_path, "%s/in.jsonl", dir);
        snprintf(auto_path, sizeof auto_path, "%s/in.json", dir);
    }
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(i ? auto_path : lines_path, "wb");
        if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
            abort();
    }
    Calls c = {0};
    read_as(lines_path, &c);
    same_as_lines(data, size, &c, true);
    release(&c);

    read_as(auto_path, &c);
    if (!same_as_lines(data, size, &c, false)) {
        /* one JSON value: one record, line 1; or an array's items, 1, 2, ... */
        size_t first = 0;
        while (first < size && blank(data + first, 1))
            first++;
        bool array = first < size && data[first] == '[';
        if (!array && !(c.n == 1 && c.items[0].line == 1))
            oracle_failed("neither its lines nor one record", 0);
        for (size_t i = 0; array && i < c.n; i++)
            if (c.items[i].line != i + 1)
                oracle_failed("an array's items out of order", i);
    }
    release(&c);
    return 0;
}
