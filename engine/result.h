/*
 * result.h - what evaluating one record produced, and every way of showing
 * it (internal).
 *
 * The evaluator (eval.c) fills in an svp_result: the verdict, the record's
 * slots (fields, then decisions), the findings and, for --explain, the
 * trace of every rule.  This module owns that struct: the public accessors
 * read it, and the renderers turn it into the JSON line of results.md or
 * text for a person.  Rendering only reads what evaluation left behind; it
 * never evaluates, and the evaluator never renders.
 *
 * The constant parts of every output line (JSON keys, the head and tail
 * of each rule's finding, the policy's name) are prepared once, when the
 * policy is compiled (result_prepare), and kept as this module's own data
 * beside the compiled policy, so that a batch spends its time on records.
 */
#ifndef SVP_RESULT_H
#define SVP_RESULT_H

#include "program.h"
#include "value.h"

/* A fired rule: which one, and its message (in the scratch arena). */
typedef struct Finding {
    const Rule *rule;
    uint32_t rule_index;  /* in p->rules; p->nrules + i for portfolio rule i */
    const char *message;
    uint8_t severity;     /* Severity: the rule's, or the one its condition chose */
} Finding;

/* One problem of an invalid record: the field at fault (NULL: the record
 * as a whole) and what is wrong. */
typedef struct Problem {
    const char *field;
    const char *message;
} Problem;

/* A rule that a record not complete yet cannot settle: the missing fields
 * it needs (field slots). */
typedef struct Undecided {
    const Rule *rule;
    const uint32_t *needs;
    uint32_t nneeds;
    uint8_t severity;     /* as for Finding */
} Undecided;

/* One rule's outcome, kept for --explain. */
typedef struct Trace {
    const Rule *rule;
    Val applies;         /* the `when` condition (true when there is none) */
    Val holds;           /* the requirement (absent when not evaluated) */
    bool fired;
} Trace;

struct svp_result {
    const svp_policy *policy;  /* the policy the record was evaluated under */
    svp_status status;
    const char *id;
    unsigned long line;
    const char *error_code;    /* invalid records: RESULT_ERROR_* */
    const char *error_field;
    const char *error_message;
    Finding *findings;
    size_t nfindings;
    Trace *trace;              /* NULL unless explain */
    const Val *slots;          /* fields then decisions; NULL when invalid */
    const Problem *errors;     /* invalid: every problem, in document order, then
                                  the missing required fields (errors[0] is error_*) */
    size_t nerrors;
    size_t errors_dropped;     /* problems past RECORD_MAX_PROBLEMS, counted only */
    bool partial;              /* evaluated as a record not complete yet */
    const char *const *missing; /* partial: required fields absent, as paths */
    size_t nmissing;
    const Undecided *undecided; /* partial: rules waiting for missing fields */
    size_t nundecided;
};

/* Why a record is invalid (svp_result_error_code). */
#define RESULT_ERROR_RECORD "record"         /* it breaks the record format */
#define RESULT_ERROR_NO_VERSION "no-version" /* dated before every version */
#define RESULT_ERROR_EVALUATION "evaluation" /* overflow or out of memory in the rules */

/* A prepared piece of output text, in the policy's arena. */
typedef struct Frag {
    const char *text;
    uint32_t len;
} Frag;

/* Everything result_prepare builds, once per policy. */
typedef struct ResultPieces {
    Frag *field_keys;     /* "path": by field slot */
    Frag *decision_keys;  /* "name": by decision index */
    Frag *rule_heads;     /* {"rule":"id","severity":"error","message": by rule index */
    Frag *rule_tails;     /* ,"cite":"...","because": by rule index */
    Frag policy;          /* ,"policy":{"name":...,"version":...},"compliant": */
} ResultPieces;

/* Prepare p->pieces from the checked policy p.  False when out of memory
 * (the policy's arena owns whatever was made). */
bool result_prepare(svp_policy *p);

/* The word for a rule's severity: "info", "warning" or "error". */
const char *result_severity_word(int severity);

/* Append "key":{"name":...,"version":...} naming policy p. */
void result_policy_json(Buf *b, const char *key, const svp_policy *p);

/* Append the opening of the JSON finding of rule rule_index (record rules
 * first, then portfolio rules) with message, up to and including
 * "because": -- the caller writes the because object and the closing
 * brace. */
void result_finding_open(Buf *b, const svp_policy *p, uint32_t rule_index, int severity, const char *message);

#endif
