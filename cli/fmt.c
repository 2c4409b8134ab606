/*
 * fmt.c - `svp fmt [-w] POLICY`: print a policy in canonical layout, or
 * with -w rewrite the file in place.  The rewrite is atomic: the new text
 * goes to a temporary file beside the original, is flushed to disk, and
 * then renamed over it, so a crash leaves either the old file or the new
 * one, never half of either.  A symbolic link is followed (the target is
 * rewritten, the link stays); the file keeps its mode and owner; a
 * read-only file is refused; a file-size limit (SIGXFSZ) fails the write
 * and the temporary file is removed.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The file -w rewrites: path itself, or the file a symbolic link leads to
 * (the link stays a link).  A new string (free), or NULL with errno. */
static char *target_of(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return NULL;
    if (!S_ISLNK(st.st_mode)) {
        char *copy = malloc(strlen(path) + 1);
        return copy ? strcpy(copy, path) : NULL;
    }
    return realpath(path, NULL);
}

/* Write text to the open descriptor fd, all of it. */
static bool write_all(int fd, const char *text, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

/* Replace the file at path (not a link: see target_of) with text,
 * atomically: a temporary file beside it, with its mode and owner,
 * flushed to disk and renamed over it.  A read-only file is refused.
 * False with errno (and *why for svp's own reasons) on failure; the
 * temporary file never stays behind. */
static bool write_atomically(const char *path, const char *text, size_t len, const char **why)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    if (!(st.st_mode & 0222) || access(path, W_OK) != 0) {
        *why = "the file is read-only: make it writable to rewrite it";
        return false;
    }
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return false;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".svpfmt-XXXXXX", 15);
    /* a file-size limit fails the write (main ignores SIGXFSZ), so the
     * temporary file is removed below rather than left behind */
    int fd = mkstemp(tmp);
    bool ok = fd >= 0;
    if (ok && (st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0) {
        *why = "svp cannot give the rewritten file the same owner";
        ok = false;
    }
    ok = ok && fchmod(fd, st.st_mode & 07777) == 0;
    ok = ok && write_all(fd, text, len) && fsync(fd) == 0;
    int err = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok && fd >= 0)
        unlink(tmp);
    free(tmp);
    errno = err;
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
    svp_diagnostics *why = NULL;
    char *src = svp_policy_read(path, &len, &why);
    if (!src) {
        cli_print_diagnostics(why);
        if (!why)
            fprintf(stderr, "svp: out of memory reading %s\n", path);
        svp_diagnostics_free(why);
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
        const char *why_not = NULL;
        char *target = target_of(path);
        if (!target || !write_atomically(target, out, out_len, &why_not)) {
            fprintf(stderr, "svp: cannot write %s: %s\n", path, why_not ? why_not : strerror(errno));
            status = 2;
        }
        free(target);
    } else {
        cli_write(out, out_len);
    }
    svp_string_free(out);
    svp_diagnostics_free(d);
    return status;
}
