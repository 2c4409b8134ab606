/*
 * import.c - `svp import MAPPING INPUT...`: OCDS notices or a CSV register
 * in, the records of the mapping's policy out (JSON Lines on standard
 * output).  Every item is accounted for: a record, or a line on standard
 * error naming it (its ocid, or its line) and saying why it was left out;
 * the last line on standard error gives the counts.
 *
 * Exit status: 0 every item became a record; 1 some were left out (each
 * with its reason); 2 a usage error, a mapping (or its policy) that does
 * not compile, or an input that cannot be read at all (the other inputs
 * are still read).
 *
 * Also `svp check` of a mapping file (cli_check_mapping).
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

static void write_record(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    fwrite(json, 1, len, stdout);
}

static void tell_left_out(void *ctx, const char *input, const char *item, const char *reason)
{
    (void)ctx;
    fprintf(stderr, "svp: %s: %s: left out: %s\n", input, item, reason);
}

/* Load a mapping, printing its diagnostics (and its policy's). */
static svp_mapping *load_mapping(const char *path)
{
    svp_diagnostics *d = NULL, *pd = NULL;
    svp_mapping *m = svp_mapping_load(path, NULL, &d, &pd);
    cli_print_diagnostics(d);
    cli_print_diagnostics(pd);
    svp_diagnostics_free(d);
    svp_diagnostics_free(pd);
    return m;
}

bool cli_is_mapping_file(const char *path)
{
    char head[4096];
    size_t n = cli_read_head(path, head, sizeof head);
    return n && svp_text_is_mapping(head, n);
}

int cli_check_mapping(const char *path)
{
    svp_mapping *m = load_mapping(path);
    if (!m)
        return 1;
    const svp_policy *p = svp_mapping_policy(m);
    printf("%s: ok (import mapping into %s, %s %s)\n", path, svp_mapping_policy_path(m), svp_policy_name(p),
           svp_policy_version(p));
    svp_mapping_free(m);
    return 0;
}

int cli_import(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("%s", "import needs a mapping and at least one input (- for standard input)");
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("unknown option `%s` for import", argv[i]);
    svp_mapping *m = load_mapping(argv[0]);
    if (!m)
        return 2;
    svp_import_sink sink = {write_record, tell_left_out, NULL};
    svp_import *im = svp_import_new(m, &sink, NULL);
    if (!im) {
        fputs("svp: out of memory\n", stderr);
        svp_mapping_free(m);
        return 2;
    }
    int status = 0;
    unsigned long unreadable = 0;
    for (int i = 1; i < argc; i++) {
        bool from_stdin = !strcmp(argv[i], "-");
        FILE *in = from_stdin ? stdin : fopen(argv[i], "rb");
        const char *name = from_stdin ? "(standard input)" : argv[i];
        const char *error = NULL;
        bool read = false;
        if (!in)
            fprintf(stderr, "svp: %s: cannot read: %s\n", name, strerror(errno));
        else if (!(read = svp_import_read(im, in, name, &error)))
            fprintf(stderr, "svp: %s: cannot import: %s\n", name, error);
        if (!read) {
            status = 2;
            unreadable++;
        }
        if (in && !from_stdin)
            fclose(in);
    }
    svp_import_finish(im);
    fflush(stdout);
    unsigned long written = svp_import_written(im), left = svp_import_left_out(im);
    const char *word = svp_import_item_word(im);
    int wlen = (int)strlen(word) - (written + left == 1 && word[strlen(word) - 1] == 's'); /* 1 row, 2 rows */
    fprintf(stderr, "svp import: %lu %.*s: %lu record%s written, %lu left out", written + left, wlen, word, written,
            written == 1 ? "" : "s", left);
    if (unreadable)
        fprintf(stderr, "; %lu input%s could not be read", unreadable, unreadable == 1 ? "" : "s");
    fputc('\n', stderr);
    if (!status && left)
        status = 1;
    if (ferror(stdout)) {
        fputs("svp: cannot write the records\n", stderr);
        status = 2;
    }
    svp_import_free(im);
    svp_mapping_free(m);
    return status;
}
