/*
 * test_value.c - unit tests for engine/value.c.
 *
 * Every amount the engine decides on passes through these parsers,
 * formatters and checked operations, so the tests pin exact integers and
 * exact strings at the boundaries that matter: the two-decimal limit, the
 * JSON number grammar, comma grouping, calendar validity, int64 extremes
 * and half-away-from-zero rounding.  Helpers report the caller's line and
 * the input text so a failure points straight at the offending case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "value.h"

/* ---- Helpers ------------------------------------------------------------ */

static void decimal_ok(const char *s, int max_dec, int64_t want, int line)
{
    int64_t got = 0;
    bool ok = value_parse_decimal(s, strlen(s), max_dec, &got);
    if (!ok || got != want)
        fail_msg("line %d: decimal \"%s\" (max %d): ok=%d got %lld want %lld",
                 line, s, max_dec, ok, (long long)got, (long long)want);
}

static void decimal_bad(const char *s, int max_dec, int line)
{
    int64_t got = 0;
    if (value_parse_decimal(s, strlen(s), max_dec, &got))
        fail_msg("line %d: decimal \"%s\" (max %d) accepted as %lld", line, s,
                 max_dec, (long long)got);
}

static void json_ok(const char *s, int64_t want, int line)
{
    int64_t got = 0;
    bool ok = value_parse_json_number(s, strlen(s), &got);
    if (!ok || got != want)
        fail_msg("line %d: json \"%s\": ok=%d got %lld want %lld", line, s, ok,
                 (long long)got, (long long)want);
}

static void json_bad(const char *s, int line)
{
    int64_t got = 0;
    if (value_parse_json_number(s, strlen(s), &got))
        fail_msg("line %d: json \"%s\" accepted as %lld", line, s,
                 (long long)got);
}

static void money_ok(const char *s, int64_t want, int line)
{
    int64_t got = 0;
    bool ok = value_parse_money_literal(s, strlen(s), &got);
    if (!ok || got != want)
        fail_msg("line %d: money \"%s\": ok=%d got %lld want %lld", line, s,
                 ok, (long long)got, (long long)want);
}

static void money_bad(const char *s, int line)
{
    int64_t got = 0;
    if (value_parse_money_literal(s, strlen(s), &got))
        fail_msg("line %d: money \"%s\" accepted as %lld", line, s,
                 (long long)got);
}

static void date_ok(const char *s, int32_t want, int line)
{
    int32_t got = 0;
    bool ok = value_parse_date(s, strlen(s), &got);
    if (!ok || got != want)
        fail_msg("line %d: date \"%s\": ok=%d got %ld want %ld", line, s, ok,
                 (long)got, (long)want);
}

static void date_bad(const char *s, int line)
{
    int32_t got = 0;
    if (value_parse_date(s, strlen(s), &got))
        fail_msg("line %d: date \"%s\" accepted as %ld", line, s, (long)got);
}

/* Formats into a buffer of exactly SVP_VALUE_TEXT_MAX bytes (so the
 * sanitizer catches any overrun) and checks both text and returned length. */
typedef size_t (*format_fn)(int64_t, char *);

static void format_is(format_fn fn, int64_t v, const char *want, int line)
{
    char buf[SVP_VALUE_TEXT_MAX];
    memset(buf, 'X', sizeof buf);
    size_t n = fn(v, buf);
    if (n >= sizeof buf || buf[n] != '\0' || strcmp(buf, want) != 0 ||
        n != strlen(want))
        fail_msg("line %d: format %lld: got \"%.*s\" (len %zu) want \"%s\"",
                 line, (long long)v, (int)(n < sizeof buf ? n : 0), buf, n,
                 want);
}

static void date_format_is(int32_t days, const char *want, int line)
{
    char buf[SVP_VALUE_TEXT_MAX];
    memset(buf, 'X', sizeof buf);
    size_t n = value_format_date(days, buf);
    if (n >= sizeof buf || strcmp(buf, want) != 0 || n != strlen(want))
        fail_msg("line %d: date %ld: got \"%s\" want \"%s\"", line, (long)days,
                 n < sizeof buf ? buf : "(overrun)", want);
}

#define DEC_OK(s, m, w) decimal_ok((s), (m), (w), __LINE__)
#define DEC_BAD(s, m) decimal_bad((s), (m), __LINE__)
#define JSON_OK(s, w) json_ok((s), (w), __LINE__)
#define JSON_BAD(s) json_bad((s), __LINE__)
#define MONEY_OK(s, w) money_ok((s), (w), __LINE__)
#define MONEY_BAD(s) money_bad((s), __LINE__)
#define DATE_OK(s, w) date_ok((s), (w), __LINE__)
#define DATE_BAD(s) date_bad((s), __LINE__)
#define FMT_IS(fn, v, w) format_is((fn), (v), (w), __LINE__)
#define DATE_FMT_IS(d, w) date_format_is((d), (w), __LINE__)

/* ---- value_parse_decimal ------------------------------------------------ */

static void test_decimal_accepts(void **state)
{
    (void)state;
    DEC_OK("150000", 2, 15000000);
    DEC_OK("100000.01", 2, 10000001);
    DEC_OK("349999.99", 2, 34999999);
    DEC_OK("10.5", 2, 1050);
    DEC_OK("0", 2, 0);
    DEC_OK("0.5", 2, 50);
    DEC_OK("0.05", 2, 5);
    DEC_OK("7", 0, 700);
    DEC_OK("7.5", 1, 750);
    DEC_OK("92233720368547758.07", 2, INT64_MAX);
}

static void test_decimal_rejects(void **state)
{
    (void)state;
    DEC_BAD("", 2);
    DEC_BAD(".5", 2);
    DEC_BAD("5.", 2);
    DEC_BAD("1,000", 2);
    DEC_BAD(" 1", 2);
    DEC_BAD("1 ", 2);
    DEC_BAD("+1", 2);
    DEC_BAD("-1", 2);
    DEC_BAD("1e5", 2);
    DEC_BAD("1.234", 2);
    DEC_BAD("100000.001", 2);
    DEC_BAD("1.5", 0);
    DEC_BAD("1.55", 1);
    DEC_BAD("1..5", 2);
    DEC_BAD("1.5.", 2);
    DEC_BAD("abc", 2);
    DEC_BAD("92233720368547758.08", 2);
    DEC_BAD("99999999999999999999", 2);
    DEC_BAD("184467440737095516160", 2);
    DEC_BAD("1", 3);
    DEC_BAD("1", -1);
}

static void test_decimal_uses_length_not_nul(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(value_parse_decimal("12345", 3, 2, &v));
    assert_int_equal(v, 12300);
    assert_true(value_parse_decimal("1.25xyz", 3, 2, &v));
    assert_int_equal(v, 120);
    assert_false(value_parse_decimal("1.", 2, 2, &v));
}

static void test_weightings_sum_exactly(void **state)
{
    (void)state;
    int64_t a = 0, b = 0, c = 0, sum = 0;
    assert_true(value_parse_decimal("30", 2, 2, &a));
    assert_true(value_parse_decimal("59.99", 5, 2, &b));
    assert_true(value_parse_decimal("10.01", 5, 2, &c));
    assert_int_equal(a, 3000);
    assert_int_equal(b, 5999);
    assert_int_equal(c, 1001);
    assert_true(value_add(a, b, &sum));
    assert_true(value_add(sum, c, &sum));
    assert_int_equal(sum, 10000);
}

/* ---- value_parse_json_number -------------------------------------------- */

static void test_json_plain_and_fraction(void **state)
{
    (void)state;
    JSON_OK("150000", 15000000);
    JSON_OK("149999.99", 14999999);
    JSON_OK("349999.99", 34999999);
    JSON_OK("100000.01", 10000001);
    JSON_OK("100000.010", 10000001);
    JSON_OK("100000.00000000000000000000000000", 10000000);
    JSON_OK("0", 0);
    JSON_OK("-0", 0);
    JSON_OK("0.0", 0);
    JSON_OK("0.01", 1);
    JSON_OK("-5", -500);
    JSON_OK("-0.01", -1);
    JSON_OK("-349999.99", -34999999);
}

static void test_json_exponents(void **state)
{
    (void)state;
    JSON_OK("1e5", 10000000);
    JSON_OK("1E5", 10000000);
    JSON_OK("1e+5", 10000000);
    JSON_OK("1e0", 100);
    JSON_OK("1e-0", 100);
    JSON_OK("1.5E2", 15000);
    JSON_OK("0.125e1", 125);
    JSON_OK("1.5e-1", 15);
    JSON_OK("0.0001e4", 100);
    JSON_OK("1e-2", 1);
    JSON_OK("10e-3", 1);
    JSON_OK("1000e-5", 1);
    JSON_OK("0.00000000000000000000000000000000000001e38", 100);
    JSON_OK("1e16", INT64_C(1000000000000000000));
    JSON_OK("0e999999999", 0);
    JSON_OK("0.000e-999999999", 0);
    JSON_OK("-0e5", 0);
    JSON_OK("1e00000000000000000000000000000000000000000005", 10000000);
}

static void test_json_int64_limits(void **state)
{
    (void)state;
    JSON_OK("92233720368547758.07", INT64_MAX);
    JSON_OK("-92233720368547758.08", INT64_MIN);
    JSON_OK("9.223372036854775807e16", INT64_MAX);
    JSON_OK("-9223372036854775808e-2", INT64_MIN);
    JSON_BAD("92233720368547758.08");
    JSON_BAD("-92233720368547758.09");
    JSON_BAD("1e17");
    JSON_BAD("123456789012345678901234567890");
    JSON_BAD("18446744073709551616e-2");
}

static void test_json_not_whole_hundredths(void **state)
{
    (void)state;
    JSON_BAD("100000.001");
    JSON_BAD("1e-3");
    JSON_BAD("-2.5e-2");
    JSON_BAD("0.125");
    JSON_BAD("0.0001e1");
    JSON_BAD("1.000000000000000000000000000001");
}

static void test_json_malformed(void **state)
{
    (void)state;
    JSON_BAD("");
    JSON_BAD("-");
    JSON_BAD("01");
    JSON_BAD("-01");
    JSON_BAD("00");
    JSON_BAD("00.5");
    JSON_BAD("+1");
    JSON_BAD("1.");
    JSON_BAD(".5");
    JSON_BAD("-.5");
    JSON_BAD("1e");
    JSON_BAD("1e+");
    JSON_BAD("1e-");
    JSON_BAD("1E+-5");
    JSON_BAD("1.e5");
    JSON_BAD("1e5.0");
    JSON_BAD("1e5 ");
    JSON_BAD(" 1");
    JSON_BAD("1.5.3");
    JSON_BAD("--1");
    JSON_BAD("0x10");
    JSON_BAD("NaN");
    JSON_BAD("Infinity");
    JSON_BAD("1,000");
}

/* A billion-sized exponent must be judged from its size, not walked. */
static void test_json_huge_exponents(void **state)
{
    (void)state;
    JSON_BAD("1e999999999");
    JSON_BAD("1e-999999999");
    JSON_BAD("-1e999999999999999999999999999999999999");
    JSON_OK("0e-999999999999999999999999999999999999", 0);

    char text[4100] = "1e";
    memset(text + 2, '9', 4000);
    text[4002] = '\0';
    JSON_BAD(text);
    text[0] = '0';
    JSON_OK(text, 0);
}

static void test_json_uses_length_not_nul(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(value_parse_json_number("1e5", 1, &v));
    assert_int_equal(v, 100);
    assert_true(value_parse_json_number("12.345", 5, &v));
    assert_int_equal(v, 1234);
    assert_false(value_parse_json_number("1e5", 2, &v));
}

/* ---- value_parse_money_literal ------------------------------------------ */

static void test_money_literal_accepts(void **state)
{
    (void)state;
    MONEY_OK("100,000", 10000000);
    MONEY_OK("350000", 35000000);
    MONEY_OK("350,000.00", 35000000);
    MONEY_OK("1,000,000", 100000000);
    MONEY_OK("0.50", 50);
    MONEY_OK("0", 0);
    MONEY_OK("999", 99900);
    MONEY_OK("1,234.56", 123456);
    MONEY_OK("12,345,678.90", 1234567890);
    MONEY_OK("92,233,720,368,547,758.07", INT64_MAX);
    MONEY_OK("92233720368547758.07", INT64_MAX);
}

static void test_money_literal_rejects(void **state)
{
    (void)state;
    MONEY_BAD("");
    MONEY_BAD("100,00");
    MONEY_BAD("1,0000");
    MONEY_BAD(",100");
    MONEY_BAD("100,000.5");
    MONEY_BAD("10O,000");
    MONEY_BAD("100,");
    MONEY_BAD("1,000,00");
    MONEY_BAD("1000,000");
    MONEY_BAD("1,,000");
    MONEY_BAD("1,000,");
    MONEY_BAD(".50");
    MONEY_BAD("100.");
    MONEY_BAD("100.505");
    MONEY_BAD("100.5");
    MONEY_BAD("\xC2\xA3" "100");
    MONEY_BAD("-100");
    MONEY_BAD("+100");
    MONEY_BAD(" 100");
    MONEY_BAD("100 ");
    MONEY_BAD("1e5");
    MONEY_BAD("1,000.5");
    MONEY_BAD("92,233,720,368,547,758.08");
    MONEY_BAD("999,999,999,999,999,999,999");
}

/* ---- Dates -------------------------------------------------------------- */

static void test_date_parse_valid(void **state)
{
    (void)state;
    DATE_OK("1970-01-01", 0);
    DATE_OK("1970-01-02", 1);
    DATE_OK("1969-12-31", -1);
    DATE_OK("2000-02-29", 11016);
    DATE_OK("2000-03-01", 11017);
    DATE_OK("2024-02-29", 19782);
    DATE_OK("2025-01-01", 20089);
    DATE_OK("1600-02-29", -135081);
    DATE_OK("0001-01-01", -719162);
    DATE_OK("9999-12-31", 2932896);
}

static void test_date_parse_invalid(void **state)
{
    (void)state;
    DATE_BAD("2023-02-29");
    DATE_BAD("1900-02-29");
    DATE_BAD("2025-13-01");
    DATE_BAD("2025-04-31");
    DATE_BAD("2025-00-10");
    DATE_BAD("2025-01-00");
    DATE_BAD("2025-01-32");
    DATE_BAD("0000-01-01");
    DATE_BAD("2025-1-01");
    DATE_BAD("2025-01-1");
    DATE_BAD("2025/01/01");
    DATE_BAD("2025-01-011");
    DATE_BAD("20250101");
    DATE_BAD("");
    DATE_BAD("2025-01-0a");
    DATE_BAD("+025-01-01");
    DATE_BAD(" 025-01-01");
    DATE_BAD("2025-01- 1");
    DATE_BAD("2025-01-01T00:00");
}

static void test_date_format(void **state)
{
    (void)state;
    DATE_FMT_IS(0, "1970-01-01");
    DATE_FMT_IS(-1, "1969-12-31");
    DATE_FMT_IS(19782, "2024-02-29");
    DATE_FMT_IS(20089, "2025-01-01");
    DATE_FMT_IS(-719162, "0001-01-01");
    DATE_FMT_IS(2932896, "9999-12-31");
    /* Outside the parseable range: must not crash or misprint. */
    DATE_FMT_IS(-719163, "0000-12-31");
    DATE_FMT_IS(-719529, "-0001-12-31");
    DATE_FMT_IS(INT32_MAX, "5881580-07-11");
    DATE_FMT_IS(INT32_MIN, "-5877641-06-23");
}

/* Every day of the supported range survives format -> parse, and parsing
 * advances by exactly one per calendar day. */
static void test_date_round_trip_every_day(void **state)
{
    (void)state;
    char buf[SVP_VALUE_TEXT_MAX];
    for (int32_t d = -719162; d <= 2932896; d++) {
        size_t n = value_format_date(d, buf);
        int32_t back = 0;
        if (n != 10 || !value_parse_date(buf, n, &back) || back != d)
            fail_msg("day %ld: \"%s\" -> %ld", (long)d, buf, (long)back);
    }
}

/* ---- Formatting --------------------------------------------------------- */

static void test_format_money(void **state)
{
    (void)state;
    FMT_IS(value_format_money, 0, "\xC2\xA3" "0.00");
    FMT_IS(value_format_money, 5, "\xC2\xA3" "0.05");
    FMT_IS(value_format_money, 50, "\xC2\xA3" "0.50");
    FMT_IS(value_format_money, 99999, "\xC2\xA3" "999.99");
    FMT_IS(value_format_money, 100000, "\xC2\xA3" "1,000.00");
    FMT_IS(value_format_money, 123456, "\xC2\xA3" "1,234.56");
    FMT_IS(value_format_money, 10000000, "\xC2\xA3" "100,000.00");
    FMT_IS(value_format_money, 34999999, "\xC2\xA3" "349,999.99");
    FMT_IS(value_format_money, 100000000, "\xC2\xA3" "1,000,000.00");
    FMT_IS(value_format_money, -500, "-\xC2\xA3" "5.00");
    FMT_IS(value_format_money, -1, "-\xC2\xA3" "0.01");
    FMT_IS(value_format_money, -123456, "-\xC2\xA3" "1,234.56");
    FMT_IS(value_format_money, INT64_MAX,
           "\xC2\xA3" "92,233,720,368,547,758.07");
    FMT_IS(value_format_money, INT64_MIN,
           "-\xC2\xA3" "92,233,720,368,547,758.08");
}

static void test_format_money_plain(void **state)
{
    (void)state;
    FMT_IS(value_format_money_plain, 42000000, "420000.00");
    FMT_IS(value_format_money_plain, 0, "0.00");
    FMT_IS(value_format_money_plain, 5, "0.05");
    FMT_IS(value_format_money_plain, 123456, "1234.56");
    FMT_IS(value_format_money_plain, -500, "-5.00");
    FMT_IS(value_format_money_plain, -7, "-0.07");
    FMT_IS(value_format_money_plain, INT64_MAX, "92233720368547758.07");
    FMT_IS(value_format_money_plain, INT64_MIN, "-92233720368547758.08");
}

static void test_format_percent(void **state)
{
    (void)state;
    FMT_IS(value_format_percent, 1000, "10%");
    FMT_IS(value_format_percent, 1250, "12.5%");
    FMT_IS(value_format_percent, 3333, "33.33%");
    FMT_IS(value_format_percent, 0, "0%");
    FMT_IS(value_format_percent, -50, "-0.5%");
    FMT_IS(value_format_percent, 1, "0.01%");
    FMT_IS(value_format_percent, 5, "0.05%");
    FMT_IS(value_format_percent, 10000, "100%");
    FMT_IS(value_format_percent, 1005, "10.05%");
    FMT_IS(value_format_percent, INT64_MIN, "-92233720368547758.08%");
    FMT_IS(value_format_percent, INT64_MAX, "92233720368547758.07%");
}

static void test_format_number(void **state)
{
    (void)state;
    FMT_IS(value_format_number, 40000, "4");
    FMT_IS(value_format_number, 25000, "2.5");
    FMT_IS(value_format_number, 500, "0.05");
    FMT_IS(value_format_number, 1250, "0.125");
    FMT_IS(value_format_number, 625, "0.0625");
    FMT_IS(value_format_number, 1, "0.0001");
    FMT_IS(value_format_number, 0, "0");
    FMT_IS(value_format_number, -25000, "-2.5");
    FMT_IS(value_format_number, -500, "-0.05");
    FMT_IS(value_format_number, 101000, "10.1");
    FMT_IS(value_format_number, 100100, "10.01");
    FMT_IS(value_format_number, 10000000, "1000");
    FMT_IS(value_format_number, INT64_MAX, "922337203685477.5807");
    FMT_IS(value_format_number, INT64_MIN, "-922337203685477.5808");
}

/* Hundredths, as an import mapping writes its amounts (the old form). */
static void test_format_hundredths(void **state)
{
    (void)state;
    FMT_IS(value_format_hundredths, 400, "4");
    FMT_IS(value_format_hundredths, 250, "2.5");
    FMT_IS(value_format_hundredths, 5, "0.05");
    FMT_IS(value_format_hundredths, -5, "-0.05");
    FMT_IS(value_format_hundredths, INT64_MAX, "92233720368547758.07");
    FMT_IS(value_format_hundredths, INT64_MIN, "-92233720368547758.08");
}

/* The JSON form of a number must read back to the same ten-thousandths,
 * and money's to the same pence. */
static void test_number_round_trips_through_json(void **state)
{
    (void)state;
    const int64_t samples[] = {0, 1, 5, 10, 99, 100, 250, 1001, 1250, 625, -1, -250,
                               10000001, INT64_MAX, INT64_MIN};
    char buf[SVP_VALUE_TEXT_MAX];
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t n = value_format_number(samples[i], buf);
        int64_t back = 0;
        assert_true(value_parse_json_number4(buf, n, &back));
        assert_int_equal(back, samples[i]);
        n = value_format_money_plain(samples[i], buf);
        assert_true(value_parse_json_number(buf, n, &back));
        assert_int_equal(back, samples[i]);
    }
}

/* A number of the language: up to four decimals, in ten-thousandths. */
static void test_parse_number(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(value_parse_number("2.5", 3, &v));
    assert_int_equal(v, 25000);
    assert_true(value_parse_number("0.125", 5, &v));
    assert_int_equal(v, 1250);
    assert_true(value_parse_number("0.0625", 6, &v));
    assert_int_equal(v, 625);
    assert_true(value_parse_number("12", 2, &v));
    assert_int_equal(v, 120000);
    v = 7;
    assert_false(value_parse_number("0.00001", 7, &v));
    assert_false(value_parse_number("1.", 2, &v));
    assert_false(value_parse_number("-1", 2, &v));
    assert_false(value_parse_number("922337203685478", 15, &v)); /* * 10^4 overflows */
    assert_int_equal(v, 7);
    assert_true(value_parse_json_number4("0.0625", 6, &v));
    assert_int_equal(v, 625);
    assert_true(value_parse_json_number4("6.25e-2", 7, &v));
    assert_int_equal(v, 625);
    assert_false(value_parse_json_number4("0.00001", 7, &v));
    assert_false(value_parse_json_number("0.125", 5, &v)); /* money and percent stay at hundredths */
}

/* ---- Checked arithmetic ------------------------------------------------- */

static void test_add_sub(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_true(value_add(3000, 5999, &r));
    assert_int_equal(r, 8999);
    assert_true(value_add(INT64_MIN, INT64_MAX, &r));
    assert_int_equal(r, -1);
    assert_true(value_add(INT64_MAX - 1, 1, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(value_sub(100, 250, &r));
    assert_int_equal(r, -150);
    assert_true(value_sub(INT64_MIN + 1, 1, &r));
    assert_int_equal(r, INT64_MIN);
    assert_true(value_sub(INT64_MAX, INT64_MAX, &r));
    assert_int_equal(r, 0);
}

static void test_add_sub_overflow(void **state)
{
    (void)state;
    int64_t r = 42;
    assert_false(value_add(INT64_MAX, 1, &r));
    assert_false(value_add(INT64_MIN, -1, &r));
    assert_false(value_add(INT64_MAX, INT64_MAX, &r));
    assert_false(value_sub(INT64_MIN, 1, &r));
    assert_false(value_sub(0, INT64_MIN, &r));
    assert_false(value_sub(INT64_MAX, -1, &r));
    assert_int_equal(r, 42);
}

static void test_mul(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_true(value_mul(25000, 40000, &r)); /* 2.5 * 4 = 10 */
    assert_int_equal(r, 100000);
    assert_true(value_mul(15000, 15000, &r)); /* 1.5 * 1.5 = 2.25 */
    assert_int_equal(r, 22500);
    assert_true(value_mul(33333, 30000, &r)); /* £333.33 * 3 = £999.99 */
    assert_int_equal(r, 99999);
    assert_true(value_mul(1250, 5000, &r)); /* 0.125 * 0.5 = 0.0625 */
    assert_int_equal(r, 625);
    assert_true(value_mul(1000, 1250, &r)); /* 10% * 0.125 = 1.25% */
    assert_int_equal(r, 125);
    assert_true(value_mul(5, 500, &r)); /* 0.0025p -> 0 */
    assert_int_equal(r, 0);
    assert_true(value_mul(49, 100, &r)); /* 0.49p -> 0 */
    assert_int_equal(r, 0);
    assert_true(value_mul(5, 1000, &r)); /* 0.5p -> 1p, half up */
    assert_int_equal(r, 1);
    assert_true(value_mul(-5, 1000, &r)); /* -0.5p -> -1p, half away */
    assert_int_equal(r, -1);
    assert_true(value_mul(15, 5000, &r)); /* 7.5p -> 8p */
    assert_int_equal(r, 8);
    assert_true(value_mul(-15, -5000, &r));
    assert_int_equal(r, 8);
    assert_true(value_mul(15, -5000, &r));
    assert_int_equal(r, -8);
    assert_true(value_mul(14, 5000, &r)); /* 7p exactly */
    assert_int_equal(r, 7);
    assert_true(value_mul(0, INT64_MIN, &r));
    assert_int_equal(r, 0);
}

static void test_mul_wide_and_overflow(void **state)
{
    (void)state;
    int64_t r = 0;
    /* Raw product overflows int64 but the result fits. */
    assert_true(value_mul(INT64_C(100000000000000000), 100000, &r));
    assert_int_equal(r, INT64_C(1000000000000000000));
    assert_true(value_mul(INT64_MAX, 10000, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(value_mul(INT64_MIN, 10000, &r));
    assert_int_equal(r, INT64_MIN);

    r = 42;
    assert_false(value_mul(INT64_MAX, 20000, &r));
    assert_false(value_mul(INT64_MIN, -10000, &r));
    assert_false(value_mul(INT64_MAX, INT64_MAX, &r));
    assert_false(value_mul(INT64_MIN, INT64_MIN, &r));
    assert_false(value_mul(INT64_MAX, 10001, &r));
    assert_int_equal(r, 42);
}

/* Percent of a percent: 10% of a 40% element is 4% of the total. */
static void test_percent_of_percent(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_true(value_mul_percent(1000, 4000, &r));
    assert_int_equal(r, 400);
    assert_true(value_mul_percent(1250, 3333, &r)); /* 4.16625% -> 4.17% */
    assert_int_equal(r, 417);
    assert_true(value_mul_percent(1, 5000, &r)); /* 0.005% -> 0.01%, half away */
    assert_int_equal(r, 1);
    assert_true(value_mul_percent(1, 4999, &r));
    assert_int_equal(r, 0);
}

static void test_div_rounding(void **state)
{
    (void)state;
    int64_t r = 0;
    /* £1,000.00 / 12 = £83.333...: 8333p down, 8334p up, 8333p nearest */
    assert_true(value_div(100000, 120000, VALUE_ROUND_DOWN, &r));
    assert_int_equal(r, 8333);
    assert_true(value_div(100000, 120000, VALUE_ROUND_UP, &r));
    assert_int_equal(r, 8334);
    assert_true(value_div(100000, 120000, VALUE_ROUND_NEAREST, &r));
    assert_int_equal(r, 8333);
    /* 7p / 2 = 3.5p */
    assert_true(value_div(7, 20000, VALUE_ROUND_DOWN, &r));
    assert_int_equal(r, 3);
    assert_true(value_div(7, 20000, VALUE_ROUND_UP, &r));
    assert_int_equal(r, 4);
    assert_true(value_div(7, 20000, VALUE_ROUND_NEAREST, &r));
    assert_int_equal(r, 4);
    /* -7p / 2: down is towards minus infinity, up towards plus infinity */
    assert_true(value_div(-7, 20000, VALUE_ROUND_DOWN, &r));
    assert_int_equal(r, -4);
    assert_true(value_div(-7, 20000, VALUE_ROUND_UP, &r));
    assert_int_equal(r, -3);
    assert_true(value_div(-7, 20000, VALUE_ROUND_NEAREST, &r));
    assert_int_equal(r, -4);
    assert_true(value_div(7, -20000, VALUE_ROUND_DOWN, &r));
    assert_int_equal(r, -4);
    /* money / money is a percent: £50 / £200 = 25%; £1 / £3 = 33.33% */
    assert_true(value_div(5000, 20000, VALUE_ROUND_DOWN, &r));
    assert_int_equal(r, 2500);
    assert_true(value_div(100, 300, VALUE_ROUND_UP, &r));
    assert_int_equal(r, 3334);
    /* exact quotients are not moved */
    assert_true(value_div(-600, 300, VALUE_ROUND_UP, &r));
    assert_int_equal(r, -20000);
    assert_true(value_div(-600, 300, VALUE_ROUND_DOWN, &r));
    assert_int_equal(r, -20000);
}

static void test_div_zero_and_overflow(void **state)
{
    (void)state;
    int64_t r = 42;
    assert_false(value_div(100, 0, VALUE_ROUND_DOWN, &r));
    assert_false(value_div(INT64_MAX, 1, VALUE_ROUND_DOWN, &r));
    assert_false(value_div(INT64_MIN, -10000, VALUE_ROUND_NEAREST, &r));
    assert_int_equal(r, 42);
    assert_true(value_div(INT64_MAX, 10000, VALUE_ROUND_DOWN, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(value_div(INT64_MIN, 10000, VALUE_ROUND_UP, &r));
    assert_int_equal(r, INT64_MIN);
}

static int32_t day(const char *s)
{
    int32_t d = 0;
    assert_true(value_parse_date(s, strlen(s), &d));
    return d;
}

static void test_months_between(void **state)
{
    (void)state;
    assert_int_equal(value_months_between(day("2025-01-31"), day("2025-02-28")), 1);
    assert_int_equal(value_months_between(day("2025-01-31"), day("2025-02-27")), 0);
    assert_int_equal(value_months_between(day("2024-01-31"), day("2024-02-29")), 1);
    assert_int_equal(value_months_between(day("2024-01-31"), day("2024-02-28")), 0);
    assert_int_equal(value_months_between(day("2025-04-01"), day("2027-03-31")), 23);
    assert_int_equal(value_months_between(day("2025-04-01"), day("2027-04-01")), 24);
    assert_int_equal(value_months_between(day("2025-03-31"), day("2025-04-30")), 1);
    assert_int_equal(value_months_between(day("2025-05-15"), day("2025-05-15")), 0);
    assert_int_equal(value_months_between(day("2025-12-15"), day("2026-01-14")), 0);
    assert_int_equal(value_months_between(day("2025-12-15"), day("2026-01-15")), 1);
    assert_int_equal(value_months_between(day("2027-04-01"), day("2025-04-01")), -24);
    assert_int_equal(value_months_between(day("2025-02-28"), day("2025-01-31")), -1); /* minus Jan 31 -> Feb 28 */
    assert_int_equal(value_months_between(day("0001-01-01"), day("9999-12-31")), 9999 * 12 - 1);
}

static void test_mul_percent(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_true(value_mul_percent(33333, 1000, &r)); /* £333.33 * 10% */
    assert_int_equal(r, 3333);
    assert_true(value_mul_percent(5, 5000, &r)); /* £0.05 * 50% = 2.5p */
    assert_int_equal(r, 3);
    assert_true(value_mul_percent(-5, 5000, &r));
    assert_int_equal(r, -3);
    assert_true(value_mul_percent(10000000, 1000, &r)); /* £100k * 10% */
    assert_int_equal(r, 1000000);
    assert_true(value_mul_percent(12345, 1250, &r)); /* 1543.125p */
    assert_int_equal(r, 1543);
    assert_true(value_mul_percent(1, 4999, &r));
    assert_int_equal(r, 0);
    assert_true(value_mul_percent(1, 5000, &r));
    assert_int_equal(r, 1);
    assert_true(value_mul_percent(1, -5000, &r));
    assert_int_equal(r, -1);
    assert_true(value_mul_percent(34999999, 10000, &r)); /* 100% */
    assert_int_equal(r, 34999999);
    assert_true(value_mul_percent(INT64_MAX, 10000, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(value_mul_percent(INT64_MIN, 10000, &r));
    assert_int_equal(r, INT64_MIN);

    r = 42;
    assert_false(value_mul_percent(INT64_MAX, 10001, &r));
    assert_false(value_mul_percent(INT64_MIN, -10000, &r));
    assert_false(value_mul_percent(INT64_MAX, INT64_MAX, &r));
    assert_int_equal(r, 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_accepts),
        cmocka_unit_test(test_decimal_rejects),
        cmocka_unit_test(test_decimal_uses_length_not_nul),
        cmocka_unit_test(test_weightings_sum_exactly),
        cmocka_unit_test(test_json_plain_and_fraction),
        cmocka_unit_test(test_json_exponents),
        cmocka_unit_test(test_json_int64_limits),
        cmocka_unit_test(test_json_not_whole_hundredths),
        cmocka_unit_test(test_json_malformed),
        cmocka_unit_test(test_json_huge_exponents),
        cmocka_unit_test(test_json_uses_length_not_nul),
        cmocka_unit_test(test_money_literal_accepts),
        cmocka_unit_test(test_money_literal_rejects),
        cmocka_unit_test(test_date_parse_valid),
        cmocka_unit_test(test_date_parse_invalid),
        cmocka_unit_test(test_date_format),
        cmocka_unit_test(test_date_round_trip_every_day),
        cmocka_unit_test(test_format_money),
        cmocka_unit_test(test_format_money_plain),
        cmocka_unit_test(test_format_percent),
        cmocka_unit_test(test_format_number),
        cmocka_unit_test(test_number_round_trips_through_json),
        cmocka_unit_test(test_format_hundredths),
        cmocka_unit_test(test_parse_number),
        cmocka_unit_test(test_add_sub),
        cmocka_unit_test(test_add_sub_overflow),
        cmocka_unit_test(test_mul),
        cmocka_unit_test(test_percent_of_percent),
        cmocka_unit_test(test_div_rounding),
        cmocka_unit_test(test_div_zero_and_overflow),
        cmocka_unit_test(test_months_between),
        cmocka_unit_test(test_mul_wide_and_overflow),
        cmocka_unit_test(test_mul_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
