/*
 * input.c - the records a command reads: one JSON record, or a batch in
 * JSON Lines, from a file or standard input ("-").
 *
 * A .jsonl/.ndjson file is always a batch.  Otherwise, if the first
 * non-blank line is a JSON value on its own, the input is JSON Lines; else
 * the whole input (from that line on: blank lines before it are only white
 * space to JSON) is one record, line 1.  In a batch every non-blank line is
 * a record, numbered by its line in the input, blank lines counted; lines
 * are read one at a time, so memory does not grow with the batch.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool cli_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static bool json_lines(const char *path, const char *first, size_t len)
{
    if (cli_has_suffix(path, ".jsonl") || cli_has_suffix(path, ".ndjson"))
        return true;
    cJSON *alone = cJSON_ParseWithLength(first, len);
    bool one_value = alone != NULL;
    cJSON_Delete(alone);
    return one_value;
}

/* Everything from `head` (already read) to the end of in, as one record;
 * past CLI_MAX_LINE + 1 bytes the rest is not kept (the record reader
 * refuses it by its size).  False when out of memory. */
static bool whole_record(FILE *in, const char *head, size_t head_len, CliRecordFn each, void *ctx)
{
    size_t cap = head_len + 65536, n = head_len;
    char *data = malloc(cap);
    if (!data)
        return false;
    memcpy(data, head, head_len);
    for (;;) {
        if (n == cap) {
            if (cap > CLI_MAX_LINE) {
                char drop[4096]; /* over the limit: read on, keep nothing */
                while (fread(drop, 1, sizeof drop, in))
                    ;
                break;
            }
            char *bigger = realloc(data, cap * 2);
            if (!bigger) {
                free(data);
                return false;
            }
            data = bigger;
            cap *= 2;
        }
        size_t got = fread(data + n, 1, cap - n, in);
        if (!got)
            break;
        n += got;
    }
    each(ctx, data, n, 1);
    free(data);
    return true;
}

int cli_read_records(const char *path, CliRecordFn each, void *ctx)
{
    FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!in) {
        fprintf(stderr, "svp: cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long number = 0;
    int status = 0;
    bool decided = false;
    while ((n = cli_getline(&line, &cap, in)) >= 0) {
        number++;
        size_t len = cli_trim_eol(line, (size_t)n);
        if (cli_blank_line(line, len))
            continue; /* counted, never evaluated */
        if (!decided) {
            decided = true;
            if (!json_lines(path, line, len)) {
                if (!whole_record(in, line, (size_t)n, each, ctx)) {
                    fprintf(stderr, "svp: out of memory reading %s\n", path);
                    status = 2;
                }
                break;
            }
        }
        each(ctx, line, len, number);
    }
    free(line);
    if (ferror(in)) {
        fprintf(stderr, "svp: error reading %s\n", path);
        status = 2;
    }
    if (in != stdin)
        fclose(in);
    return status;
}
