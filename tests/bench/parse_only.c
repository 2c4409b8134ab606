/* parse_only.c - the baseline for tests/bench/bench.sh: parse every line of a
 * JSON Lines file with cJSON and throw the result away.
 *
 *   parse_only RECORDS.jsonl
 *
 * Reads lines with getline, parses each non-blank line with cJSON_ParseWithLength
 * and frees it with cJSON_Delete; this is "merely parsing the same lines with
 * cJSON", the floor that svp eval is measured against. Prints one line:
 *
 *   records=N seconds=S rate=R
 *
 * where seconds is the wall time (CLOCK_MONOTONIC) of the whole read-and-parse
 * loop, file reading included, as svp has to read its input too (process start
 * and exit are not, which if anything flatters the baseline). RECORDS may be
 * /dev/stdin, which bench.sh uses to check that svp's output is JSON Lines.
 * Exit status 0, or 1 if the file cannot be read or a line is not JSON (the
 * generator never writes one), 2 on usage. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

/* Seconds on the monotonic clock, from an arbitrary origin. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the n bytes at s are all whitespace (a blank line, skipped as
 * svp skips it). */
static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* Parse every non-blank line of f (named name, for messages) with cJSON and
 * free the result. Sets *records to the lines that parsed and *bad to those
 * that did not (the first is reported on stderr). Returns 0, or -1 on a read
 * error. */
static int parse_lines(FILE *f, const char *name, long *records, long *bad)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    *records = *bad = 0;
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (blank(line, (size_t)len))
            continue;
        cJSON *doc = cJSON_ParseWithLength(line, (size_t)len);
        if (doc)
            (*records)++;
        else if ((*bad)++ == 0)
            fprintf(stderr, "%s:%ld: not JSON\n", name, lineno);
        cJSON_Delete(doc);
    }
    free(line);
    return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: parse_only RECORDS.jsonl\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }

    long records, bad;
    double t0 = now();
    int rc = parse_lines(f, argv[1], &records, &bad);
    double elapsed = now() - t0;
    fclose(f);
    if (rc < 0) {
        fprintf(stderr, "%s: read error\n", argv[1]);
        return 1;
    }

    printf("records=%ld seconds=%.6f rate=%.0f\n", records, elapsed,
           elapsed > 0 ? (double)records / elapsed : 0.0);
    if (bad) {
        fprintf(stderr, "%s: %ld line(s) were not JSON\n", argv[1], bad);
        return 1;
    }
    return 0;
}
