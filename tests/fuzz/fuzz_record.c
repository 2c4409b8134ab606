/*
 * fuzz_record.c - libFuzzer harness: any bytes as a procurement record.
 *
 * The council's policy is compiled once, on the first input, and one
 * evaluator over it is reused for every input, as a batch evaluation does
 * (svp.h: the result belongs to the evaluator until its next svp_evaluate).
 * So nothing is freed per input: the policy and the evaluator stay
 * reachable from statics until the process ends, and a leak report means
 * svp lost memory of its own.
 *
 * Each input is also evaluated under a version set (the policy and a copy
 * in force from 2030), which picks the version by the record's date.
 *
 * Each input is evaluated twice, without and with explain (line 1, then
 * the largest line number, which invalid results echo), and each time the
 * result is read through every accessor and rendered with svp_result_json
 * and svp_result_text (plain and coloured), reading every byte returned.
 * Both results also go to a portfolio made for this input (a register of
 * the record twice), whose JSON and text are rendered before it is freed:
 * the one thing made and freed per input.
 *
 * Where the policy comes from: it is READ AT INIT, not embedded, so the
 * harness always fuzzes the policy as it is in the repository.  The path is
 *   $SVP_FUZZ_POLICY                   when that is set, else
 *   SVP_FUZZ_POLICY_PATH               a compile-time string (run.sh passes
 *                                      the absolute path in the checkout), else
 *   policies/nelc-social-value.svp     relative: run from the repository root.
 * If the policy cannot be compiled the harness prints the diagnostics and
 * exits with status 2 before fuzzing anything.
 *
 * SVP_FUZZ_ORACLES=1 also checks what the API promises: the JSON result
 * (and the portfolio's JSON) is one line of valid JSON ending in a newline, explain changes neither the
 * verdict nor the findings, and an invalid result has a message.
 *
 * Build: as fuzz_policy.c (see run.sh); without libFuzzer, link it with
 * tests/fuzz/replay.c.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "svp.h"
#include "fuzz_alloc.h"

#ifndef SVP_FUZZ_POLICY_PATH
#define SVP_FUZZ_POLICY_PATH "policies/nelc-social-value.svp"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FuzzAlloc fuzz_alloc;
static svp_policy *policy;
static svp_evaluator *evaluator;
/* The policy and a later version of it (the same text, in force from
 * 2030), and an evaluator that picks between them by the record's date. */
static svp_policy *later;
static svp_versions *versions;
static svp_evaluator *by_date;
static int oracles;

/* The version set, when the policy's text names the date it takes effect
 * (the council's does): a copy taking effect in 2030 is the later version. */
static void init_versions(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char text[1 << 20];
    size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[len] = '\0';
    char *at = strstr(text, "effective ");
    if (!at || len < 20)
        return;
    memcpy(at + strlen("effective "), "2030-04-01", 10);
    later = svp_policy_compile("later.svp", text, len, &fuzz_alloc.api, NULL);
    const svp_policy *both[2] = {policy, later};
    const char *const files[2] = {"policy.svp", "later.svp"};
    versions = later ? svp_versions_new(both, files, 2, "2025-01-01", &fuzz_alloc.api, NULL) : NULL;
    by_date = versions ? svp_evaluator_new_versions(versions, "2025-01-01", &fuzz_alloc.api) : NULL;
}

static void init(void)
{
    fuzz_alloc_init(&fuzz_alloc, 0);
    oracles = fuzz_env_flag("SVP_FUZZ_ORACLES");
    const char *path = getenv("SVP_FUZZ_POLICY");
    if (!path || !*path)
        path = SVP_FUZZ_POLICY_PATH;
    svp_diagnostics *d = NULL;
    policy = svp_policy_load(path, &fuzz_alloc.api, &d);
    if (!policy) {
        char *text = d ? svp_diagnostics_render(d, false) : NULL;
        fprintf(stderr, "fuzz_record: cannot compile the policy %s (run from the repository root, or set "
                        "SVP_FUZZ_POLICY):\n%s", path, text ? text : "out of memory\n");
        svp_string_free(text);
        svp_diagnostics_free(d);
        exit(2);
    }
    svp_diagnostics_free(d);
    init_versions(path);
    evaluator = svp_evaluator_new(policy, &fuzz_alloc.api);
    if (!evaluator) {
        fprintf(stderr, "fuzz_record: out of memory making the evaluator\n");
        exit(2);
    }
}

/* Read every accessor of a result (ev: the evaluator that made it). */
static void exercise_result(svp_evaluator *ev, const svp_result *r)
{
    svp_status status = svp_result_status(r);
    if (status != SVP_COMPLIANT && status != SVP_NONCOMPLIANT && status != SVP_INVALID)
        abort();
    (void)svp_result_line(r);
    fuzz_touch_str(svp_result_id(r));
    fuzz_touch_str(svp_result_error_field(r));
    const char *message = svp_result_error_message(r);
    fuzz_touch_str(message);
    if (oracles)
        FUZZ_REQUIRE((status == SVP_INVALID) == (message != NULL), "status %d with error message %s",
                     (int)status, message ? message : "(none)");
    size_t n = svp_result_finding_count(r);
    for (size_t i = 0; i < n; i++) {
        fuzz_touch_str(svp_result_finding_rule(r, i));
        fuzz_touch_str(svp_result_finding_severity(r, i));
        fuzz_touch_str(svp_result_finding_message(r, i));
        fuzz_touch_str(svp_result_finding_cite(r, i));
    }
    /* One past the end: the accessors must not read out of bounds. */
    fuzz_touch_str(svp_result_finding_rule(r, n));
    fuzz_touch_str(svp_result_error_code(r));
    (void)svp_result_rule_fired(r, "sv-weighting");
    size_t nd = svp_result_decision_count(r);
    for (size_t i = 0; i <= nd; i++) {
        fuzz_touch_str(svp_result_decision_name(r, i));
        fuzz_touch_str(svp_result_decision_title(r, i));
        fuzz_touch_str(svp_result_decision_json(ev, r, i));
        fuzz_touch_str(svp_result_decision_text(ev, r, i));
    }
}

/* The JSON line must be valid JSON: one object, one trailing newline. */
static void check_json(const char *json, size_t len)
{
    FUZZ_REQUIRE(len > 0 && json[len - 1] == '\n', "the JSON result does not end in a newline");
    FUZZ_REQUIRE(memchr(json, '\n', len - 1) == NULL, "the JSON result is more than one line");
    FUZZ_REQUIRE(strlen(json) == len, "the JSON result's length %zu is not its text's %zu", len, strlen(json));
    cJSON *root = cJSON_ParseWithLength(json, len);
    FUZZ_REQUIRE(root != NULL && cJSON_IsObject(root), "the JSON result does not parse: %.*s", (int)len, json);
    cJSON_Delete(root);
}

static svp_status evaluate(svp_evaluator *ev, const char *json, size_t size, bool explain, size_t *findings,
                           svp_portfolio *pf)
{
    const svp_result *r = svp_evaluate(ev, json, size, explain ? ULONG_MAX : 1, explain);
    if (!r)
        abort(); /* svp.h: never NULL */
    if (pf)
        svp_portfolio_add(pf, ev);
    exercise_result(ev, r);
    size_t len = 0;
    const char *out = svp_result_json(ev, r, &len);
    if (out) {
        fuzz_touch(out, len);
        if (oracles)
            check_json(out, len);
    }
    for (int color = 0; color < 2; color++) {
        len = 0;
        out = svp_result_text(ev, r, color, &len);
        if (out)
            fuzz_touch(out, len);
    }
    *findings = svp_result_finding_count(r);
    return svp_result_status(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!evaluator)
        init();
    const char *json = (const char *)data;
    size_t plain_findings = 0, explained_findings = 0;
    /* A register of two records, this one twice, for the portfolio rules. */
    svp_portfolio *pf = svp_portfolio_new(policy, &fuzz_alloc.api);
    svp_status plain = evaluate(evaluator, json, size, false, &plain_findings, pf);
    svp_status explained = evaluate(evaluator, json, size, true, &explained_findings, pf);
    if (by_date) { /* the same record, its version picked by its date */
        size_t dated_findings = 0;
        (void)evaluate(by_date, json, size, false, &dated_findings, NULL);
    }
    if (pf) {
        (void)svp_portfolio_rule_count(pf);
        svp_status status = svp_portfolio_status(pf);
        if (status != SVP_COMPLIANT && status != SVP_NONCOMPLIANT)
            abort();
        size_t len = 0;
        const char *out = svp_portfolio_json(pf, &len);
        if (out) {
            fuzz_touch(out, len);
            if (oracles)
                check_json(out, len);
        }
        for (int color = 0; color < 2; color++) {
            len = 0;
            out = svp_portfolio_text(pf, color, &len);
            if (out)
                fuzz_touch(out, len);
        }
        svp_portfolio_free(pf);
    }
    if (oracles)
        FUZZ_REQUIRE(plain == explained && plain_findings == explained_findings,
                     "explain changed the verdict (%d -> %d) or the findings (%zu -> %zu)", (int)plain,
                     (int)explained, plain_findings, explained_findings);
    return 0;
}
