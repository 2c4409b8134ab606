/*
 * svp.h - the one public header of the svp library.
 *
 * svp compiles a social value policy written in the svp language and
 * evaluates procurement records (JSON) against it.  Embedding takes four
 * steps: compile a policy (svp_policy_load or svp_policy_compile), make an
 * evaluator, evaluate records one at a time, free.  The library never
 * prints and never exits: problems come back as diagnostics and results.
 *
 * Ownership: every object returned by an svp_*_new/load/compile/format call
 * is the caller's and goes back through the matching *_free.  Pointers read
 * out of a result stay valid until the next svp_evaluate on the same
 * evaluator.  Objects are not shared between threads; one evaluator per
 * thread over one policy is fine (a compiled policy is read-only).
 */
#ifndef SVP_H
#define SVP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Memory ------------------------------------------------------------ */

/* Every allocation of svp's own goes through one function, realloc-style:
 * size 0 frees p, p NULL allocates.  (The JSON reader, cJSON, allocates
 * with its own hooks: the C library's, unless the application sets others
 * with cJSON_InitHooks; when one of those fails, the record is reported as
 * not readable.)  old_size is the size p was allocated with.  Returning
 * NULL for a non-zero size is an allocation failure, which svp reports as an
 * error and cleans up after.  Pass NULL wherever an allocator is asked for
 * to use the C library's. */
typedef struct svp_allocator {
    void *(*realloc)(void *ctx, void *p, size_t old_size, size_t size);
    void *ctx;
} svp_allocator;

/* ---- Diagnostics ------------------------------------------------------- */

typedef enum svp_severity {
    SVP_NOTE,    /* context for the diagnostic before it */
    SVP_WARNING, /* the policy compiles, but something looks wrong */
    SVP_ERROR    /* the policy does not compile */
} svp_severity;

typedef struct svp_diagnostic {
    svp_severity severity;
    const char *code;    /* short stable code, e.g. "syntax", "unknown-name" */
    const char *message; /* one line, no trailing newline */
    unsigned line;       /* 1-based; 0 when the diagnostic has no place */
    unsigned column;     /* 1-based, in characters */
    size_t start, end;   /* byte span in the source */
    const char *file;    /* the file it is about, when not the list's own
                          * (a version set's diagnostics name each version's
                          * file); NULL otherwise */
    /* For a "did you mean" suggestion: the text to put in place of
     * [start, end) (NUL-terminated), else NULL.  Editors offer it as a
     * quick fix. */
    const char *replacement;
} svp_diagnostic;

typedef struct svp_diagnostics svp_diagnostics;

size_t svp_diagnostics_count(const svp_diagnostics *d);
const svp_diagnostic *svp_diagnostics_get(const svp_diagnostics *d, size_t i);
size_t svp_diagnostics_errors(const svp_diagnostics *d);
size_t svp_diagnostics_warnings(const svp_diagnostics *d);

/* Every diagnostic as a person reads it: "file:line:col: error: message",
 * the source line, and a caret line under the offending text.  Returns a
 * NUL-terminated string to release with svp_string_free, or NULL when out of
 * memory.  color adds ANSI colours (for terminals). */
char *svp_diagnostics_render(const svp_diagnostics *d, bool color);
void svp_diagnostics_free(svp_diagnostics *d);

/* Strings handed to the caller (rendered diagnostics, formatted text,
 * result JSON copies) always come from the C library's malloc, whatever
 * allocator was given; svp_string_free is free(). */
void svp_string_free(char *s);

/* s[0..n) made safe to show on a terminal: control characters (C0, DEL,
 * and C1, U+0080..U+009F) and bytes that are not UTF-8 are written as
 * \x1b, \u009b, \xff; everything else is kept.  For showing text that came
 * from a record or a policy (ids, field names, messages).  Returns a new
 * NUL-terminated string (svp_string_free), NULL when out of memory. */
char *svp_terminal_text(const char *s, size_t n);

/* ---- Policies ---------------------------------------------------------- */

typedef struct svp_policy svp_policy;

/* Compile policy source text.  name is what diagnostics call the file.
 * Returns the policy, or NULL when it has errors.  *diags (if diags is not
 * NULL) receives every diagnostic, warnings included, even on success; free
 * it with svp_diagnostics_free.  *diags is NULL only when even the
 * diagnostics could not be allocated. */
svp_policy *svp_policy_compile(const char *name, const char *text, size_t len,
                               const svp_allocator *alloc, svp_diagnostics **diags);

/* The most bytes of policy text svp reads (README, Limits). */
#define SVP_MAX_POLICY_BYTES (1u << 20)

/* The same, reading the file at path.  An unreadable file is an error
 * diagnostic with code "io" and line 0: so is anything but a regular file
 * (a FIFO, a device, a folder), refused without reading it; a file over
 * SVP_MAX_POLICY_BYTES is refused (code "limit") without reading it all. */
svp_policy *svp_policy_load(const char *path, const svp_allocator *alloc,
                            svp_diagnostics **diags);

/* Read a policy file as svp_policy_load does, without compiling it (for a
 * formatter, say).  Returns its text, NUL-terminated, from the C library's
 * malloc (svp_string_free), and its length in *len; or NULL, with the
 * reason in *diags (if diags is not NULL; svp_diagnostics_free). */
char *svp_policy_read(const char *path, size_t *len, svp_diagnostics **diags);

void svp_policy_free(svp_policy *p);

const char *svp_policy_name(const svp_policy *p);
const char *svp_policy_version(const svp_policy *p);
/* The date the policy takes effect, "YYYY-MM-DD". */
const char *svp_policy_effective(const svp_policy *p);
/* The month of its annual review, 1..12, or 0 when it names none. */
int svp_policy_review_month(const svp_policy *p);
/* The policy's rules, record rules first then portfolio rules, each in
 * policy order: id, citation (NULL when it cites nothing), and whether it
 * is a portfolio rule (over a whole register). */
size_t svp_policy_rule_count(const svp_policy *p);
const char *svp_policy_rule_id(const svp_policy *p, size_t i);
const char *svp_policy_rule_cite(const svp_policy *p, size_t i);
bool svp_policy_rule_is_portfolio(const svp_policy *p, size_t i);

/* The record fields that give a record its own date ("dated by"), in order
 * of preference: which version of a policy is in force for it. */
size_t svp_policy_dated_by_count(const svp_policy *p);
const char *svp_policy_dated_by(const svp_policy *p, size_t i);

/* Canonical layout of policy source text: returns a new NUL-terminated
 * string (svp_string_free) and its length in *out_len, or NULL when the
 * text does not parse (the reasons in *diags, as for svp_policy_compile). */
char *svp_format(const char *name, const char *text, size_t len,
                 const svp_allocator *alloc, svp_diagnostics **diags, size_t *out_len);

/* ---- Evaluating records ------------------------------------------------ */

typedef struct svp_evaluator svp_evaluator;
typedef struct svp_result svp_result;

typedef enum svp_status {
    SVP_COMPLIANT,     /* evaluated; no finding of severity error */
    SVP_NONCOMPLIANT,  /* evaluated; at least one error finding */
    SVP_INVALID,       /* the record breaks the record format: no rule ran */
    SVP_INCOMPLETE     /* SVP_EVAL_PARTIAL only: no error finding, but some rule
                          of severity error waits for a missing field */
} svp_status;

/* An evaluator holds the scratch memory for one record at a time; it reads
 * the policy, which must outlive it.  NULL when out of memory. */
svp_evaluator *svp_evaluator_new(const svp_policy *p, const svp_allocator *alloc);
void svp_evaluator_free(svp_evaluator *ev);

/* Evaluate one record given as JSON text (need not be NUL-terminated).
 * line is the record's line in its batch (1 for a single record), echoed
 * in the result of an invalid record.  explain asks for the trace of every
 * rule.  Never NULL: an invalid record, or running out of memory, is an
 * SVP_INVALID result saying what was wrong.  The result belongs to the
 * evaluator and is valid until its next svp_evaluate or svp_evaluator_free. */
const svp_result *svp_evaluate(svp_evaluator *ev, const char *json, size_t len,
                               unsigned long line, bool explain);

/* How to evaluate a record (svp_evaluate_with; flags may be combined). */
enum {
    SVP_EVAL_EXPLAIN = 1,          /* keep the trace of every rule (as explain) */
    SVP_EVAL_PARTIAL = 2,          /* a record not complete yet: a required field
                                      that is absent is listed (svp_result_missing),
                                      not a problem; a rule that cannot be settled
                                      without it is listed (svp_result_undecided)
                                      and neither fires nor passes */
    SVP_EVAL_PORTFOLIO_FIELDS = 4  /* read (and check) only the fields the policy's
                                      portfolio rules read, for svp_portfolio_add;
                                      the record rules are not run */
};

/* svp_evaluate with SVP_EVAL_* flags.  Under SVP_EVAL_PARTIAL the status
 * is SVP_NONCOMPLIANT when a rule of severity error fired on values the
 * record has, else SVP_INCOMPLETE when a rule of severity error is
 * undecided, else SVP_COMPLIANT; a field present with a wrong type or
 * value still makes the record SVP_INVALID.  This is what a form shows
 * while an officer types: what is missing, and which rules wait for it. */
const svp_result *svp_evaluate_with(svp_evaluator *ev, const char *json, size_t len,
                                    unsigned long line, unsigned flags);

/* svp_evaluate_with, for a record that another evaluator, from, has just
 * evaluated from the same text (the same json pointer and len, not
 * evaluated again or reset since): ev binds the record as from read it
 * instead of parsing the text a second time (svp impact evaluates each
 * record under two versions so).  The result is the one svp_evaluate_with
 * would give, byte for byte; its texts may point into from's record, so
 * it is valid until either evaluator evaluates another record or is reset
 * or freed.  When from has not read that text into a tree (it was not
 * JSON, say), or from is NULL or ev, ev reads the text itself. */
const svp_result *svp_evaluate_shared(svp_evaluator *ev, const svp_evaluator *from, const char *json,
                                      size_t len, unsigned long line, unsigned flags);

/* Let go of the last record evaluated (its result is no longer valid);
 * svp_evaluate does this itself, so this is only for a caller that wants
 * the record's memory back before it evaluates the next one. */
void svp_evaluator_reset(svp_evaluator *ev);

svp_status svp_result_status(const svp_result *r);
/* The line given to svp_evaluate. */
unsigned long svp_result_line(const svp_result *r);
/* The record's id, or NULL when it has none. */
const char *svp_result_id(const svp_result *r);
/* For an invalid record: the field path at fault (NULL when the record is
 * not a JSON object at all) and what was wrong with it. */
const char *svp_result_error_field(const svp_result *r);
const char *svp_result_error_message(const svp_result *r);
/* For an invalid record, every problem found, in document order, then the
 * missing required fields (the first is the one above): how many are
 * listed, and problem i's field (NULL: the record as a whole) and message.
 * At most 100 are listed; svp_result_errors_dropped counts the rest. */
size_t svp_result_error_count(const svp_result *r);
const char *svp_result_error_field_at(const svp_result *r, size_t i);
const char *svp_result_error_message_at(const svp_result *r, size_t i);
size_t svp_result_errors_dropped(const svp_result *r);

/* SVP_EVAL_PARTIAL: the required fields the record lacks (paths such as
 * "weighting.price" or "social_value.measures[0].unit"), in declaration
 * order; and the rules that wait for them: rule id, severity, and the
 * missing fields each needs. */
size_t svp_result_missing_count(const svp_result *r);
const char *svp_result_missing(const svp_result *r, size_t i);
size_t svp_result_undecided_count(const svp_result *r);
const char *svp_result_undecided_rule(const svp_result *r, size_t i);
const char *svp_result_undecided_severity(const svp_result *r, size_t i);
size_t svp_result_undecided_needs_count(const svp_result *r, size_t i);
const char *svp_result_undecided_need(const svp_result *r, size_t i, size_t k);

/* For an invalid record, why, as a short stable code: "record" (it breaks
 * the record format), "no-version" (an evaluator over a version set: the
 * record is dated before every version), "evaluation" (arithmetic
 * overflow or out of memory while the rules ran).  NULL when valid. */
const char *svp_result_error_code(const svp_result *r);
/* The policy the record was evaluated under: for an evaluator over a
 * version set, the version in force for it. */
const svp_policy *svp_result_policy(const svp_result *r);

size_t svp_result_finding_count(const svp_result *r);
/* Finding i (in policy order): rule id, severity ("error", "warning",
 * "info"), message and citation. */
const char *svp_result_finding_rule(const svp_result *r, size_t i);
const char *svp_result_finding_severity(const svp_result *r, size_t i);
const char *svp_result_finding_message(const svp_result *r, size_t i);
const char *svp_result_finding_cite(const svp_result *r, size_t i);

/* Whether the rule with this id fired for the record (false for an
 * invalid record, an unknown id or NULL). */
bool svp_result_rule_fired(const svp_result *r, const char *rule_id);

/* The decisions, in policy order: how many (0 for an invalid record: no
 * decision was made), decision i's name, and its title (NULL when the
 * policy gives none).  NULL when i is out of range. */
size_t svp_result_decision_count(const svp_result *r);
const char *svp_result_decision_name(const svp_result *r, size_t i);
const char *svp_result_decision_title(const svp_result *r, size_t i);
/* The index of the decision called name in *index: true when there is
 * one. */
bool svp_result_decision_find(const svp_result *r, const char *name, size_t *index);
/* True when decision i is a working value (`working decision`): it
 * computes others and shows in no result, so a program showing decisions
 * to a person leaves it out (svp test may still assert on it).  False
 * when i is out of range. */
bool svp_result_decision_working(const svp_result *r, size_t i);
/* Decision i's value as JSON text, exactly as the result's "decisions"
 * shows it (true, "Cabinet", "10%", "420000.00", null), or as a person
 * reads it (true, Cabinet, 10%, £420,000.00, (none)).  NUL-terminated;
 * owned by the evaluator and valid as long as the result.  NULL when i is
 * out of range or memory runs out. */
const char *svp_result_decision_json(svp_evaluator *ev, const svp_result *r, size_t i);
const char *svp_result_decision_text(svp_evaluator *ev, const svp_result *r, size_t i);

/* The result as one line of JSON (results.md), newline included, and its
 * length.  Owned by the evaluator, like the result. */
const char *svp_result_json(svp_evaluator *ev, const svp_result *r, size_t *len);

/* The result as text for a person: verdict, findings, decisions.
 * color adds ANSI colours.  Owned by the evaluator, like the result. */
const char *svp_result_text(svp_evaluator *ev, const svp_result *r, bool color, size_t *len);

/* ---- Versions of a policy ---------------------------------------------- */

/* True when text is a real calendar date written YYYY-MM-DD (0001-01-01
 * to 9999-12-31): the form of every date svp takes. */
bool svp_is_date(const char *text);

/* A version set: the compiled versions of one policy, each taking effect
 * on its own date.  Given several, svp evaluates each record under the
 * version in force on the record's own date.  The policies must outlive
 * the set, which only reads them. */
typedef struct svp_versions svp_versions;

/* Make a version set of policies[0, n), files[i] being what diagnostics
 * call policies[i] (its file), and check them against each other:
 *   - versions of different policies (their `policy` names differ) are an
 *     error, code "version-policy": they are not versions of one policy;
 *   - two versions taking effect on the same day are an error, code
 *     "version-same-day": which one is in force would be ambiguous;
 *   - when the review month of the newest version has come round since it
 *     took effect, as of today ("YYYY-MM-DD"; NULL: the date now, UTC),
 *     the review is due: a warning, code "review-due".
 * Each diagnostic names the file it is about (svp_diagnostic.file).
 * Returns the set, or NULL when there are errors, memory runs out, or an
 * argument is wrong (n is 0, a policy is NULL, today is not a date).
 * *diags (if diags is not NULL) receives every diagnostic, warnings
 * included, as for svp_policy_compile; it is NULL when the arguments are
 * wrong or memory runs out. */
svp_versions *svp_versions_new(const svp_policy *const *policies, const char *const *files, size_t n,
                               const char *today, const svp_allocator *alloc, svp_diagnostics **diags);
void svp_versions_free(svp_versions *v);
/* The versions, in the order given. */
size_t svp_versions_count(const svp_versions *v);
const svp_policy *svp_versions_get(const svp_versions *v, size_t i);

/* An evaluator over a version set (which must outlive it).  Each record is
 * evaluated under the version in force on its own date: the first of the
 * newest version's `dated by` fields that the record holds as a valid
 * date, else as_of ("YYYY-MM-DD"; NULL: the date now, UTC); the version in
 * force is the latest taking effect on or before that date.  The choice is
 * made while the record is parsed, once.  A record dated before every
 * version is an invalid result with error code "no-version", its error
 * field the `dated by` field that dated it (NULL when the date was
 * as_of).  svp_result_policy says which version a record was under.  NULL
 * when out of memory or as_of is not a date. */
svp_evaluator *svp_evaluator_new_versions(const svp_versions *v, const char *as_of, const svp_allocator *alloc);

/* ---- Portfolio rules: a whole register at once --------------------------- */

/* Some rules judge a register of procurements rather than one (the share of
 * money awarded to SMEs, say).  Evaluate each record with svp_evaluate as
 * usual, then hand the evaluator's result to svp_portfolio_add; at the end,
 * svp_portfolio_json or svp_portfolio_text says what the portfolio rules
 * found.  Invalid records are counted and otherwise left out.  Evaluating
 * with svp_evaluate_with(..., SVP_EVAL_PORTFOLIO_FIELDS) reads and checks
 * only the fields the portfolio rules read, so a register with just those
 * fields (from open data, say) counts, whatever else the policy requires. */
typedef struct svp_portfolio svp_portfolio;

svp_portfolio *svp_portfolio_new(const svp_policy *p, const svp_allocator *alloc);
void svp_portfolio_free(svp_portfolio *pf);

/* Count the record whose result ev holds now (from its last svp_evaluate);
 * ev must have evaluated it under pf's own policy. */
void svp_portfolio_add(svp_portfolio *pf, const svp_evaluator *ev);

/* Add what `from` has counted to `into` (both over the same policy), as
 * if every record added to `from` had been added to `into`: for a register
 * shared among threads, each with its own evaluator and portfolio.  Sums
 * are exact; a sum that overflowed in either, or overflows now, is an
 * overflow (for amounts that are never negative, as money in a record is
 * not, exactly as one portfolio over every record).  False, changing
 * nothing, when they are not over the same policy (or are the same). */
bool svp_portfolio_merge(svp_portfolio *into, const svp_portfolio *from);

/* How many portfolio rules the policy has (0: nothing to report). */
size_t svp_portfolio_rule_count(const svp_portfolio *pf);

/* The portfolio's status: SVP_INVALID when a rule's sums overflowed (no
 * share can be given: svp_portfolio_error says which), else
 * SVP_NONCOMPLIANT when some portfolio rule fired with severity error,
 * else SVP_COMPLIANT. */
svp_status svp_portfolio_status(svp_portfolio *pf);

/* Why the portfolio cannot be judged (a rule's sum overflowed 64 bits),
 * or NULL.  Owned by pf, valid until the next call on it. */
const char *svp_portfolio_error(svp_portfolio *pf);

/* The findings as one JSON object (newline included) or as text; owned by
 * pf, valid until the next call on it.  NULL when out of memory. */
const char *svp_portfolio_json(svp_portfolio *pf, size_t *len);
const char *svp_portfolio_text(svp_portfolio *pf, bool color, size_t *len);

/* ==== The record declaration, for a form (engine/describe.c) ============== */

/* The policy's record declaration as one JSON object (newline included),
 * so that a program can build a form with no field written by hand:
 *   {"policy":{"name","version","effective"}, "record": its name,
 *    "stage_field": the field `required from` compares (null: none),
 *    "id_field": the field echoed as a result's id (null: none),
 *    "fields": [FIELD, ...] in declaration order,
 *    "decisions": [{"name", "title" (or null)}, ...] and "rules": [{"id",
 *    "cite" (or null)}, ...], the record rules, in policy order}
 * where FIELD is {"path", "type" (text, number, money, percent, date,
 * boolean, enum or object), "list" (a `list of`), for an enumeration
 * "enum", "ordered" and "values", for an object "object" and "members"
 * (FIELDs), "required" (always), "required_from" (the stage it is
 * required from, or null), "default" (as the policy writes it, or null),
 * "label" and "help" (the field's texts, or null)}.  Returns a string to
 * release with svp_string_free and its length in *len (when len is not
 * NULL); NULL when out of memory. */
char *svp_policy_describe_record(const svp_policy *p, size_t *len);

/* ==== The April review: svp diff and svp impact (engine/diff.c) ========== */

/* One difference between two compiled versions of a policy, in canonical
 * form (expressions as `svp fmt` prints them; comments and layout are
 * never a difference).  kind names the sort of change, e.g.
 * "parameter-changed", "rule-added", "tier-changed" (README.md lists
 * them); name is what it concerns (a parameter, enumeration, field path,
 * decision or rule id, or a header item); aspect the part of it that
 * changed ("severity", "when", "requirement", "tier \"Cabinet\""), NULL
 * when the change is to the thing as a whole; old_value and new_value the
 * two versions as the text report shows them, NULL on the side where the
 * thing does not exist. */
typedef struct svp_change {
    const char *kind;
    const char *name;
    const char *aspect;
    const char *old_value;
    const char *new_value;
} svp_change;

typedef struct svp_diff svp_diff;

/* Compare two compiled policies (both must outlive the diff).  NULL when
 * out of memory. */
svp_diff *svp_diff_new(const svp_policy *old_policy, const svp_policy *new_policy,
                       const svp_allocator *alloc);
void svp_diff_free(svp_diff *d);

/* How many changes (0: the versions mean the same), and change i, in
 * report order: header, parameters, enumerations, record fields,
 * decisions, rules, portfolio rules. */
size_t svp_diff_count(const svp_diff *d);
const svp_change *svp_diff_get(const svp_diff *d, size_t i);

/* Every change as text for a committee report (a heading per section, one
 * change a line) or as one JSON object with a "changes" list (newline
 * included).  Owned by d, valid until the next call on it; NULL when out
 * of memory. */
const char *svp_diff_text(svp_diff *d, size_t *len);
const char *svp_diff_json(svp_diff *d, size_t *len);

/* What a new version does to a register: evaluate each record under both
 * versions (one evaluator over each), hand both evaluators to
 * svp_impact_add, and read the totals at the end.  A record changes when
 * its verdict, a decision (one both versions have, by name) or the set of
 * rules that fired (by id) differs; a record invalid under both changes
 * only when the error differs.  Memory does not grow with the register. */
typedef struct svp_impact svp_impact;

svp_impact *svp_impact_new(const svp_policy *old_policy, const svp_policy *new_policy,
                           const svp_allocator *alloc);
void svp_impact_free(svp_impact *im);

/* Compare the results old_ev (over the old policy) and new_ev (over the
 * new) hold now, from evaluating the same record, and count it.  True
 * when the record changed.  False, counting nothing, when the evaluators
 * are not over the impact's two policies. */
bool svp_impact_add(svp_impact *im, const svp_evaluator *old_ev, const svp_evaluator *new_ev);

/* What changed for the record last added, as one text line or one JSON
 * line (newline included; "" when it did not change).  Owned by im, valid
 * until the next svp_impact_add; NULL when out of memory. */
const char *svp_impact_record_text(svp_impact *im, size_t *len);
const char *svp_impact_record_json(svp_impact *im, size_t *len);

/* Add the totals `from` has counted to `into` (both over the same two
 * policies), as if every record added to `from` had been added to `into`:
 * for a register shared among threads.  False, changing nothing, when
 * their policies differ (or they are the same). */
bool svp_impact_merge(svp_impact *into, const svp_impact *from);

/* Records added so far, and how many of them changed. */
unsigned long svp_impact_records(const svp_impact *im);
unsigned long svp_impact_changed(const svp_impact *im);

/* The totals, per kind of change, as text or as one JSON line.  Owned by
 * im, valid until the next call on it; NULL when out of memory. */
const char *svp_impact_summary_text(svp_impact *im, size_t *len);
const char *svp_impact_summary_json(svp_impact *im, size_t *len);

/* ---- Figures for the report (engine/figures.c) ---------------------------- */

/* The figures a policy declares (`figure` in the language), worked out over
 * a register: give the versions the records are evaluated under (one policy,
 * or every version of a version set), evaluate each record as usual, then
 * hand the evaluator to svp_figures_add.  Each record is measured by the
 * figure of the same id in its own version; figures are reported as the
 * newest version (latest `effective`) declares them.  Invalid records are
 * left out.  NULL when out of memory or n is 0. */
typedef struct svp_figures svp_figures;

svp_figures *svp_figures_new(const svp_policy *const *versions, size_t n, const svp_allocator *alloc);
void svp_figures_free(svp_figures *f);
void svp_figures_add(svp_figures *f, const svp_evaluator *ev);
/* svp_figures_add in two halves, for a register evaluated on several
 * threads whose figures must come out as one thread's would (the groups
 * past the limit depend on the order records come in, so per-thread
 * figures cannot simply be added up).  On a thread's own svp_figures over
 * the same versions, svp_figures_measure works out what the record ev has
 * just evaluated adds to each figure (whether it counts, its amount, its
 * group) and returns it as bytes, *len of them, owned by f and valid until
 * its next call ("" with *len 0: the record counts in no figure; NULL:
 * out of memory).  svp_figures_add_measured counts those bytes into the
 * svp_figures that is reported; given every record's measure in input
 * order, it ends as svp_figures_add of every record in that order would.
 * False when the bytes are not a measure of f's versions. */
const char *svp_figures_measure(svp_figures *f, const svp_evaluator *ev, size_t *len);
bool svp_figures_add_measured(svp_figures *f, const char *measure, size_t len);

/* How many figures, and figure i's id, title (its id when it has none),
 * citation (NULL: none), measure ("count", "sum", "share") and grouping
 * (NULL: none; "month", "quarter", "year": a period of a date, in the
 * financial year April to March; "group": the values of an enumeration,
 * a true/false value or a text). */
size_t svp_figures_count(const svp_figures *f);
const char *svp_figure_id(const svp_figures *f, size_t i);
const char *svp_figure_title(const svp_figures *f, size_t i);
const char *svp_figure_cite(const svp_figures *f, size_t i);
const char *svp_figure_measure(const svp_figures *f, size_t i);
const char *svp_figure_grouping(const svp_figures *f, size_t i);
/* Figure i's groups, in order (an enumeration's members and a tiered
 * decision's texts as declared, periods by date), and how many records fell
 * in groups past the limit of 1000 (counted in the whole, not shown). */
size_t svp_figure_group_count(svp_figures *f, size_t i);
unsigned long long svp_figure_groups_dropped(const svp_figures *f, size_t i);

/* One figure's value, as a whole or in one group. */
typedef struct svp_figure_cell_value {
    const char *label;          /* the group; NULL for the whole figure */
    unsigned long long records; /* records counted */
    long long value;            /* count; sum (pence, hundredths of a per cent, or a number's
                                 * ten-thousandths); share (hundredths of a per cent) */
    long long part, total;      /* share: the amounts (in the sum's units) */
    bool known;                 /* false for a share of nothing, or an overflowing sum */
    const char *text;           /* value as a person reads it ("12", "£1,234.56", "63.36%"),
                                 * or as JSON wants it ("1234.56") */
    const char *part_text, *total_text;
} svp_figure_cell_value;

/* Figure i as a whole (g = SIZE_MAX) or group g, into *out; its texts are
 * owned by f and valid until the next call on it.  json asks for money
 * written plainly ("1234.56").  False when i or g is out of range. */
bool svp_figure_cell(svp_figures *f, size_t i, size_t g, bool json, svp_figure_cell_value *out);
/* Figure i's `target`, when it has one: its value and text.  The value is
 * in the cell's units (pence; hundredths of a per cent), except that a
 * count's target is a number, in ten-thousandths of a record (a target of
 * 12 is 120000). */
bool svp_figure_target(svp_figures *f, size_t i, bool json, long long *value, const char **text);
/* Every figure as a JSON array (no newline); owned by f, valid until the
 * next call on it; NULL when out of memory. */
const char *svp_figures_json(svp_figures *f, size_t *len);

/* For reports a person reads: rule i's title (numbered as for
 * svp_policy_rule_id; its id when it has none). */
const char *svp_policy_rule_title(const svp_policy *p, size_t i);

/* ==== Language knowledge for editors: `svp lsp` (engine/index.c) ======== */

/* An index of one policy text for an editor: its declarations (symbols),
 * every name that refers to one (references), and what to say about a
 * place in the text (hover, completion, rename).  It is built whatever the
 * errors: declarations that parsed are there, names the checker resolved
 * are references; a declaration a syntax error dropped is missing until the
 * error is fixed.  All places are byte offsets into the text given. */
typedef struct svp_index svp_index;

typedef enum svp_symbol_kind {
    SVP_SYMBOL_PARAMETER,
    SVP_SYMBOL_ENUM,
    SVP_SYMBOL_VALUE,          /* a value of an enumeration */
    SVP_SYMBOL_RECORD,
    SVP_SYMBOL_OBJECT,
    SVP_SYMBOL_FIELD,          /* of the record, or of an object */
    SVP_SYMBOL_DECISION,
    SVP_SYMBOL_RULE,
    SVP_SYMBOL_PORTFOLIO_RULE,
    SVP_SYMBOL_FIGURE,         /* a figure for the report */
    SVP_SYMBOL_TABLE           /* a table of lookup data */
} svp_symbol_kind;

typedef struct svp_symbol {
    svp_symbol_kind kind;
    const char *name;             /* as written: "sv_threshold", "dates.publication" */
    const char *detail;           /* one line: a value, a type, a title ("" when none) */
    size_t start, end;            /* the name */
    size_t decl_start, decl_end;  /* the whole declaration */
    size_t parent;                /* the enumeration of a value, the record or object
                                     of a field; SIZE_MAX for none */
} svp_symbol;

typedef struct svp_reference {
    size_t start, end;            /* the name as written there */
    size_t symbol;                /* the symbol it names */
    bool definition;              /* the declaration's own name */
} svp_reference;

/* Parse and check text (diagnostics in *diags exactly as svp_policy_compile
 * gives them) and index it.  NULL only when out of memory; *diags as for
 * svp_policy_compile. */
svp_index *svp_index_new(const char *name, const char *text, size_t len, const svp_allocator *alloc,
                         svp_diagnostics **diags);
void svp_index_free(svp_index *ix);

/* The compiled policy when the text has no errors (owned by the index),
 * else NULL. */
const svp_policy *svp_index_policy(const svp_index *ix);
/* True when a syntax error may have dropped part of the text. */
bool svp_index_has_syntax_errors(const svp_index *ix);

/* The symbols, in the order declared (a value after its enumeration, a
 * field after its record). */
size_t svp_index_symbol_count(const svp_index *ix);
const svp_symbol *svp_index_symbol(const svp_index *ix, size_t i);

/* The references, definitions included, in text order. */
size_t svp_index_reference_count(const svp_index *ix);
const svp_reference *svp_index_reference(const svp_index *ix, size_t i);
/* The reference whose name covers offset (or ends there: the cursor just
 * after a name), NULL when none. */
const svp_reference *svp_index_reference_at(const svp_index *ix, size_t offset);

/* What to show for the place at offset, as Markdown: a parameter's value
 * and comment, a field's type and when it is required, an enumeration's
 * values, a decision's or rule's title and citation, a keyword's meaning.
 * NULL when there is nothing to say (or out of memory); else a string for
 * svp_string_free, and [*start, *end) the text it is about. */
char *svp_index_hover(const svp_index *ix, size_t offset, size_t *start, size_t *end);

/* Why symbol may not be renamed to new_name, written into why; NULL when it
 * may (then every reference to it, definition included, is what changes).
 * Only parameters and decisions are renamed; the new name must be a name,
 * not a keyword, and not taken; a text with syntax errors is not renamed
 * (a dropped declaration's uses would be missed). */
const char *svp_index_rename_refusal(const svp_index *ix, size_t symbol, const char *new_name, char *why,
                                     size_t size);

typedef enum svp_completion_kind {
    SVP_COMPLETE_FIELD,
    SVP_COMPLETE_PARAMETER,
    SVP_COMPLETE_DECISION,
    SVP_COMPLETE_VALUE,
    SVP_COMPLETE_KEYWORD,
    SVP_COMPLETE_SNIPPET,         /* insert is a snippet: $1, ${2:text} */
    SVP_COMPLETE_TABLE            /* a table: insert is its name and `[` */
} svp_completion_kind;

typedef struct svp_completion {
    svp_completion_kind kind;
    const char *label;
    const char *detail;
    const char *insert;
} svp_completion;

typedef struct svp_completions svp_completions;

/* What may be written at offset, starting with what is typed there: after
 * a path prefix ("weighting.") the fields under it; after a comparison with
 * (or `in [` of) an enumeration field, its values; at the start of a line,
 * the keywords that start a declaration or clause and a snippet for a new
 * rule; elsewhere fields, parameters, decisions in scope, enumeration
 * values and keywords.  NULL when out of memory. */
svp_completions *svp_index_complete(const svp_index *ix, size_t offset);
size_t svp_completions_count(const svp_completions *c);
const svp_completion *svp_completions_get(const svp_completions *c, size_t i);
/* Where the text each completion replaces starts (it ends at offset). */
size_t svp_completions_start(const svp_completions *c);
void svp_completions_free(svp_completions *c);
/* ==== Importing: svp import (engine/mapping.c, import.c) ================= */

/* A mapping says, in the policy language, how a source (OCDS notices, a
 * CSV register) fills the record of the policy its header names (`into`,
 * relative to the mapping file).  Loading compiles both; the policy's own
 * diagnostics, if it fails, come back in *policy_diags.  NULL when either
 * has errors (*diags says what; both lists are the caller's to free, and
 * either may be NULL). */
typedef struct svp_mapping svp_mapping;

/* True when text is a mapping (its first word is `import`), not a policy. */
bool svp_text_is_mapping(const char *text, size_t len);
svp_mapping *svp_mapping_load(const char *path, const svp_allocator *alloc, svp_diagnostics **diags,
                              svp_diagnostics **policy_diags);
svp_mapping *svp_mapping_compile(const char *name, const char *text, size_t len, const svp_allocator *alloc,
                                 svp_diagnostics **diags, svp_diagnostics **policy_diags);
void svp_mapping_free(svp_mapping *m);
/* The path of the policy it fills, and that policy (owned by the mapping). */
const char *svp_mapping_policy_path(const svp_mapping *m);
const svp_policy *svp_mapping_policy(const svp_mapping *m);

/* An import: read inputs, hand each record (one JSON line, newline
 * included) or each item left out (the input, the item: "ocid X" or
 * "line N", and the reason) to the sink.  OCDS procurements are written
 * by svp_import_finish, once every release of every input is read (their
 * releases are merged in date order); CSV rows as they are read. */
typedef struct svp_import_sink {
    void (*record)(void *ctx, const char *json, size_t len);
    void (*left_out)(void *ctx, const char *input, const char *item, const char *reason);
    void *ctx;
} svp_import_sink;

typedef struct svp_import svp_import;

svp_import *svp_import_new(const svp_mapping *m, const svp_import_sink *sink, const svp_allocator *alloc);
/* Read one input to its end.  False when it cannot be read at all (not
 * JSON, no header row, a column the mapping names is missing, a read
 * error): *error says why (valid until the next call). */
bool svp_import_read(svp_import *im, FILE *in, const char *name, const char **error);
void svp_import_finish(svp_import *im);
unsigned long svp_import_written(const svp_import *im);
unsigned long svp_import_left_out(const svp_import *im);
/* "procurements" or "rows": what the items of this mapping's source are. */
const char *svp_import_item_word(const svp_import *im);
void svp_import_free(svp_import *im);

#ifdef __cplusplus
}
#endif

#endif
