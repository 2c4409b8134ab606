/*
 * test_index.c - the language knowledge for editors (engine/index.c):
 * diagnostics exactly as the compiler's, symbols and references on the
 * council's policy, an index of a policy with errors, every place of the
 * text asked about, and out of memory at every allocation.
 *
 * The LSP sessions (tests/lsp/session.py) check the answers an editor gets;
 * this checks the library's promises underneath: nothing read past the
 * text, every block given back with its size, nothing leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svp.h"
#include "../fuzz/fuzz_alloc.h"

static char *read_nelc(size_t *len)
{
    const char *path = getenv("SVP_NELC");
    FILE *f = fopen(path && *path ? path : "policies/nelc-social-value.svp", "rb");
    if (!f)
        fail_msg("cannot open the council's policy: run from the repository root or set SVP_NELC");
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

/* text with the first `from` replaced by `to` (malloc'd). */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    assert_non_null(out);
    size_t before = (size_t)(at - text);
    memcpy(out, text, before);
    strcpy(out + before, to);
    strcat(out, at + strlen(from));
    return out;
}

static const svp_symbol *symbol_named(const svp_index *ix, const char *name)
{
    for (size_t i = 0; i < svp_index_symbol_count(ix); i++)
        if (!strcmp(svp_index_symbol(ix, i)->name, name))
            return svp_index_symbol(ix, i);
    return NULL;
}

/* The index's diagnostics are the compiler's, one for one. */
static void same_diagnostics(const char *text)
{
    svp_diagnostics *a = NULL, *b = NULL;
    svp_policy *p = svp_policy_compile("p.svp", text, strlen(text), NULL, &a);
    svp_index *ix = svp_index_new("p.svp", text, strlen(text), NULL, &b);
    assert_non_null(ix);
    assert_int_equal(svp_diagnostics_count(a), svp_diagnostics_count(b));
    assert_int_equal(svp_diagnostics_errors(a), svp_diagnostics_errors(b));
    for (size_t i = 0; i < svp_diagnostics_count(a); i++) {
        const svp_diagnostic *x = svp_diagnostics_get(a, i), *y = svp_diagnostics_get(b, i);
        assert_string_equal(x->message, y->message);
        assert_string_equal(x->code, y->code);
        assert_int_equal(x->start, y->start);
        assert_int_equal(x->end, y->end);
    }
    assert_int_equal(p != NULL, svp_index_policy(ix) != NULL);
    svp_policy_free(p);
    svp_index_free(ix);
    svp_diagnostics_free(a);
    svp_diagnostics_free(b);
}

static void test_diagnostics_are_the_compilers(void **state)
{
    (void)state;
    size_t len;
    char *text = read_nelc(&len);
    same_diagnostics(text);
    char *broken = replaced(text, "value > sv_threshold", "value > sv_treshold");
    same_diagnostics(broken);
    char *worse = replaced(broken, "sme]", "sme");
    same_diagnostics(worse);
    free(worse);
    free(broken);
    free(text);
}

static void test_suggestions_carry_their_replacement(void **state)
{
    (void)state;
    size_t len;
    char *text = read_nelc(&len);
    char *broken = replaced(text, "  require weighting.social_value >= minimum_weighting",
                            "  requir weighting.social_value >= minimum_weightin");
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("p.svp", broken, strlen(broken), NULL, &d);
    assert_null(p);
    size_t with = 0;
    for (size_t i = 0; i < svp_diagnostics_count(d); i++) {
        const svp_diagnostic *g = svp_diagnostics_get(d, i);
        if (g->replacement) {
            with++;
            assert_non_null(strstr(g->message, g->replacement)); /* the suggestion, in the message */
        }
    }
    assert_true(with >= 1); /* `requir`: did you mean `require` */
    assert_string_equal(svp_diagnostics_get(d, 0)->replacement, "require");
    svp_diagnostics_free(d);
    free(broken);
    free(text);
}

static void test_council_symbols_and_references(void **state)
{
    (void)state;
    size_t len;
    char *text = read_nelc(&len);
    svp_index *ix = svp_index_new("p.svp", text, len, NULL, NULL);
    assert_non_null(ix);
    assert_non_null(svp_index_policy(ix));
    const svp_symbol *t = symbol_named(ix, "sv_threshold");
    assert_non_null(t);
    assert_int_equal(t->kind, SVP_SYMBOL_PARAMETER);
    assert_string_equal(t->detail, "£100,000");
    assert_memory_equal(text + t->start, "sv_threshold", 12);
    size_t sym = (size_t)(t - svp_index_symbol(ix, 0)), uses = 0, defs = 0;
    size_t last = 0;
    for (size_t i = 0; i < svp_index_reference_count(ix); i++) {
        const svp_reference *r = svp_index_reference(ix, i);
        assert_true(r->start >= last); /* in text order */
        assert_true(r->end <= len);
        last = r->start;
        if (r->symbol == sym) {
            assert_memory_equal(text + r->start, "sv_threshold", 12);
            uses += !r->definition;
            defs += r->definition;
        }
    }
    assert_int_equal(defs, 1);
    assert_int_equal(uses, 10);
    const svp_symbol *tender = symbol_named(ix, "tender");
    assert_non_null(tender);
    assert_int_equal(tender->kind, SVP_SYMBOL_VALUE);
    assert_string_equal(svp_index_symbol(ix, tender->parent)->name, "stage");
    svp_index_free(ix);
    free(text);
}

/* A syntax error drops one declaration; the rest stays known. */
static void test_a_policy_with_errors_is_indexed(void **state)
{
    (void)state;
    size_t len;
    char *text = read_nelc(&len);
    char *broken = replaced(text, "sme]", "sme");
    svp_index *ix = svp_index_new("p.svp", broken, strlen(broken), NULL, NULL);
    assert_non_null(ix);
    assert_null(svp_index_policy(ix));
    assert_true(svp_index_has_syntax_errors(ix));
    assert_non_null(symbol_named(ix, "sv_threshold"));
    assert_non_null(symbol_named(ix, "sv-weighting"));
    assert_null(symbol_named(ix, "sme-vcse-spend")); /* the declaration the error dropped */
    size_t start, end;
    char *h = svp_index_hover(ix, (size_t)(strstr(broken, "value > sv_threshold") - broken) + 9, &start, &end);
    assert_non_null(h);
    assert_string_equal(h, "**parameter** `sv_threshold` = `£100,000`\n\nDelivery and Reporting, 1");
    svp_string_free(h);
    char why[200];
    size_t sym = (size_t)(symbol_named(ix, "sv_threshold") - svp_index_symbol(ix, 0));
    assert_non_null(svp_index_rename_refusal(ix, sym, "threshold", why, sizeof why));
    svp_index_free(ix);
    free(broken);
    free(text);
}

/* Hover and completion at every byte of the text, and one past it. */
static void test_every_place(void **state)
{
    (void)state;
    size_t len;
    char *text = read_nelc(&len);
    svp_index *ix = svp_index_new("p.svp", text, len, NULL, NULL);
    size_t hovers = 0, offers = 0;
    for (size_t at = 0; at <= len + 1; at++) {
        size_t start = 0, end = 0;
        char *h = svp_index_hover(ix, at, &start, &end);
        if (h) {
            hovers++;
            assert_true(start <= at && at <= end && end <= len);
        }
        svp_string_free(h);
        svp_completions *c = svp_index_complete(ix, at);
        assert_non_null(c);
        assert_true(svp_completions_start(c) <= (at < len ? at : len));
        offers += svp_completions_count(c);
        svp_completions_free(c);
    }
    printf("# %zu of %zu places have a hover, %zu completions offered\n", hovers, len + 2, offers);
    assert_true(hovers > len / 4); /* names and keywords: most of what is not a comment or a text */
    assert_true(offers > len);
    svp_index_free(ix);
    free(text);
}

/* Fail the Nth allocation, for every N until the index needs no failure:
 * each run ends cleanly (NULL, or an index that answers) and gives back
 * every block with the size it had. */
static void test_out_of_memory_loop(void **state)
{
    (void)state;
    size_t len;
    char *text = read_nelc(&len);
    char *broken = replaced(text, "value > sv_threshold", "value > sv_treshold");
    const char *texts[] = {text, broken};
    for (size_t k = 0; k < 2; k++) {
        size_t n;
        for (n = 1; n < 200000; n++) {
            FuzzAlloc fa;
            fuzz_alloc_init(&fa, n);
            svp_diagnostics *d = NULL;
            svp_index *ix = svp_index_new("p.svp", texts[k], strlen(texts[k]), &fa.api, &d);
            bool failed = fa.requests >= n;
            if (ix) {
                size_t start, end;
                char *h = svp_index_hover(ix, (size_t)(strstr(texts[k], "stage >= tender") - texts[k]) + 1, &start, &end);
                svp_string_free(h);
                svp_completions_free(svp_index_complete(ix, (size_t)(strstr(texts[k], "weighting.price") - texts[k]) + 10));
                failed = fa.requests >= n;
            }
            svp_index_free(ix);
            svp_diagnostics_free(d);
            if (fa.live_blocks || fa.live_bytes)
                fail_msg("text %zu, n=%zu: %zu blocks (%zu bytes) leaked", k, n, fa.live_blocks, fa.live_bytes);
            if (!failed)
                break;
        }
        if (n < 4 || n >= 200000)
            fail_msg("text %zu: the index finished after failing allocation %zu", k, n);
    }
    free(broken);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diagnostics_are_the_compilers),
        cmocka_unit_test(test_suggestions_carry_their_replacement),
        cmocka_unit_test(test_council_symbols_and_references),
        cmocka_unit_test(test_a_policy_with_errors_is_indexed),
        cmocka_unit_test(test_every_place),
        cmocka_unit_test(test_out_of_memory_loop),
    };
    return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}
