/*
 * value.h - exact scalar values of the policy language: money, percent,
 * number, date.
 *
 * Every amount is a signed 64-bit count of small units: money in pence,
 * percent in hundredths of a per cent (10% is 1000), number in
 * ten-thousandths (2.5 is 25000, 0.125 FTE is 1250: VALUE_NUMBER_ONE).
 * Dates are days since 1970-01-01 in the proleptic Gregorian calendar.  Nothing here uses binary floating point, and every arithmetic
 * helper reports overflow instead of wrapping.
 *
 * The parsers take a pointer and a length (the text need not be
 * NUL-terminated) and return true on success.  Formatters append to a
 * caller-supplied buffer of at least SVP_VALUE_TEXT_MAX bytes and return the
 * number of bytes written, excluding the terminating NUL they always write.
 */
#ifndef SVP_VALUE_H
#define SVP_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A plain number is carried in ten-thousandths: the fractions of a
 * full-time job a policy counts (0.125, 0.0625) stay exact. */
#define VALUE_NUMBER_ONE 10000
#define VALUE_NUMBER_PLACES 4

/* Large enough for any formatted value, "£-92,233,720,368,547,758.08" etc. */
#define SVP_VALUE_TEXT_MAX 48

/* ---- Parsing decimal text ---------------------------------------------- */

/* Plain decimal as the record format writes it: digits, an optional point
 * and at most max_decimals digits after it (max_decimals is 0..2).  No sign,
 * exponent, spaces or separators; at least one digit before the point and
 * at least one after it if there is a point.  Stores the amount in
 * hundredths.  False when malformed or when it overflows int64. */
bool value_parse_decimal(const char *text, size_t len, int max_decimals,
                         int64_t *hundredths);

/* The same text read as a number of the policy language: at most
 * VALUE_NUMBER_PLACES decimals, stored in ten-thousandths ("0.125" is
 * 1250).  False when malformed or on overflow. */
bool value_parse_number(const char *text, size_t len, int64_t *tenthousandths);

/* A JSON number lexeme (RFC 8259 grammar: -?int frac? exp?), checked to
 * stand exactly for a whole number of hundredths: "150000", "149999.99",
 * "1e5", "1.5E2", "100000.010" and "0.125e1" are accepted (their exact
 * decimal value has at most two significant decimals), "100000.001" is
 * not.  Negative values are accepted here (sign is the caller's check).
 * False when the lexeme is malformed, is not a whole number of hundredths,
 * or overflows int64.  Works digit by digit on the text: no strtod. */
bool value_parse_json_number(const char *text, size_t len, int64_t *hundredths);

/* The same for a number field: the lexeme must stand exactly for a whole
 * number of ten-thousandths ("0.0625" is 625; "0.00001" is refused). */
bool value_parse_json_number4(const char *text, size_t len, int64_t *tenthousandths);

/* Policy-file money literal without the pound sign: "100,000", "350000",
 * "350,000.00", "0.50".  Commas, if any, must group the whole part in threes
 * ("1,000,000"; not "1,0000" or ",100"); pence, if any, are exactly two
 * digits.  Stores pence.  False when malformed or on overflow. */
bool value_parse_money_literal(const char *text, size_t len, int64_t *pence);

/* "YYYY-MM-DD", a real calendar date from 0001-01-01 to 9999-12-31 (leap
 * years honoured).  Stores days since 1970-01-01 (negative before). */
bool value_parse_date(const char *text, size_t len, int32_t *days);

/* ---- Formatting -------------------------------------------------------- */

/* "£1,234.56": pound sign (UTF-8), thousands separators, always two
 * decimals; negative amounts as "-£5.00". */
size_t value_format_money(int64_t pence, char *out);

/* "420000.00": no sign for positives, no separators, two decimals (the
 * form decisions use in JSON). */
size_t value_format_money_plain(int64_t pence, char *out);

/* Shortest exact form followed by '%': 1000 -> "10%", 1250 -> "12.5%",
 * 3333 -> "33.33%", 0 -> "0%", -50 -> "-0.5%". */
size_t value_format_percent(int64_t hundredths, char *out);

/* A number (ten-thousandths) in its shortest exact decimal form:
 * 40000 -> "4", 25000 -> "2.5", 500 -> "0.05", 1250 -> "0.125". */
size_t value_format_number(int64_t tenthousandths, char *out);

/* Hundredths in their shortest exact decimal form: 400 -> "4", 250 ->
 * "2.5", 5 -> "0.05" (amounts an import mapping reads, which are
 * hundredths whatever field they fill). */
size_t value_format_hundredths(int64_t hundredths, char *out);

/* "YYYY-MM-DD". */
size_t value_format_date(int32_t days, char *out);

/* ---- Checked arithmetic (false on overflow; *out untouched then) ------- */

bool value_add(int64_t a, int64_t b, int64_t *out);
bool value_sub(int64_t a, int64_t b, int64_t *out);

/* a (pence, hundredths of a per cent, or a number's ten-thousandths)
 * times the number b (ten-thousandths), in a's unit, rounded to the
 * nearest unit with halves away from zero: a * b / 10000.  Used for
 * number * number, money * number (to the penny) and percent * number
 * (to a hundredth of a per cent): £333.33 * 3 = £999.99, 0.125 * 0.5 =
 * 0.0625, 10% * 0.125 = 1.25%. */
bool value_mul(int64_t a, int64_t b, int64_t *out);

/* An amount (pence, or hundredths of a per cent) times a percent
 * (hundredths of a per cent), in the amount's unit, rounded to the nearest
 * penny or hundredth of a per cent with halves away from zero:
 * a * pct / 10000.  £333.33 * 10% = £33.33; £0.05 * 50% = £0.03;
 * 10% of 40% = 4%; 12.5% of 33.33% = 4.17% (4.16625). */
bool value_mul_percent(int64_t pence, int64_t pct, int64_t *out);

/* How a quotient that is not exact is rounded (the policy says which). */
typedef enum ValueRounding {
    VALUE_ROUND_DOWN,    /* towards minus infinity: 7 / 2 = 3, -7 / 2 = -4 */
    VALUE_ROUND_UP,      /* towards plus infinity: 7 / 2 = 4, -7 / 2 = -3 */
    VALUE_ROUND_NEAREST  /* to the nearest, halves away from zero: 7 / 2 = 4, -7 / 2 = -4 */
} ValueRounding;

/* a / b scaled by 10000 and rounded by mode: a * 10000 / b.  Every
 * division of the language is this one sum: money / number is money
 * (pence * 10000 / ten-thousandths), money / money a percent (hundredths
 * of a per cent), percent / percent a number (ten-thousandths), number /
 * number a number, money / percent money.  False when b is 0 or the result
 * overflows int64 (*out untouched then). */
bool value_div(int64_t a, int64_t b, ValueRounding mode, int64_t *out);

/* Whole months from date `from` to date `to` (days since 1970-01-01): the
 * largest m such that `from` moved on m calendar months, its day of the
 * month cut to the month's last day where the month is shorter, is not
 * after `to`.  2025-01-31 to 2025-02-28 is 1 month (one month after 31
 * January is 28 February); 2025-01-31 to 2025-02-27 is 0; 2025-04-01 to
 * 2027-03-31 is 23; 2025-04-01 to 2027-04-01 is 24.  When `to` is before
 * `from` the result is minus the months from `to` to `from`. */
int64_t value_months_between(int32_t from, int32_t to);

/* ---- Runtime values ------------------------------------------------------ */

/* A value while a record is evaluated.  A record is bound into an array of
 * Val, one per slot of the compiled policy (program.h); decisions are
 * computed into the slots after the fields; rules then read slots. */
typedef enum ValKind {
    VK_ABSENT,  /* missing or null, or unknown (an absent operand) */
    VK_BOOL,
    VK_INT,     /* money, percent, number (hundredths), date (days), enum (index) */
    VK_TEXT,
    VK_LIST,
    VK_OBJECT   /* an item of a list of objects: members in u.items */
} ValKind;

typedef struct Val {
    uint8_t kind;  /* ValKind */
    uint8_t type;  /* TypeKind (ast.h), for formatting */
    uint16_t ref;  /* enumeration index, for T_ENUM values and lists */
    uint32_t n;    /* text length, or number of items */
    union {
        bool b;
        int64_t i;
        const char *s;
        const struct Val *items;
    } u;
} Val;

/* Append v as a person reads it to b: "£1,234.56", "10%", "a, b",
 * "(none)" for an absent value or an empty list.  p names enumeration
 * members; it may be NULL only when v holds no enumeration value. */
void value_format_text(Buf *b, const struct svp_policy *p, Val v);

/* Append v as JSON to b.  Money, percentages, dates and enumeration
 * members are JSON strings: in the person's form ("£420,000.00", as
 * `because` shows them) when human, else plain ("420000.00", as decisions
 * show them).  Absent is null; lists are arrays; an object item is an
 * object keyed by member path. */
void value_format_json(Buf *b, const struct svp_policy *p, Val v, bool human);

#endif
