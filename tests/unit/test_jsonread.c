/*
 * test_jsonread.c - the one-pass record reader (engine/jsonread.c) against
 * cJSON, which it stands in for.  What svp relies on: when the reader
 * takes a text, the tree is the one cJSON builds (types, keys, texts,
 * order, links) and the numbers are every number's own characters in
 * document order; when the slow path would refuse a text (cJSON, or
 * record.c's scan: raw control characters, bytes that are not UTF-8,
 * \u0000), the reader gives it up (NULL) and never accepts it.  Besides
 * texts chosen by hand, thousands of mutations of a real record (bytes
 * changed, dropped, doubled, cut short) are read by both: whatever the
 * reader takes, cJSON must take, into the same tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonread.h"

typedef struct Read {
    Arena arena;
    NumberSpan *spans;
    size_t n, cap;
    cJSON *root;
} Read;

static void read_text(Read *r, const char *text, size_t len)
{
    arena_reset(&r->arena);
    r->root = jsonread_parse(&r->arena, text, len, (JsonNumbers){&r->spans, &r->n, &r->cap, NULL});
}

static void read_init(Read *r)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->arena, NULL, 64u << 20);
}

static void read_free(Read *r)
{
    arena_free(&r->arena);
    free(r->spans);
}

/* Whether the trees are the same (keys, types, texts, order, the prev of
 * a first child being the last); numbers are compared by their spans,
 * which must be number k of the reader's list for the k-th number met,
 * and spell cJSON's value. */
static bool same_tree(const Read *r, const cJSON *mine, const cJSON *theirs, size_t *k)
{
    if ((mine->type & 0xFF) != (theirs->type & 0xFF))
        return false;
    if ((mine->string == NULL) != (theirs->string == NULL) || (mine->string && strcmp(mine->string, theirs->string)))
        return false;
    if ((mine->valuestring == NULL) != (theirs->valuestring == NULL) ||
        (mine->valuestring && strcmp(mine->valuestring, theirs->valuestring)))
        return false;
    if ((mine->type & 0xFF) == cJSON_Number) {
        if (mine->valueint != (int)*k || *k >= r->n)
            return false;
        char text[80];
        snprintf(text, sizeof text, "%.*s", (int)r->spans[*k].len, r->spans[*k].text);
        if (strtod(text, NULL) != theirs->valuedouble)
            return false;
        ++*k;
    }
    const cJSON *a = mine->child, *b = theirs->child;
    if (a && a->prev != cJSON_GetArrayItem(mine, cJSON_GetArraySize(mine) - 1))
        return false;
    for (; a && b; a = a->next, b = b->next)
        if (!same_tree(r, a, b, k))
            return false;
    return !a && !b;
}

/* The reader takes text, into cJSON's tree, with `numbers` numbers. */
static void assert_reads(const char *text, size_t numbers)
{
    Read r;
    read_init(&r);
    read_text(&r, text, strlen(text));
    cJSON *theirs = cJSON_ParseWithLength(text, strlen(text));
    if (!r.root || !theirs)
        fail_msg("not read: %s (reader %p, cJSON %p)", text, (void *)r.root, (void *)theirs);
    size_t k = 0;
    if (!same_tree(&r, r.root, theirs, &k))
        fail_msg("not the same tree: %s", text);
    assert_int_equal(k, r.n);
    assert_int_equal(r.n, numbers);
    cJSON_Delete(theirs);
    read_free(&r);
}

/* The reader leaves text to the slow path. */
static void assert_leaves(const char *text, size_t len)
{
    Read r;
    read_init(&r);
    read_text(&r, text, len);
    if (r.root)
        fail_msg("read, but should be left to cJSON: %.*s", (int)len, text);
    read_free(&r);
}

static void test_plain_records(void **state)
{
    (void)state;
    assert_reads("{}", 0);
    assert_reads(" \t\r\n{ \"a\" : 1 , \"b\":[ ] ,\"c\":{}} \n", 1);
    assert_reads("{\"id\":\"X-1\",\"value\":145000.50,\"weighting\":{\"price\":40,\"quality\":50.00,"
                 "\"social_value\":10},\"ok\":true,\"no\":false,\"none\":null,\"list\":[1,-2,3e5,4.5E-2,0,-0.0]}",
                 10);
    assert_reads("[1,[2,[3,[4]]],{\"a\":{\"b\":{\"c\":\"d\"}}}]", 4);
    assert_reads("\"just a text\"", 0);
    assert_reads("12", 1);
    assert_reads("{\"a\":1,\"a\":2}", 2); /* duplicate keys: cJSON keeps both, record.c refuses */
    assert_reads("{\"\":\"\"}", 0);
    /* escapes, and characters of every UTF-8 length, raw and escaped */
    assert_reads("{\"t\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}", 0);
    assert_reads("{\"t\":\"\\u0041\\u00e9\\u20AC\\uffff caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}", 0);
    assert_reads("{\"long\":\"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\"}", 0);
    assert_reads("{\"del\":\"\x7f\"}", 0);
    assert_reads("[123456789012345678901234567890123456789012345678901234567890]", 1); /* 60 digits */
}

static void test_left_to_the_slow_path(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "", " ", "{", "}", "{\"a\":1", "{\"a\":1}}", "{\"a\":1} x", "{\"a\" 1}", "{'a':1}", "{a:1}",
        "{\"a\":1,}", "[1,]", "[,1]", "[1 2]", "{\"a\":}", "tru", "nul", "falsey", "[truex]",
        "01", "1.", ".5", "+1", "-", "1e", "1e+", "1-2", "1.2.3", "[1e5e]", "0x10", "[NaN]", "[Infinity]",
        "\"a", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"\\udc00\"",
        "\"tab\there\"", "\"line\nbreak\"", "\"\xC3\"", "\"\xC3(\"", "\"\xFF\"", "\"\xED\xA0\x80\"",
        "\xEF\xBB\xBF{}", "\f{}", "{}\f", "{}\v",
        "[1234567890123456789012345678901234567890123456789012345678901]", /* 61 digits */
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        assert_leaves(texts[i], strlen(texts[i]));
    assert_leaves("{}\0", 3);            /* a NUL after the value */
    assert_leaves("{\"a\":\"b\0c\"}", 11); /* a NUL in a text */
    char deep[600];
    memset(deep, '[', 300);
    memset(deep + 300, ']', 300);
    assert_leaves(deep, sizeof deep);
    memset(deep + 128, ']', 128); /* 128 levels: read */
    deep[256] = '\0';
    assert_reads(deep, 0);
}

/* A small deterministic generator (xorshift), so a failure can be replayed. */
static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_mutations(void **state)
{
    (void)state;
    static const char record[] =
        "{\"id\": \"NELC-2023-00002\", \"title\": \"Framework caf\xC3\xA9 \\u00e9 \\\"q\\\"\", \"stage\": \"delivery\", "
        "\"value\": 10104026.52, \"dates\": {\"publication\": \"2025-11-05\", \"award\": \"2026-01-20\"}, "
        "\"weighting\": {\"price\": 40, \"quality\": 50.00, \"social_value\": 1e1}, \"list\": [-0.5, true, false, "
        "null, [], {}], \"supplier\": {\"living_wage\": true}}";
    const char alphabet[] = "{}[],:\" \\-+.eE0123456789tfnu\x01\x7f\xC3\xA9\xFF\n";
    char text[sizeof record * 2];
    uint32_t seed = 2024;
    Read r;
    read_init(&r);
    unsigned read = 0, left = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = sizeof record - 1;
        memcpy(text, record, len);
        int edits = 1 + (int)(next_random(&seed) % 3);
        for (int e = 0; e < edits && len > 1; e++) {
            size_t at = next_random(&seed) % len;
            char c = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
            switch (next_random(&seed) % 4) {
            case 0: text[at] = c; break;                                               /* changed */
            case 1: memmove(text + at, text + at + 1, len - at - 1); len--; break;     /* dropped */
            case 2: memmove(text + at + 1, text + at, len - at); text[at] = c; len++; break; /* added */
            default: len = at + 1; break;                                              /* cut short */
            }
        }
        read_text(&r, text, len);
        cJSON *theirs = cJSON_ParseWithLength(text, len);
        if (r.root) {
            read++;
            size_t k = 0;
            if (!theirs || !same_tree(&r, r.root, theirs, &k) || k != r.n)
                fail_msg("round %d: the reader took a text cJSON reads otherwise: %.*s", round, (int)len, text);
        } else {
            left++;
        }
        cJSON_Delete(theirs);
    }
    read_free(&r);
    /* both outcomes were tried many times over */
    assert_true(read > 1000);
    assert_true(left > 1000);
}

/* Running out of memory (the arena's limit) leaves the text to the slow
 * path rather than failing it. */
static void test_out_of_memory(void **state)
{
    (void)state;
    Read r;
    read_init(&r);
    r.arena.limit = 4096;
    char big[20000];
    size_t n = 0;
    big[n++] = '[';
    while (n < sizeof big - 2) {
        big[n++] = '1';
        big[n++] = ',';
    }
    big[n - 1] = ']';
    read_text(&r, big, n);
    assert_null(r.root);
    read_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_records),
        cmocka_unit_test(test_left_to_the_slow_path),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
