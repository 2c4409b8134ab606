/*
 * value.c - exact scalar values of the policy language: parsing, formatting
 * and checked arithmetic for money, percent, number and date.
 *
 * Every amount is an int64 count of hundredths, so a decision can be
 * reproduced to the penny on any machine.  To keep that promise nothing here
 * touches binary floating point: decimal text is read digit by digit into an
 * unsigned magnitude with overflow checks, and products are rounded with
 * 128-bit integers.  Parsers only write their result on success, so a
 * failed parse never leaves a half-computed value behind.
 */
#include "value.h"

#include <assert.h>
#include <string.h>

#include "program.h"

/* 128-bit product type; __extension__ keeps -Wpedantic builds quiet. */
__extension__ typedef __int128 wide_t;

/* Largest power of ten in a uint64_t. */
#define MAX_POW10 19

/* Exponents beyond this magnitude saturate.  Any JSON text short enough to
 * exist in memory gives the same verdict with the capped exponent, and the
 * cap keeps every position calculation far from int64 overflow. */
#define EXP_CAP INT64_C(100000000000000000)

#define POUND_SIGN "\xC2\xA3"

/* ---- Small shared helpers ---------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static uint64_t pow10_u64(int exp)
{
    uint64_t p = 1;
    for (int i = 0; i < exp; i++)
        p *= 10;
    return p;
}

/* acc = acc * 10 + digit; false (acc unchanged) on uint64 overflow. */
static bool push_digit(uint64_t *acc, char c)
{
    uint64_t next;
    if (__builtin_mul_overflow(*acc, 10u, &next) ||
        __builtin_add_overflow(next, (uint64_t)(c - '0'), &next))
        return false;
    *acc = next;
    return true;
}

/* *acc *= 10^exp (exp 0..MAX_POW10); false on uint64 overflow. */
static bool scale_pow10(uint64_t *acc, int exp)
{
    return !__builtin_mul_overflow(*acc, pow10_u64(exp), acc);
}

/* Signed value of a magnitude; negatives may reach INT64_MIN, whose
 * magnitude is one more than INT64_MAX. */
static bool signed_from_magnitude(uint64_t mag, bool negative, int64_t *out)
{
    const uint64_t limit = (uint64_t)INT64_MAX + (negative ? 1u : 0u);
    if (mag > limit)
        return false;
    if (!negative)
        *out = (int64_t)mag;
    else if (mag == (uint64_t)INT64_MAX + 1u)
        *out = INT64_MIN;
    else
        *out = -(int64_t)mag;
    return true;
}

/* |v| as uint64, exact even for INT64_MIN. */
static uint64_t magnitude_of(int64_t v)
{
    return v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
}

/* Reads a run of digits at text[*pos..len) into *acc.  Returns the number
 * of digits consumed, or -1 when the run overflows uint64. */
static long read_digits(const char *text, size_t len, size_t *pos,
                        uint64_t *acc)
{
    long count = 0;
    while (*pos < len && is_digit(text[*pos])) {
        if (!push_digit(acc, text[*pos]))
            return -1;
        (*pos)++;
        count++;
    }
    return count;
}

/* ---- value_parse_decimal ----------------------------------------------- */

/* Digits [. 1..max_decimals digits], nothing else, stored scaled by
 * 10^places (max_decimals <= places).  Whole and fraction digits go into
 * one accumulator and are scaled up afterwards, so the fraction never
 * needs a separate, lossy representation. */
static bool parse_plain(const char *text, size_t len, int max_decimals, int places, int64_t *out)
{
    if (max_decimals < 0 || max_decimals > places || len == 0)
        return false;
    size_t pos = 0;
    uint64_t mag = 0;
    long whole = read_digits(text, len, &pos, &mag);
    if (whole <= 0)
        return false;
    long decimals = 0;
    if (pos < len && text[pos] == '.') {
        pos++;
        decimals = read_digits(text, len, &pos, &mag);
        if (decimals <= 0 || decimals > max_decimals)
            return false;
    }
    if (pos != len || !scale_pow10(&mag, places - (int)decimals))
        return false;
    return signed_from_magnitude(mag, false, out);
}

/* Contract in value.h: hundredths, at most max_decimals (0..2) decimals. */
bool value_parse_decimal(const char *text, size_t len, int max_decimals,
                         int64_t *hundredths)
{
    return parse_plain(text, len, max_decimals, 2, hundredths);
}

/* Contract in value.h: ten-thousandths, at most four decimals. */
bool value_parse_number(const char *text, size_t len, int64_t *tenthousandths)
{
    return parse_plain(text, len, VALUE_NUMBER_PLACES, VALUE_NUMBER_PLACES, tenthousandths);
}

/* ---- value_parse_json_number ------------------------------------------- */

/* The pieces of a well-formed JSON number lexeme.  The significand digits
 * are int_digits followed by frac_digits; exponent is already signed and
 * saturated at +-EXP_CAP. */
struct json_lexeme {
    bool negative;
    const char *int_digits;
    size_t int_len;
    const char *frac_digits;
    size_t frac_len;
    int64_t exponent;
};

/* Scans a digit run starting at *pos; returns its length. */
static size_t skip_digits(const char *text, size_t len, size_t *pos)
{
    size_t start = *pos;
    while (*pos < len && is_digit(text[*pos]))
        (*pos)++;
    return *pos - start;
}

/* Reads [eE][+-]?[0-9]+ at *pos, saturating the magnitude so that a
 * billion-digit exponent costs one pass over the text and nothing more. */
static bool lex_exponent(const char *text, size_t len, size_t *pos,
                         int64_t *exponent)
{
    (*pos)++; /* the 'e' or 'E' */
    bool negative = false;
    if (*pos < len && (text[*pos] == '+' || text[*pos] == '-'))
        negative = text[(*pos)++] == '-';
    size_t start = *pos;
    int64_t mag = 0;
    for (; *pos < len && is_digit(text[*pos]); (*pos)++) {
        mag = mag * 10 + (text[*pos] - '0');
        if (mag > EXP_CAP)
            mag = EXP_CAP;
    }
    if (*pos == start)
        return false;
    *exponent = negative ? -mag : mag;
    return true;
}

/* Checks the RFC 8259 grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * over the whole text and splits it into its parts. */
static bool lex_json_number(const char *text, size_t len,
                            struct json_lexeme *lx)
{
    size_t pos = 0;
    memset(lx, 0, sizeof *lx);
    if (pos < len && text[pos] == '-') {
        lx->negative = true;
        pos++;
    }
    lx->int_digits = text + pos;
    lx->int_len = skip_digits(text, len, &pos);
    if (lx->int_len == 0 || (lx->int_len > 1 && lx->int_digits[0] == '0'))
        return false;
    if (pos < len && text[pos] == '.') {
        pos++;
        lx->frac_digits = text + pos;
        lx->frac_len = skip_digits(text, len, &pos);
        if (lx->frac_len == 0)
            return false;
    }
    if (pos < len && (text[pos] == 'e' || text[pos] == 'E') &&
        !lex_exponent(text, len, &pos, &lx->exponent))
        return false;
    return pos == len;
}

/* Digit i of the significand (integer digits then fraction digits). */
static char significand_digit(const struct json_lexeme *lx, size_t i)
{
    return i < lx->int_len ? lx->int_digits[i]
                           : lx->frac_digits[i - lx->int_len];
}

/* Power of ten, counted in units of 10^-places, that significand digit
 * `index` carries: the decimal point sits before digit int_len + exponent,
 * so the digit's place is (int_len + exponent - 1 - index) + places.
 * Lengths fit in int64 because no object exceeds PTRDIFF_MAX; the checks
 * only guard the sum. */
static bool unit_place(const struct json_lexeme *lx, size_t index, int places,
                       int64_t *place)
{
    int64_t p;
    if (__builtin_add_overflow((int64_t)lx->int_len, lx->exponent, &p) ||
        __builtin_sub_overflow(p, (int64_t)index, &p) ||
        __builtin_add_overflow(p, places - 1, &p))
        return false;
    *place = p;
    return true;
}

/* Turns a lexed number into units of 10^-places.  Only the span from the
 * first to the last non-zero significand digit matters: the last must land
 * at or above the units' place (else a fraction of a unit remains), and
 * the first must land below 10^19 (else int64 overflows), which also bounds
 * the loop to at most 19 digits whatever the exponent says. */
static bool lexeme_to_units(const struct json_lexeme *lx, int places,
                            int64_t *hundredths)
{
    size_t count = lx->int_len + lx->frac_len;
    size_t first = 0;
    while (first < count && significand_digit(lx, first) == '0')
        first++;
    if (first == count) {
        *hundredths = 0;
        return true;
    }
    size_t last = count - 1;
    while (significand_digit(lx, last) == '0')
        last--;
    int64_t top, bottom;
    if (!unit_place(lx, first, places, &top) ||
        !unit_place(lx, last, places, &bottom) || bottom < 0 ||
        top >= MAX_POW10)
        return false;
    uint64_t mag = 0;
    for (size_t i = first; i <= last; i++)
        if (!push_digit(&mag, significand_digit(lx, i)))
            return false;
    if (!scale_pow10(&mag, (int)bottom))
        return false;
    return signed_from_magnitude(mag, lx->negative, hundredths);
}

/* Contract in value.h: exact lexeme-to-hundredths, never via strtod. */
bool value_parse_json_number(const char *text, size_t len, int64_t *hundredths)
{
    struct json_lexeme lx;
    if (!lex_json_number(text, len, &lx))
        return false;
    return lexeme_to_units(&lx, 2, hundredths);
}

/* Contract in value.h: the same, in ten-thousandths. */
bool value_parse_json_number4(const char *text, size_t len, int64_t *tenthousandths)
{
    struct json_lexeme lx;
    if (!lex_json_number(text, len, &lx))
        return false;
    return lexeme_to_units(&lx, VALUE_NUMBER_PLACES, tenthousandths);
}

/* ---- value_parse_money_literal ----------------------------------------- */

/* Reads the whole-pounds part at *pos: plain digits, or digits grouped by
 * commas where the first group has 1-3 digits and every later group has
 * exactly 3.  Stops at the first character that is neither. */
static bool read_grouped_whole(const char *text, size_t len, size_t *pos,
                               uint64_t *mag)
{
    size_t group = 0;
    bool grouped = false;
    for (; *pos < len; (*pos)++) {
        char c = text[*pos];
        if (is_digit(c)) {
            if (!push_digit(mag, c))
                return false;
            group++;
        } else if (c == ',') {
            if (group == 0 || (grouped ? group != 3 : group > 3))
                return false;
            grouped = true;
            group = 0;
        } else {
            break;
        }
    }
    return group > 0 && (!grouped || group == 3);
}

/* Contract in value.h: grouped pounds, optional exactly-two-digit pence. */
bool value_parse_money_literal(const char *text, size_t len, int64_t *pence)
{
    size_t pos = 0;
    uint64_t mag = 0;
    if (len == 0 || !read_grouped_whole(text, len, &pos, &mag))
        return false;
    long decimals = 0;
    if (pos < len && text[pos] == '.') {
        pos++;
        decimals = read_digits(text, len, &pos, &mag);
        if (decimals != 2)
            return false;
    }
    if (pos != len || !scale_pow10(&mag, 2 - (int)decimals))
        return false;
    return signed_from_magnitude(mag, false, pence);
}

/* ---- Dates ------------------------------------------------------------- */

static bool is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t days_in_month(int64_t y, int64_t m)
{
    static const int64_t days[12] = {31, 28, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil).  Counting years from March puts the leap day last, so
 * day-of-year needs no leap test; 400-year eras make it exact for any
 * year. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil (Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits at text[at..at+n) into *value. */
static bool fixed_digits(const char *text, size_t at, size_t n,
                         int64_t *value)
{
    int64_t v = 0;
    for (size_t i = at; i < at + n; i++) {
        if (!is_digit(text[i]))
            return false;
        v = v * 10 + (text[i] - '0');
    }
    *value = v;
    return true;
}

/* Contract in value.h: strict YYYY-MM-DD, real dates 0001-01-01..9999-12-31. */
bool value_parse_date(const char *text, size_t len, int32_t *days)
{
    int64_t y, m, d;
    if (len != 10 || text[4] != '-' || text[7] != '-' ||
        !fixed_digits(text, 0, 4, &y) || !fixed_digits(text, 5, 2, &m) ||
        !fixed_digits(text, 8, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *days = (int32_t)days_from_civil(y, m, d);
    return true;
}

/* ---- Formatting -------------------------------------------------------- */

/* Writes v in decimal, left-padded with zeros to at least min_width
 * digits; returns the digit count.  Does not terminate. */
static size_t put_unsigned(uint64_t v, size_t min_width, char *out)
{
    char rev[MAX_POW10 + 1];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n < min_width && n < sizeof rev)
        rev[n++] = '0';
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    return n;
}

/* Writes v in decimal with a comma before every group of three digits
 * counted from the right. */
static size_t put_grouped(uint64_t v, char *out)
{
    char digits[MAX_POW10 + 1];
    size_t n = put_unsigned(v, 1, digits);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[w++] = ',';
        out[w++] = digits[i];
    }
    return w;
}

/* Writes the shortest exact decimal of a magnitude in units of
 * 10^-places: no point for whole values, no trailing zero decimals. */
static size_t put_shortest(uint64_t mag, int places, char *out)
{
    uint64_t unit = pow10_u64(places);
    size_t w = put_unsigned(mag / unit, 1, out);
    uint64_t frac = mag % unit;
    if (frac != 0) {
        int digits = places;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        out[w++] = '.';
        w += put_unsigned(frac, (size_t)digits, out + w);
    }
    return w;
}

/* A signed amount in units of 10^-places, shortest exact form. */
static size_t put_signed_shortest(int64_t v, int places, char *out)
{
    size_t w = 0;
    if (v < 0)
        out[w++] = '-';
    w += put_shortest(magnitude_of(v), places, out + w);
    out[w] = '\0';
    return w;
}

/* Writes ".dd" for the hundredths of a magnitude. */
static size_t put_two_decimals(uint64_t mag, char *out)
{
    out[0] = '.';
    return 1 + put_unsigned(mag % 100, 2, out + 1);
}

/* Contract in value.h: "£1,234.56", "-£5.00". */
size_t value_format_money(int64_t pence, char *out)
{
    uint64_t mag = magnitude_of(pence);
    size_t w = 0;
    if (pence < 0)
        out[w++] = '-';
    memcpy(out + w, POUND_SIGN, sizeof POUND_SIGN - 1);
    w += sizeof POUND_SIGN - 1;
    w += put_grouped(mag / 100, out + w);
    w += put_two_decimals(mag, out + w);
    out[w] = '\0';
    return w;
}

/* Contract in value.h: "420000.00", "-5.00". */
size_t value_format_money_plain(int64_t pence, char *out)
{
    uint64_t mag = magnitude_of(pence);
    size_t w = 0;
    if (pence < 0)
        out[w++] = '-';
    w += put_unsigned(mag / 100, 1, out + w);
    w += put_two_decimals(mag, out + w);
    out[w] = '\0';
    return w;
}

/* Contract in value.h: "12.5%", "-0.5%". */
size_t value_format_percent(int64_t hundredths, char *out)
{
    size_t w = value_format_hundredths(hundredths, out);
    out[w++] = '%';
    out[w] = '\0';
    return w;
}

/* Contract in value.h: "4", "2.5", "0.125". */
size_t value_format_number(int64_t tenthousandths, char *out)
{
    return put_signed_shortest(tenthousandths, VALUE_NUMBER_PLACES, out);
}

/* Contract in value.h: "4", "2.5", "0.05". */
size_t value_format_hundredths(int64_t hundredths, char *out)
{
    return put_signed_shortest(hundredths, 2, out);
}

/* Contract in value.h: "YYYY-MM-DD".  Days outside 0001..9999 still print
 * sensibly (a sign, more year digits) rather than misprint. */
size_t value_format_date(int32_t days, char *out)
{
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    size_t w = 0;
    if (y < 0)
        out[w++] = '-';
    w += put_unsigned(magnitude_of(y), 4, out + w);
    out[w++] = '-';
    w += put_unsigned((uint64_t)m, 2, out + w);
    out[w++] = '-';
    w += put_unsigned((uint64_t)d, 2, out + w);
    out[w] = '\0';
    return w;
}

/* ---- Checked arithmetic ------------------------------------------------ */

bool value_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool value_sub(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

/* a * b / divisor rounded half away from zero.  The product of two int64s
 * always fits 128 bits, so rounding happens on the exact product and only
 * the final quotient is range-checked: a result can fit int64 even when
 * the raw product does not. */
static bool mul_div_round(int64_t a, int64_t b, int64_t divisor, int64_t *out)
{
    wide_t product = (wide_t)a * b;
    wide_t q = product / divisor;
    wide_t r = product % divisor;
    if (2 * r >= divisor)
        q++;
    else if (2 * r <= -divisor)
        q--;
    if (q > INT64_MAX || q < INT64_MIN)
        return false;
    *out = (int64_t)q;
    return true;
}

/* Contract in value.h: a * (ten-thousandths) / 10000. */
bool value_mul(int64_t a, int64_t b, int64_t *out)
{
    return mul_div_round(a, b, VALUE_NUMBER_ONE, out);
}

/* Contract in value.h: amount * (hundredths of a per cent) / 10000. */
bool value_mul_percent(int64_t pence, int64_t pct, int64_t *out)
{
    return mul_div_round(pence, pct, 10000, out);
}

/* Contract in value.h: a * 10000 / b, rounded by mode.  The quotient of
 * the exact 128-bit product is truncated towards zero by C; a remainder
 * then moves it one step in the direction the mode asks. */
bool value_div(int64_t a, int64_t b, ValueRounding mode, int64_t *out)
{
    if (b == 0)
        return false;
    wide_t n = (wide_t)a * 10000, d = b;
    wide_t q = n / d, r = n % d;
    bool negative = (r < 0) != (d < 0); /* the exact quotient is below zero */
    if (r != 0) {
        wide_t twice = r < 0 ? -2 * r : 2 * r, whole = d < 0 ? -d : d;
        if (mode == VALUE_ROUND_DOWN && negative)
            q--;
        else if (mode == VALUE_ROUND_UP && !negative)
            q++;
        else if (mode == VALUE_ROUND_NEAREST && twice >= whole)
            q += negative ? -1 : 1;
    }
    if (q > INT64_MAX || q < INT64_MIN)
        return false;
    *out = (int64_t)q;
    return true;
}

/* `from` moved on m months, its day cut to the target month's length. */
static int64_t add_months(int64_t y, int64_t m, int64_t d, int64_t months)
{
    int64_t index = y * 12 + (m - 1) + months;
    int64_t ty = index >= 0 ? index / 12 : -((-index + 11) / 12);
    int64_t tm = index - ty * 12 + 1;
    int64_t last = days_in_month(ty, tm);
    return days_from_civil(ty, tm, d < last ? d : last);
}

/* Contract in value.h: whole calendar months, the day cut to month ends. */
int64_t value_months_between(int32_t from, int32_t to)
{
    if (to < from)
        return -value_months_between(to, from);
    int64_t y1, m1, d1, y2, m2, d2;
    civil_from_days(from, &y1, &m1, &d1);
    civil_from_days(to, &y2, &m2, &d2);
    int64_t months = (y2 - y1) * 12 + (m2 - m1);
    if (months > 0 && add_months(y1, m1, d1, months) > to)
        months--;
    return months;
}

/* ---- Runtime values as text and as JSON ------------------------------------ */

typedef enum MoneyForm {
    MONEY_PLAIN,    /* "420000.00": decisions' JSON values */
    MONEY_PENCE     /* "£420,000.00": messages, because, text */
} MoneyForm;

/* Append integer value v (money, percent, number, date or enumeration
 * member) to b, money in the given form. */
static void format_int(Buf *b, const svp_policy *p, Val v, MoneyForm form)
{
    char text[SVP_VALUE_TEXT_MAX];
    size_t n;
    switch ((TypeKind)v.type) {
    case T_MONEY:
        n = form == MONEY_PLAIN ? value_format_money_plain(v.u.i, text) : value_format_money(v.u.i, text);
        break;
    case T_PERCENT: n = value_format_percent(v.u.i, text); break;
    case T_DATE: n = value_format_date((int32_t)v.u.i, text); break;
    case T_ENUM: {
        assert(p && v.ref < p->nenums && v.u.i >= 0 && v.u.i < p->enums[v.ref]->count);
        Name m = p->enums[v.ref]->members[v.u.i];
        buf_append(b, m.text, m.len);
        return;
    }
    default: n = value_format_number(v.u.i, text); break;
    }
    buf_append(b, text, n);
}

/* Contract in value.h. */
void value_format_text(Buf *b, const svp_policy *p, Val v)
{
    switch ((ValKind)v.kind) {
    case VK_ABSENT: buf_puts(b, "(none)"); break;
    case VK_BOOL: buf_puts(b, v.u.b ? "true" : "false"); break;
    case VK_INT: format_int(b, p, v, MONEY_PENCE); break;
    case VK_TEXT: buf_append(b, v.u.s, v.n); break;
    case VK_LIST:
        if (!v.n)
            buf_puts(b, "(none)");
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                buf_puts(b, ", ");
            value_format_text(b, p, v.u.items[i]);
        }
        break;
    case VK_OBJECT: buf_puts(b, "(item)"); break;
    }
}

/* Contract in value.h.  Enumeration members are identifiers and
 * formatted amounts hold no quote or backslash: nothing to escape. */
void value_format_json(Buf *b, const svp_policy *p, Val v, bool human)
{
    switch ((ValKind)v.kind) {
    case VK_ABSENT: buf_puts(b, "null"); return;
    case VK_BOOL: buf_puts(b, v.u.b ? "true" : "false"); return;
    case VK_TEXT: buf_json_string(b, v.u.s, v.n); return;
    case VK_INT:
        buf_putc(b, '"');
        format_int(b, p, v, human ? MONEY_PENCE : MONEY_PLAIN);
        buf_putc(b, '"');
        return;
    case VK_LIST:
        buf_putc(b, '[');
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                buf_putc(b, ',');
            value_format_json(b, p, v.u.items[i], human);
        }
        buf_putc(b, ']');
        return;
    case VK_OBJECT: {
        assert(p && v.ref < p->nobjects && v.n == p->objects[v.ref].nmembers);
        const ObjectType *o = &p->objects[v.ref];
        buf_putc(b, '{');
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                buf_putc(b, ',');
            buf_json_string(b, o->members[i]->path_str, strlen(o->members[i]->path_str));
            buf_putc(b, ':');
            value_format_json(b, p, v.u.items[i], human);
        }
        buf_putc(b, '}');
        return;
    }
    }
}
