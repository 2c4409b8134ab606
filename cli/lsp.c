/*
 * lsp.c - `svp lsp [--today DATE]`: the language server for editors, over
 * standard input and output (the server itself is cli/lsp_server.c).
 * Exit 0 after `shutdown` and `exit`, 1 when the input ends or `exit`
 * comes without `shutdown` (LSP 3.17), 2 for a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lsp.h"

static void write_stdout(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    fwrite(bytes, 1, n, stdout);
    fflush(stdout); /* the client waits for each message whole */
}

int cli_lsp(int argc, char **argv)
{
    const char *today = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--today") && i + 1 < argc && svp_is_date(argv[i + 1]))
            today = argv[++i];
        else if (!strcmp(argv[i], "--stdio"))
            continue; /* what editors pass by habit: standard input and output are the only transport */
        else
            return cli_usage_error("%s", "usage: svp lsp [--stdio] [--today YYYY-MM-DD]");
    }
    LspServer *s = lsp_server_new(write_stdout, NULL, today);
    if (!s) {
        fputs("svp: out of memory\n", stderr);
        return 2;
    }
    char buf[65536];
    for (;;) {
        ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || !lsp_server_feed(s, buf, (size_t)got))
            break;
    }
    int status = lsp_server_exit_status(s);
    lsp_server_free(s);
    return status;
}
