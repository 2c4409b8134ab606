/*
 * program.h - the compiled form of a policy, shared by the checker (which
 * builds it) and the evaluator (which runs it).
 *
 * The checker resolves every name in the syntax tree to a slot: record
 * fields are numbered in declaration order, decisions after them, so one
 * array of values per record holds everything a rule can read.  Binding a
 * JSON record walks `shape`, a tree of the declared paths, and stores each
 * field's value in its slot once; rules then read slots, never names.
 */
#ifndef SVP_PROGRAM_H
#define SVP_PROGRAM_H

#include "ast.h"
#include "svp.h"

/* One node of the binding tree: an object key and where its value goes. */
typedef struct Shape {
    const char *key;         /* NUL-terminated JSON key */
    uint32_t key_len;
    int32_t slot;            /* field slot (or object member index), -1 for a parent */
    Field *field;            /* the declaration, when slot >= 0 */
    struct Shape *children;  /* array, for a parent */
    uint32_t nchildren;
} Shape;

/* An object type, the items of a "list of OBJECT" field. */
typedef struct ObjectType {
    RecordDecl *decl;
    Field **members;         /* by member index */
    uint32_t nmembers;
    Shape root;              /* paths of the members within one item */
} ObjectType;

struct svp_policy {
    const svp_allocator *alloc;
    Arena arena;             /* owns everything below, AST included */
    char *source;            /* NUL-terminated copy of the policy text */
    size_t source_len;
    Policy ast;

    const char *name, *version, *source_doc; /* decoded header texts */
    int32_t effective;       /* days since 1970-01-01 */
    int review_month;        /* 1..12, 0 when not given */

    EnumDecl **enums;        /* by index (Type.ref of T_ENUM) */
    uint32_t nenums;
    ObjectType *objects;     /* by index (Type.ref of T_OBJECT) */
    uint32_t nobjects;
    RecordDecl *record;      /* the input record */
    Field **fields;          /* by slot */
    uint32_t nfields;
    Shape root;              /* binding tree of the record */
    int32_t stage_slot;      /* field that "required from X" compares, -1 */
    Param **params;
    uint32_t nparams;
    Decision **decisions;    /* decision i lives in slot nfields + i */
    uint32_t ndecisions;
    Rule **rules;            /* record rules, in policy order */
    uint32_t nrules;
    Rule **portfolio;        /* portfolio rules (over a register), in order */
    uint32_t nportfolio;
    Rule **figures;          /* figures for the report, in order */
    uint32_t nfigures;
    uint32_t nslots;         /* nfields + ndecisions */
    uint32_t id_slot;        /* the field echoed as "id" in results, or UINT32_MAX */
    const char **dated_by;   /* paths of the record's own dates ("dated by") */
    uint32_t ndated_by;
    char effective_text[11]; /* "YYYY-MM-DD" */
    struct ResultPieces *pieces; /* output prepared by result_prepare (result.h) */
    uint8_t *portfolio_reads;    /* by field slot: 1 when a portfolio rule reads it */
    TableDecl **tables;          /* lookup tables, by index (Expr.ref of E_LOOKUP) */
    uint32_t ntables;
};

/* policy.c: parse and check text into a policy that is kept whatever the
 * diagnostics (added to d) say, for editors (engine/index.c): the tree and
 * the checker's tables describe every declaration that parsed.  *ok says
 * whether it compiled (no errors: analysed and ready to evaluate).  NULL
 * when the source was refused (too large, a NUL byte) or out of memory. */
svp_policy *policy_analyse(const char *text, size_t len, const svp_allocator *alloc, svp_diagnostics *d, bool *ok);

#endif
