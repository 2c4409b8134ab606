/*
 * fmt.c - `svp fmt [-w] POLICY`: print a policy in canonical layout, or
 * with -w rewrite the file in place.  The rewrite is atomic: the new text
 * goes to a temporary file beside the original, is flushed to disk, and
 * then renamed over it, so a crash leaves either the old file or the new
 * one, never half of either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *data = malloc(cap);
    while (data) {
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *bigger = cap < (64u << 20) ? realloc(data, cap * 2) : NULL;
        if (!bigger) {
            free(data);
            data = NULL;
            errno = ENOMEM;
            break;
        }
        data = bigger;
        cap *= 2;
    }
    int err = ferror(f) ? EIO : 0;
    fclose(f);
    if (err) {
        free(data);
        errno = err;
        return NULL;
    }
    *len = n;
    return data;
}

static bool write_atomically(const char *path, const char *text, size_t len)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return false;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".svpfmt-XXXXXX", 15);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return false;
    }
    struct stat st;
    bool ok = true;
    if (stat(path, &st) == 0)
        ok = fchmod(fd, st.st_mode & 07777) == 0;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    ok = (close(fd) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok;
}

int cli_fmt(int argc, char **argv)
{
    bool write_back = false;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-w"))
            write_back = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("unknown option `%s` for fmt", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return cli_usage_error("%s", "fmt takes one policy file");
    }
    if (!path)
        return cli_usage_error("%s", "fmt needs a policy file");
    size_t len = 0;
    char *src = read_all(path, &len);
    if (!src) {
        fprintf(stderr, "svp: cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    svp_diagnostics *d = NULL;
    size_t out_len = 0;
    char *out = svp_format(path, src, len, NULL, &d, &out_len);
    free(src);
    int status = 0;
    if (!out) {
        cli_print_diagnostics(d);
        status = 1;
    } else if (write_back) {
        if (!write_atomically(path, out, out_len)) {
            fprintf(stderr, "svp: cannot write %s: %s\n", path, strerror(errno));
            status = 2;
        }
    } else {
        cli_write(out, out_len);
    }
    svp_string_free(out);
    svp_diagnostics_free(d);
    return status;
}
