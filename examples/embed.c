/*
 * embed.c - using the svp library from your own C program, through the one
 * public header svp.h.   Usage:  embed POLICY.svp [RECORD.json ...]
 *
 * Compiles the policy, evaluates each record file named (or a built-in record
 * when none is), and prints for each the verdict, every finding and decision
 * (through the accessor functions) and the result as the JSON line `svp eval`
 * prints.
 * Exit status: 0 when every record was evaluated, whatever the verdicts (they
 * are in the output; an application decides what to do with them); 2 when the
 * policy does not compile or a file cannot be read.  (Unlike `svp eval`, so
 * that 1 under `valgrind --error-exitcode=1` means only a memory error.)
 * Build, in the sources (`make examples` does this, against build/include/):
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Iengine \
 *      examples/embed.c build/libsvp.a -lcjson -o build/embed
 * or against an installed svp (`make install`; tests/install/run.sh does it):
 *   cc -o embed examples/embed.c $(pkg-config --cflags --libs svp)
 */
#include <stdio.h>
#include <stdlib.h>

#include "svp.h"

/* Used when no record file is given: a works contract at tender stage whose
 * social value weighting (5%) is below the policy's 10% minimum. */
static const char builtin_record[] =
    "{\"id\": \"NELC-2025-0042\", \"title\": \"Resurfacing of the A180 approach roads\","
    " \"stage\": \"tender\", \"category\": \"works\", \"value\": \"420000.00\","
    " \"dates\": {\"engagement\": \"2025-01-14\", \"publication\": \"2025-03-03\"},"
    " \"weighting\": {\"price\": 60, \"quality\": 35, \"social_value\": 5},"
    " \"social_value\": {\"outcomes\": [\"strong_economy\", \"skills_learning\"]}}";

/* Read a whole file into a malloc'd buffer; NULL if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) { /* full: double the buffer and read on */
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Evaluate one record and print what came back. */
static void evaluate(svp_evaluator *ev, const char *name, const char *json, size_t len)
{
    /* Line 1: a single record, not a line of a batch.  false: no trace. */
    const svp_result *r = svp_evaluate(ev, json, len, 1, false);
    const char *id = svp_result_id(r); /* NULL when the record has no id */
    static const char *const verdict[] = {
        [SVP_COMPLIANT] = "compliant", [SVP_NONCOMPLIANT] = "NON-COMPLIANT", [SVP_INVALID] = "INVALID"};
    svp_status status = svp_result_status(r);
    printf("%s (%s): %s\n", name, id ? id : "no id", verdict[status]);

    if (status == SVP_INVALID) {
        /* No rule ran: say which field was at fault (NULL: not a JSON object). */
        const char *field = svp_result_error_field(r);
        printf("  %s%s%s\n", field ? field : "", field ? ": " : "", svp_result_error_message(r));
    }
    /* Findings come in policy order; an invalid record has none. */
    for (size_t i = 0; i < svp_result_finding_count(r); i++)
        printf("  %-7s %s: %s\n          cite: %s\n", svp_result_finding_severity(r, i),
               svp_result_finding_rule(r, i), svp_result_finding_message(r, i),
               svp_result_finding_cite(r, i));

    /* Decisions (none for an invalid record) and whether a rule fired, read
     * without parsing JSON: a decision's value as a person reads it, or
     * svp_result_decision_json for its JSON text. */
    for (size_t i = 0; i < svp_result_decision_count(r); i++) {
        const char *value = svp_result_decision_text(ev, r, i);
        printf("  decision %s: %s\n", svp_result_decision_name(r, i), value ? value : "(out of memory)");
    }
    if (status != SVP_INVALID)
        printf("  sv-weighting %s\n", svp_result_rule_fired(r, "sv-weighting") ? "fired" : "did not fire");

    /* The same result as JSON (newline included), owned by the evaluator. */
    size_t jlen;
    const char *out = svp_result_json(ev, r, &jlen);
    fputs("  json: ", stdout);
    fwrite(out, 1, jlen, stdout);
    /* Everything read from r stays valid only until the next svp_evaluate. */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: embed POLICY.svp [RECORD.json ...]\n", stderr);
        return 2;
    }
    /* 1. Compile the policy.  diags holds every diagnostic, warnings too,
     *    even when compiling succeeds; NULL allocator = the C library's. */
    svp_diagnostics *diags = NULL;
    svp_policy *policy = svp_policy_load(argv[1], NULL, &diags);
    if (diags && svp_diagnostics_count(diags) > 0) {
        char *text = svp_diagnostics_render(diags, false);
        if (text)
            fputs(text, stderr);
        svp_string_free(text);
    }
    svp_diagnostics_free(diags);
    if (!policy)
        return 2; /* it has errors: they were rendered above */
    printf("policy: %s %s\n", svp_policy_name(policy), svp_policy_version(policy));

    /* 2. An evaluator: scratch memory for one record at a time. */
    svp_evaluator *ev = svp_evaluator_new(policy, NULL);
    if (!ev) {
        svp_policy_free(policy);
        fputs("embed: out of memory\n", stderr);
        return 2;
    }

    /* 3. Evaluate each record in turn, reusing the one evaluator. */
    int status = 0;
    if (argc == 2)
        evaluate(ev, "(built-in record)", builtin_record, sizeof builtin_record - 1);
    for (int i = 2; i < argc; i++) {
        size_t len;
        char *json = read_file(argv[i], &len);
        if (json) {
            evaluate(ev, argv[i], json, len);
            free(json);
        } else {
            fflush(stdout); /* keep stdout and stderr in order in a pipe */
            fprintf(stderr, "embed: cannot read %s\n", argv[i]);
            status = 2;
        }
    }

    /* 4. Free: the evaluator before the policy it reads. */
    svp_evaluator_free(ev);
    svp_policy_free(policy);
    return status;
}
