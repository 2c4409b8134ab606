/*
 * util.c - small things the commands share: reading lines of a batch and
 * compiling a policy file with its diagnostics shown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

bool cli_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') /* a NUL is not blank */
            return false;
    return true;
}

svp_policy *cli_load_policy(const char *path)
{
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_load(path, NULL, &d);
    if (!p) {
        cli_print_diagnostics(d);
        if (!d)
            fprintf(stderr, "svp: out of memory reading %s\n", path);
    }
    svp_diagnostics_free(d);
    return p;
}

bool cli_take_format(int argc, char **argv, int *i, const char **format)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--format") && *i + 1 < argc) {
        *format = argv[++*i];
        return true;
    }
    if (!strncmp(a, "--format=", 9)) {
        *format = a + 9;
        return true;
    }
    return false;
}

/* The errno of the first failed flush of standard output (0: none yet):
 * by the time the command ends, stdio has forgotten why it failed. */
static int output_errno;

int cli_flush(void)
{
    if (fflush(stdout) == 0)
        return 0;
    if (!output_errno)
        output_errno = errno;
    return EOF;
}

int cli_output_error(void) { return output_errno; }

bool cli_write(const char *text, size_t len)
{
    if (fwrite(text, 1, len, stdout) == len)
        return true;
    if (!output_errno)
        output_errno = errno;
    return false;
}

void cli_put_safe(FILE *f, const char *s)
{
    char *safe = svp_terminal_text(s, strlen(s));
    fputs(safe ? safe : "(out of memory)", f);
    svp_string_free(safe);
}

bool cli_refuse_folders(const char *command, const char *const *paths, int n)
{
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "svp: %s is a folder: %s compares two versions, one file each (OLD.svp NEW.svp)\n",
                    paths[i], command);
            return true;
        }
    }
    return false;
}
