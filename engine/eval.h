/*
 * eval.h - runtime values, the evaluator and its results (internal).
 *
 * A record is bound into an array of Val, one per slot of the compiled
 * policy (program.h); decisions are computed into the slots after the
 * fields; rules then read slots.  Every Val a record needs lives in the
 * evaluator's scratch arena, which is reset before the next record, so
 * memory does not grow with a batch.
 */
#ifndef SVP_EVAL_H
#define SVP_EVAL_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "program.h"

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
    uint8_t type;  /* TypeKind, for formatting */
    uint16_t ref;  /* enumeration index, for T_ENUM values and lists */
    uint32_t n;    /* text length, or number of items */
    union {
        bool b;
        int64_t i;
        const char *s;
        const struct Val *items;
    } u;
} Val;

typedef struct Finding {
    const Rule *rule;
    const char *message; /* scratch arena */
} Finding;

/* One rule's outcome, kept for --explain. */
typedef struct Trace {
    const Rule *rule;
    Val applies;         /* the `when` condition (true when there is none) */
    Val holds;           /* the requirement (absent when not evaluated) */
    bool fired;
} Trace;

struct svp_result {
    svp_status status;
    const char *id;
    unsigned long line;
    const char *error_field;   /* invalid records */
    const char *error_message;
    Finding *findings;
    size_t nfindings;
    Trace *trace;              /* NULL unless explain */
    const Val *slots;          /* fields then decisions */
};

/* Where one JSON number of the record is written (see record.c). */
typedef struct NumberSpan {
    const char *text;
    uint32_t len;
} NumberSpan;

struct svp_evaluator {
    const svp_policy *p;
    const svp_allocator *alloc;
    Arena scratch;             /* per record */
    NumberSpan *numbers;       /* the numbers of the current record, in order */
    size_t nnumbers, cap_numbers;
    cJSON *tree;               /* the record being evaluated (texts point in) */
    Buf out;                   /* rendered result */
    Buf msg;                   /* a finding's message, while it is built */
    svp_result result;
    char error_field[512];
    char error_message[512];
    bool overflow;             /* arithmetic overflowed while evaluating */
    Val share;                 /* `share` while a portfolio rule is decided */
};

/* record.c: parse json and bind it into slots (nslots Vals); on failure
 * fills ev->error_field / ev->error_message and returns NULL. *id receives
 * the record's id when it has a text one. */
Val *record_bind(svp_evaluator *ev, const char *json, size_t len, const char **id);

/* eval.c: evaluate one expression over slots. */
Val eval_expr(svp_evaluator *ev, const Val *slots, const Expr *e);

/* eval.c: the message of fired rule r, in ev's scratch arena. */
const char *render_message(svp_evaluator *ev, const Val *slots, const Rule *r);

/* result.c: a value as a person reads it ("£1,234.56", "10%", "a, b"). */
void format_val(Buf *b, const svp_policy *p, Val v);
/* A value as JSON: money/percent as strings in person form when `human`
 * (because), else plain ("420000.00") as decisions show them. */
void format_val_json(Buf *b, const svp_policy *p, Val v, bool human);

#endif
