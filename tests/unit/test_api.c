/*
 * test_api.c - edges of the public API (svp.h) that the other unit tests
 * leave alone: reading policy files of every size, the size limit on
 * policy text, unreadable paths, clauses and header items given twice,
 * and how diagnostics render (colours, long lines cut to a window, no
 * diagnostics at all).
 *
 * Run from the repository root (the council's policy is read from
 * policies/, or from $SVP_NELC).  Temporary files go to $TMPDIR or /tmp
 * and are removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svp.h"

#define HEADER "policy \"T\" version \"1\" effective 2020-04-01\n"

/* What a test made and has not freed yet (freed by the teardown too, so a
 * failed assertion leaks nothing the sanitizers would blame on svp). */
static svp_policy *g_policy;
static svp_diagnostics *g_diags;
static char *g_text;
static char g_tmp[256];

static int teardown(void **state)
{
    (void)state;
    svp_policy_free(g_policy);
    svp_diagnostics_free(g_diags);
    svp_string_free(g_text);
    g_policy = NULL;
    g_diags = NULL;
    g_text = NULL;
    if (g_tmp[0])
        unlink(g_tmp);
    g_tmp[0] = '\0';
    return 0;
}

static const char *nelc_path(void)
{
    const char *p = getenv("SVP_NELC");
    return p && *p ? p : "policies/nelc-social-value.svp";
}

/* A temporary file holding `head` then `pad` bytes of comment lines. */
static const char *temp_policy(const char *head, size_t pad)
{
    const char *dir = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/svp-test-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(g_tmp);
    if (fd < 0)
        fail_msg("cannot make a temporary file in %s", g_tmp);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs(head, f);
    static const char line[] = "# padding padding padding padding padding padding padding padding padding\n";
    for (size_t done = 0; done < pad; done += sizeof line - 1)
        fputs(line, f);
    assert_int_equal(fclose(f), 0);
    return g_tmp;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s: run from the repository root or set SVP_NELC", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    size_t len = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static const svp_diagnostic *only_error(const svp_diagnostics *d)
{
    assert_non_null(d);
    assert_int_equal(svp_diagnostics_errors(d), 1);
    for (size_t i = 0; i < svp_diagnostics_count(d); i++)
        if (svp_diagnostics_get(d, i)->severity == SVP_ERROR)
            return svp_diagnostics_get(d, i);
    fail_msg("no error diagnostic");
    return NULL;
}

/* An allocator that counts the bytes it has out (sizes kept in front). */
static size_t live_bytes, calls, fail_from;

static void *counting_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    (void)ctx;
    (void)old_size;
    max_align_t *head = p ? (max_align_t *)p - 1 : NULL;
    size_t before = head ? *(size_t *)head : 0;
    if (size == 0) {
        live_bytes -= before;
        free(head);
        return NULL;
    }
    if (fail_from && ++calls >= fail_from)
        return NULL;
    max_align_t *grown = realloc(head, sizeof *head + size);
    if (!grown)
        return NULL;
    *(size_t *)grown = size;
    live_bytes = live_bytes - before + size;
    return grown + 1;
}

static const svp_allocator counting = {counting_realloc, NULL};

/* ---- Reading policy files ------------------------------------------------- */

/* Larger than the reader's first buffer (8 KiB): read whole, as written. */
static void test_load_policy_larger_than_first_buffer(void **state)
{
    (void)state;
    char *nelc = read_all(nelc_path());
    const char *path = temp_policy(nelc, 100000);
    free(nelc);
    g_policy = svp_policy_load(path, NULL, &g_diags);
    assert_non_null(g_policy);
    assert_int_equal(svp_diagnostics_errors(g_diags), 0);
    assert_string_equal(svp_policy_name(g_policy), "NELC Social Value Policy");
    /* the council's policy has one portfolio rule (sme-vcse-spend) */
    svp_portfolio *pf = svp_portfolio_new(g_policy, NULL);
    assert_non_null(pf);
    assert_int_equal(svp_portfolio_rule_count(pf), 1);
    svp_portfolio_free(pf);
}

/* Over the limit (1 MiB): refused, whatever the size. */
static void test_load_policy_over_the_limit(void **state)
{
    (void)state;
    const size_t sizes[] = {(1u << 20) + 1000, 5u << 20};
    for (size_t i = 0; i < 2; i++) {
        const char *path = temp_policy(HEADER, sizes[i]);
        g_policy = svp_policy_load(path, NULL, &g_diags);
        assert_null(g_policy);
        const svp_diagnostic *g = only_error(g_diags);
        assert_string_equal(g->code, "limit");
        assert_int_equal(g->line, 0);
        assert_memory_equal(g->message, "the policy is ", 14);
        assert_non_null(strstr(g->message, " bytes; svp reads policies of up to 1048576 bytes"));
        teardown(NULL);
    }
}

static void test_compile_text_over_the_limit(void **state)
{
    (void)state;
    size_t len = (1u << 20) + 1;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, '\n', len);
    memcpy(text, HEADER, strlen(HEADER));
    g_policy = svp_policy_compile("big.svp", text, len, NULL, &g_diags);
    free(text);
    assert_null(g_policy);
    const svp_diagnostic *g = only_error(g_diags);
    assert_string_equal(g->code, "limit");
    assert_string_equal(g->message, "the policy is 1048577 bytes; svp reads policies of up to 1048576 bytes");
    g_text = svp_diagnostics_render(g_diags, false);
    assert_string_equal(g_text, "big.svp: error: the policy is 1048577 bytes; svp reads policies of up to 1048576 bytes\n");
    /* exactly 1 MiB is read */
    len = 1u << 20;
    text = malloc(len);
    assert_non_null(text);
    memset(text, '\n', len);
    const char *src = HEADER "record r\n  id text\n";
    memcpy(text, src, strlen(src));
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("mib.svp", text, len, NULL, &d);
    free(text);
    assert_non_null(p);
    svp_policy_free(p);
    svp_diagnostics_free(d);
}

/* Running out of memory while reading a large file (every allocation from
 * the Nth on fails): a clean error, nothing left allocated. */
static void test_load_out_of_memory(void **state)
{
    (void)state;
    const char *path = temp_policy(HEADER "record r\n  id text\n", 200000);
    size_t n;
    for (n = 1; n < 1000; n++) {
        live_bytes = calls = 0;
        fail_from = n;
        svp_diagnostics *d = NULL;
        svp_policy *p = svp_policy_load(path, &counting, &d);
        fail_from = 0;
        bool done = p != NULL;
        if (!p && d) {
            char *text = svp_diagnostics_render(d, false);
            if (!svp_diagnostics_errors(d) || !strstr(text, "memory"))
                fail_msg("N=%zu: the error does not say out of memory: %s", n, text);
            free(text);
        }
        svp_policy_free(p);
        svp_diagnostics_free(d);
        if (live_bytes)
            fail_msg("N=%zu: %zu bytes left allocated", n, live_bytes);
        if (done)
            break;
    }
    assert_true(n > 5 && n < 1000); /* 8 KiB doubled to 256 KiB, then the compile */
}

/* A path that opens but cannot be read (a directory): an "io" error. */
static void test_load_directory(void **state)
{
    (void)state;
    g_policy = svp_policy_load("policies", NULL, &g_diags);
    assert_null(g_policy);
    const svp_diagnostic *g = only_error(g_diags);
    assert_string_equal(g->code, "io");
    assert_int_equal(g->line, 0);
    assert_memory_equal(g->message, "cannot read the policy: ", 24);
    /* without a diagnostics pointer: still NULL, and nothing may leak */
    const char *paths[] = {"policies", "no/such/file.svp", nelc_path()};
    for (size_t i = 0; i < 3; i++) {
        live_bytes = 0;
        svp_policy *p = svp_policy_load(paths[i], &counting, NULL);
        assert_true(i == 2 ? p != NULL : p == NULL);
        svp_policy_free(p);
        if (live_bytes)
            fail_msg("svp_policy_load(\"%s\", alloc, NULL) left %zu bytes allocated", paths[i], live_bytes);
    }
}

/* ---- Things given twice ------------------------------------------------------ */

static void test_given_twice(void **state)
{
    (void)state;
    const char *src = HEADER
        "  version \"2\"\n"
        "policy \"U\"\n"
        "record r\n"
        "  id text\n"
        "rule r \"R\"\n"
        "  cite \"a\"\n"
        "  cite \"b\"\n"
        "  report info \"x\\q\"\n";
    g_policy = svp_policy_compile("t.svp", src, strlen(src), NULL, &g_diags);
    assert_null(g_policy);
    const struct {
        unsigned line, column;
        const char *code, *message;
    } want[] = {
        {2, 3, "duplicate", "`version` is given twice in the header: keep one"},
        {3, 8, "duplicate", "a second `policy` header: a file holds one policy"},
        {8, 3, "duplicate", "`cite` is given twice in a rule: keep one"},
        {9, 17, "syntax", "unknown escape `\\q` in text: write \\\\ for a backslash, \\\" for a quote"},
    };
    assert_int_equal(svp_diagnostics_count(g_diags), 4);
    for (size_t i = 0; i < 4; i++) {
        const svp_diagnostic *g = svp_diagnostics_get(g_diags, i);
        assert_int_equal(g->severity, SVP_ERROR);
        assert_int_equal(g->line, want[i].line);
        assert_int_equal(g->column, want[i].column);
        assert_string_equal(g->code, want[i].code);
        assert_string_equal(g->message, want[i].message);
    }
}

/* The scanner's odd cases: money followed by a comma in a list, characters
 * that have no place in a policy, and a name too long to suggest for. */
static void test_odd_characters(void **state)
{
    (void)state;
    const struct {
        const char *when, *message;
        unsigned column;
    } cases[] = {
        {"m in [£5,£6]", NULL, 0},
        {"'x'", "unexpected `'`: text is written in double quotes, \"like this\"", 8},
        {"m . x", "unexpected `.`: a field path is written without spaces, like weighting.price", 10},
        {"m \x01", "unexpected byte 0x01", 10},
        {"m \xff", "unexpected byte 0xFF", 10},
        {"m ~", "unexpected character `~`", 10},
        {"m > 5 %", "unexpected `%`: a percentage is written with its number, like 10%", 14},
        {"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm > £1",
         "unknown name `mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm`: it is not a "
         "field of the record, a parameter, a decision or an enumeration value",
         8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char src[512];
        snprintf(src, sizeof src, HEADER "record r\n  m money\nrule r \"R\"\n  cite \"c\"\n  when %s\n  report info \"x\"\n",
                 cases[i].when);
        g_policy = svp_policy_compile("t.svp", src, strlen(src), NULL, &g_diags);
        if (!cases[i].message) {
            assert_non_null(g_policy);
        } else {
            assert_null(g_policy);
            const svp_diagnostic *g = svp_diagnostics_get(g_diags, 0);
            assert_non_null(g);
            if (strcmp(g->message, cases[i].message) != 0 || g->line != 6 || g->column != cases[i].column)
                fail_msg("when %s: got %u:%u %s", cases[i].when, g->line, g->column, g->message);
        }
        teardown(NULL);
    }
}

/* ---- Rendering ------------------------------------------------------------------ */

static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!k || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

/* A mistake far into a long line: the excerpt is a window around it, cut
 * at whole characters, marked with "..." on both sides, and the carets
 * still sit under the mistake. */
static void test_render_long_line(void **state)
{
    (void)state;
    char src[2048];
    char euros[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(euros, "\xe2\x82\xac"); /* € */
    snprintf(src, sizeof src,
             HEADER "record r\n  id text\nrule r \"R\"\n  cite \"c\"\n  when id = \"%sx\" and zz and id = \"y%s\"\n"
                    "  report info \"x\"\n",
             euros, euros);
    g_policy = svp_policy_compile("t.svp", src, strlen(src), NULL, &g_diags);
    assert_null(g_policy);
    const svp_diagnostic *g = only_error(g_diags);
    assert_int_equal(g->line, 6);
    assert_int_equal(g->column, 61);
    g_text = svp_diagnostics_render(g_diags, false);
    const char *excerpt = strchr(g_text, '\n') + 1;
    const char *carets = strchr(excerpt, '\n') + 1;
    size_t excerpt_len = (size_t)(carets - 1 - excerpt);
    assert_memory_equal(excerpt, "...", 3);
    assert_memory_equal(excerpt + excerpt_len - 3, "...", 3);
    assert_true(valid_utf8(excerpt, excerpt_len));
    /* the carets stand under "zz", counted in characters */
    const char *zz = strstr(excerpt, " zz ");
    assert_non_null(zz);
    size_t chars = 0;
    for (const char *c = excerpt; c <= zz; c++)
        chars += ((unsigned char)*c & 0xC0) != 0x80;
    assert_memory_equal(carets + chars, "^^\n", 3);
    for (size_t i = 0; i < chars; i++)
        assert_int_equal(carets[i], ' ');
}

/* Each severity has its colour; a compile with nothing to say renders as
 * an empty string. */
static void test_render_colours_and_nothing(void **state)
{
    (void)state;
    const char *src = HEADER "record r\n  id text\nrule r \"R\"\n  report info \"x\"\nrule q \"Q\"\n  when [id\n  report info \"y\"\n";
    g_policy = svp_policy_compile("t.svp", src, strlen(src), NULL, &g_diags);
    assert_null(g_policy);
    g_text = svp_diagnostics_render(g_diags, true);
    assert_non_null(strstr(g_text, "\033[1;31merror:\033[0m "));
    assert_non_null(strstr(g_text, "\033[1;35mwarning:\033[0m "));
    assert_non_null(strstr(g_text, "\033[1;36mnote:\033[0m "));
    assert_non_null(strstr(g_text, "\033[1;32m^"));
    teardown(NULL);

    src = HEADER "record r\n  id text\n";
    g_policy = svp_policy_compile("t.svp", src, strlen(src), NULL, &g_diags);
    assert_non_null(g_policy);
    assert_int_equal(svp_diagnostics_count(g_diags), 0);
    g_text = svp_diagnostics_render(g_diags, true);
    assert_string_equal(g_text, "");
}

/* The library's face for a form that shows what is still missing while an
 * officer types (issue 9): svp_evaluate_with and SVP_EVAL_PARTIAL, and the
 * list of every problem of an invalid record. */
static void test_partial_and_every_problem(void **state)
{
    (void)state;
    g_policy = svp_policy_load(nelc_path(), NULL, &g_diags);
    assert_non_null(g_policy);
    svp_evaluator *ev = svp_evaluator_new(g_policy, NULL);
    assert_non_null(ev);
    const char *rec = "{\"id\":\"F\",\"stage\":\"tender\",\"category\":\"works\",\"value\":\"£420,000\"}";
    const svp_result *r = svp_evaluate_with(ev, rec, strlen(rec), 1, SVP_EVAL_PARTIAL);
    assert_int_equal(svp_result_status(r), SVP_INCOMPLETE);
    assert_int_equal(svp_result_missing_count(r), 4);
    assert_string_equal(svp_result_missing(r, 0), "dates.publication");
    assert_string_equal(svp_result_missing(r, 3), "weighting.social_value");
    assert_null(svp_result_missing(r, 4));
    assert_int_equal(svp_result_undecided_count(r), 3);
    assert_string_equal(svp_result_undecided_rule(r, 0), "sv-weighting");
    assert_string_equal(svp_result_undecided_severity(r, 0), "error");
    assert_int_equal(svp_result_undecided_needs_count(r, 0), 1);
    assert_string_equal(svp_result_undecided_need(r, 0, 0), "weighting.social_value");
    assert_null(svp_result_undecided_need(r, 0, 1));
    assert_int_equal(svp_result_undecided_needs_count(r, 2), 3); /* weighting-total */
    assert_int_equal(svp_result_error_count(r), 0);
    /* the same record, whole-record rules: invalid, every missing field */
    r = svp_evaluate_with(ev, rec, strlen(rec), 1, 0);
    assert_int_equal(svp_result_status(r), SVP_INVALID);
    assert_int_equal(svp_result_error_count(r), 4);
    assert_string_equal(svp_result_error_field_at(r, 0), svp_result_error_field(r));
    assert_string_equal(svp_result_error_field_at(r, 3), "weighting.social_value");
    assert_string_equal(svp_result_error_message_at(r, 3), "missing: required from tender, and this record is at tender");
    assert_int_equal(svp_result_errors_dropped(r), 0);
    assert_int_equal(svp_result_missing_count(r), 0);
    /* more than 100 problems: 100 listed, the rest counted */
    char big[16384] = "{\"id\":\"B\",\"social_value\":{\"outcomes\":[";
    for (int i = 0; i < 150; i++)
        strcat(big, i ? ",\"x\"" : "\"x\"");
    strcat(big, "]}}");
    r = svp_evaluate(ev, big, strlen(big), 1, false);
    assert_int_equal(svp_result_error_count(r), 100);
    assert_true(svp_result_errors_dropped(r) > 50);
    svp_evaluator_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_load_policy_larger_than_first_buffer, teardown),
        cmocka_unit_test_teardown(test_load_policy_over_the_limit, teardown),
        cmocka_unit_test_teardown(test_compile_text_over_the_limit, teardown),
        cmocka_unit_test_teardown(test_load_out_of_memory, teardown),
        cmocka_unit_test_teardown(test_load_directory, teardown),
        cmocka_unit_test_teardown(test_given_twice, teardown),
        cmocka_unit_test_teardown(test_odd_characters, teardown),
        cmocka_unit_test_teardown(test_render_long_line, teardown),
        cmocka_unit_test_teardown(test_render_colours_and_nothing, teardown),
        cmocka_unit_test_teardown(test_partial_and_every_problem, teardown),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL) ? 1 : 0;
}
