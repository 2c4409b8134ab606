/*
 * eval.h - the evaluator: its state, and evaluating expressions, decisions
 * and rules over a bound record (internal; eval.c).
 *
 * A record is bound (record.c) into an array of Val, one per slot of the
 * compiled policy (program.h); decisions are computed into the slots after
 * the fields; rules then read slots, and what they found goes into the
 * evaluator's svp_result (result.h), which result.c renders.  Every Val a
 * record needs lives in the evaluator's scratch arena, which is reset
 * before the next record, so memory does not grow with a batch.
 */
#ifndef SVP_EVAL_H
#define SVP_EVAL_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "program.h"
#include "result.h"
#include "value.h"

/* Where one JSON number of the record is written (see record.c). */
typedef struct NumberSpan {
    const char *text;
    uint32_t len;
} NumberSpan;

struct svp_evaluator {
    const svp_policy *p;       /* the policy, or the version the record is under */
    const struct svp_versions *versions; /* a version set (versions.h), or NULL */
    int32_t as_of;             /* with versions: the date of an undated record */
    const char *error_code;    /* why the record is invalid (result.h) */
    const svp_allocator *alloc;
    Arena scratch;             /* per record */
    NumberSpan *numbers;       /* the numbers of the current record, in order */
    size_t nnumbers, cap_numbers;
    cJSON *tree;               /* the record being evaluated, when cJSON read it (texts point in) */
    const cJSON *root;         /* the record's tree, wherever it lives (tree, the scratch
                                * arena, or another evaluator's: svp_evaluate_shared); NULL
                                * when the text was not read into one; until reset */
    const char *root_text;     /* the text root was read from, and its length */
    size_t root_len;
    Val *bound;                /* the slots binding gave the record (NULL: refused) ... */
    bool bound_ok;             /* ... once binding has run to its end */
    Buf signature;             /* what binding under p depends on (record.c), made once */
    Buf out;                   /* a rendered result (result.c writes it) */
    Buf msg;                   /* a finding's message while it is built; after the
                                * rules, a decision's value while result.c renders it */
    svp_result result;
    char error_field[512];
    char error_message[512];
    unsigned flags;            /* SVP_EVAL_* of the record being evaluated */
    Problem *problems;         /* every problem of an invalid record (record.c) */
    size_t nproblems, problems_dropped;
    const char **missing;      /* partial: the required fields absent (paths) */
    size_t nmissing;
    uint8_t *missing_slot;     /* partial: 1 for each field slot that is missing */
    Problem single_problem;    /* the one problem of a record refused whole */
    bool overflow;             /* arithmetic overflowed while evaluating */
    Val share;                 /* `share` while a portfolio rule is decided */
    const Val *item;           /* the item an E_EACH is at (its members), or NULL */
    const Expr *div_zero;      /* the division by zero that stopped the record, or NULL */
};

/* Evaluate expression e over slots (NULL for a portfolio rule's final
 * requirement, which reads only `share` and parameters).  Overflow and
 * running out of scratch memory set ev->overflow and give an absent value. */
Val eval_expr(svp_evaluator *ev, const Val *slots, const Expr *e);

/* The message of fired rule r, in ev's scratch arena ("" and
 * ev->overflow set when out of memory). */
const char *eval_message(svp_evaluator *ev, const Val *slots, const Rule *r);

#endif
