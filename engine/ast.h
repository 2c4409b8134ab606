/*
 * ast.h - the syntax tree of a policy file, as the parser builds it and the
 * checker annotates it.
 *
 * Every node lives in the compile's arena and carries its byte span in the
 * source.  Names are not resolved by the parser: the checker fills in the
 * `type` and `ref` of each expression, after which the evaluator walks the
 * same tree (see program.h for what the checker adds around it).
 */
#ifndef SVP_AST_H
#define SVP_AST_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "diag.h"

typedef struct Span {
    uint32_t start, end; /* byte offsets: [start, end) */
} Span;

/* A piece of source text: points into the compile's copy of the source. */
typedef struct Name {
    const char *text;
    uint32_t len;
    Span span;
} Name;

/* ---- Types ------------------------------------------------------------- */

typedef enum TypeKind {
    T_ERROR,   /* already reported: suppresses follow-on errors */
    T_BOOL,
    T_MONEY,
    T_PERCENT,
    T_NUMBER,
    T_DATE,
    T_TEXT,
    T_ENUM,    /* ref: index of the enumeration */
    T_OBJECT,  /* ref: index of the object declaration */
    T_LIST,    /* elem and ref describe the items */
    T_GROUP    /* a path prefix naming several boolean fields */
} TypeKind;

typedef struct Type {
    uint8_t kind; /* TypeKind */
    uint8_t elem; /* TypeKind of the items, for T_LIST */
    uint16_t ref; /* enum or object index, for T_ENUM/T_OBJECT or their lists */
} Type;

/* ---- Expressions ------------------------------------------------------- */

typedef enum ExprKind {
    E_BOOL, E_MONEY, E_PERCENT, E_NUMBER, E_DATE, E_TEXT, /* literals */
    E_NAME,     /* a name or dotted path, resolved by the checker */
    E_LIST,     /* [a, b, c] */
    E_NOT,      /* not a */
    E_AND, E_OR,
    E_EQ, E_NE, E_LT, E_LE, E_GT, E_GE,
    E_ADD, E_SUB, E_MUL,
    E_IN,       /* a in b */
    E_PRESENT,  /* a is present */
    E_BLANK,    /* a is blank */
    E_IF,       /* if a then b else c */
    E_COUNT,    /* count of a */
    E_SUM,      /* sum of a */
    E_ALL,      /* all of a are <flag> */
    E_ANY,      /* any of a are <flag> */
    E_NAMES,    /* names of a that are <flag> */
    E_SHARE,    /* a portfolio rule's share (see Rule) */
    E_FIRST,    /* first of a: import mappings only (engine/mapping.c) */
    E_LOOKUP,   /* table[a]: text names the table (engine/table.c) */
    E_EACH,     /* over the items of list a: num says which (E_COUNT, E_ANY,
                   E_ALL with b the condition; E_SUM with b the amount) */
    /* Units (README, "Units: division, dates apart, min and max"). */
    E_DIV,      /* a / b rounded ...: num is the ValueRounding, or DIV_UNSTATED */
    E_DAYS,     /* days from a to b */
    E_MONTHS,   /* months from a to b (whole calendar months) */
    E_MIN,      /* min(a, b, ...): items */
    E_MAX       /* max(a, b, ...): items */
} ExprKind;

/* E_DIV's num when the division says no rounding (an error the checker
 * reports with how to write it). */
#define DIV_UNSTATED (-1)

/* What a resolved name refers to. */
typedef enum RefKind {
    R_NONE,
    R_FIELD,     /* index: field slot */
    R_PARAM,     /* index: parameter */
    R_DECISION,  /* index: decision slot */
    R_MEMBER,    /* index: member index within enum `type.ref` */
    R_GROUP,     /* index: first field slot; count: how many */
    R_PROJECT,   /* index: list field slot; member: object member */
    R_ITEM,      /* member: a member of the item an E_EACH is at */
    R_TABLE      /* E_LOOKUP: index of the table */
} RefKind;

/* Deeper expressions are refused: every pass over an expression (checker,
 * evaluator, formatter) recurses, and its stack must stay small. */
#define AST_MAX_EXPR_DEPTH 200

typedef struct Expr Expr;
typedef struct ExprList {
    Expr *expr;
    struct ExprList *next;
    struct ExprList *last; /* in the first item: the last, for appending */
} ExprList;

struct Expr {
    uint8_t kind;     /* ExprKind */
    bool flag;        /* E_ALL/E_ANY/E_NAMES: the truth value asked for;
                         E_PRESENT/E_BLANK: negated ("is not");
                         E_IN: negated ("not in") */
    bool parens;      /* written in parentheses (kept by the formatter) */
    uint16_t depth;   /* levels of nesting below and including this node */
    Span span;
    Expr *a, *b, *c;  /* operands */
    ExprList *items;  /* E_LIST */
    int64_t num;      /* literal amounts (hundredths), dates (days) */
    Name text;        /* E_NAME: the name; E_TEXT: the raw literal */
    const char *str;  /* E_TEXT: decoded value (NUL-terminated) */
    /* Filled in by the checker. */
    Type type;
    uint8_t ref_kind; /* RefKind */
    uint16_t ref_count;
    uint16_t ref_member;
    uint32_t ref;
    const uint32_t *group; /* R_GROUP: the ref_count field slots */
};

/* ---- Declarations ------------------------------------------------------ */

typedef struct Param {
    Name name;
    Expr *value;       /* a literal */
    bool used;         /* set by the checker */
    struct Param *next;
} Param;

typedef struct EnumDecl {
    Name name;
    bool ordered;      /* "in order": members compare by position */
    Name *members;
    uint32_t count;
    struct EnumDecl *next;
} EnumDecl;

typedef struct Field {
    Name path;         /* "weighting.social_value" */
    Name type_name;    /* "percent", an enum or an object name */
    bool is_list;      /* "list of ..." */
    bool required;
    Name from;         /* "required from tender": the stage member (len 0: always) */
    Expr *dflt;        /* "default false", or NULL */
    Name label, help;  /* `label "..."`, `help "..."`: raw string literals, len 0 when none */
    Span label_clause, help_clause; /* the whole clauses, for the formatter */
    uint32_t decl_end; /* end of the path, type and modifiers, before label and help */
    Span span;
    /* Filled in by the checker. */
    const char *path_str; /* NUL-terminated path */
    const char *label_str, *help_str; /* decoded label and help, NULL when none */
    Type type;
    uint32_t slot;
    int32_t from_rank; /* member index that `from` names, -1 when none */
    struct Field *next;
    Expr *required_when; /* "required when CONDITION" (issue 11), or NULL; `required` stays false */
    uint32_t *required_when_reads; /* the checker's: field slots the condition reads */
    uint32_t nrequired_when_reads;
} Field;

typedef struct RecordDecl {
    Name name;
    bool is_object;    /* "object": the item type of a list field */
    Field *fields;
    Field *last_field; /* for appending */
    uint32_t count;
    Span span;
    struct RecordDecl *next;
} RecordDecl;

typedef enum ClauseKind {
    C_CITE, C_WHEN, C_REQUIRE, C_ELSE, C_REPORT, C_BECAUSE, C_IS, C_BY, C_TIER,
    C_REQUIRED, C_DEFAULT, /* field modifiers */
    C_LABEL, C_HELP,      /* field texts, for a form */
    C_SHARE,              /* portfolio: share EXPR where EXPR */
    C_COUNT, C_SUM, C_GROUP, C_TARGET, /* figure: count, sum EXPR, by [PERIOD of] EXPR, target EXPR */
    C_ALLOW               /* allow CODE because "why": an analysis warning meant */
} ClauseKind;

/* What a figure measures of the records it selects, and how it groups them
 * by date (engine/figures.c). */
typedef enum FigureMeasure { FIG_NONE, FIG_COUNT, FIG_SUM, FIG_SHARE } FigureMeasure;
typedef enum FigurePeriod { PERIOD_NONE, PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR } FigurePeriod;

typedef enum TierKind { TIER_OVER, TIER_FROM, TIER_OTHERWISE } TierKind;

typedef enum Severity { SEV_INFO, SEV_WARNING, SEV_ERROR } Severity;

/* One clause of a rule or decision as written; the constructors sort them
 * into the rule's or decision's fields and report repeats. */
typedef struct Clause {
    uint8_t kind;       /* ClauseKind */
    uint8_t severity;   /* C_ELSE, C_REPORT */
    uint8_t tier;       /* C_TIER: TierKind */
    Span span;          /* the whole clause */
    Span key;           /* the keyword */
    Expr *expr;         /* when/require/is/by; the tier's bound */
    Expr *value;        /* the tier's result */
    Name text;          /* cite/else/report: the raw string literal */
    ExprList *names;    /* because */
    struct Clause *next;
    struct Clause *last; /* in the first clause: the last, for appending */
    /* Issue 11 (rules). */
    uint8_t otherwise_severity; /* C_ELSE/C_REPORT with a condition (expr): the severity when it fails */
    Name code;          /* C_ALLOW: the analysis code allowed (text is the reason) */
    bool allow_used;    /* C_ALLOW: set by the analysis when it kept that code quiet */
} Clause;

typedef struct Tier {
    uint8_t kind;       /* TierKind */
    Expr *bound;        /* NULL for otherwise */
    Expr *value;
    Span span;
    struct Tier *next;
} Tier;

typedef struct Decision {
    Name name;
    Name title;         /* raw string literal, len 0 when none */
    Name cite;
    Expr *is;           /* "is EXPR" */
    Expr *by;           /* "by EXPR" with tiers */
    Tier *tiers;
    Span span;
    Clause *clauses;    /* as written, for the formatter */
    /* Filled in by the checker. */
    const char *name_str;
    const char *title_str; /* decoded title, "" when none */
    Type type;
    uint32_t slot;
    struct Decision *next;
    bool working;       /* "working decision": computes others, shown in no result */
    bool read;          /* set by the checker: some rule, decision or figure reads it */
} Decision;

/* A piece of a message: literal text, or an interpolated expression. */
typedef struct MsgPart {
    const char *text;   /* decoded literal text (NUL-terminated), or NULL */
    Expr *expr;         /* or this */
    struct MsgPart *next;
} MsgPart;

typedef struct Rule {
    Name id;            /* "sv-weighting" */
    Name title;
    Name cite;
    Expr *when;         /* NULL: always applies */
    Expr *require;      /* NULL with `report`: fires whenever it applies */
    uint8_t severity;
    Name message;       /* raw string literal */
    ExprList *because;  /* NULL: every field the condition reads */
    bool portfolio;     /* a rule over a whole register, not one record */
    Expr *share_of;     /* portfolio: the amount shared out ... */
    Expr *share_where;  /* ... and which records' amounts count as the share */
    bool figure;        /* a figure for the report (`figure`), not a rule */
    uint8_t measure;    /* figure: FigureMeasure (a sum's amount is share_of) */
    uint8_t period;     /* figure: FigurePeriod of group_by */
    Expr *group_by;     /* figure: `by`, or NULL */
    Expr *target;       /* figure: `target`, or NULL */
    Span span;
    Clause *clauses;
    /* Filled in by the checker. */
    const char *id_str, *cite_str; /* NUL-terminated id and decoded citation */
    const char *title_str;   /* decoded title, "" when none */
    MsgPart *parts;
    uint32_t *because_slots; /* fields shown in a finding's "because" */
    uint32_t nbecause;
    uint32_t *read_slots;    /* every field the condition reads (--explain) */
    uint32_t nread;
    struct Rule *next;
    Expr *severity_when;         /* "else error when COND otherwise warning": NULL when fixed */
    uint8_t severity_otherwise;  /* the severity when severity_when does not hold */
    uint32_t *severity_reads;    /* checker: the fields severity_when reads (--partial) */
    uint32_t nseverity_reads;
} Rule;

/* ---- Tables (engine/table.c) -------------------------------------------
 * `table NAME "Title" keyed by TYPE [edition by EXPR]` and its rows, in
 * one unnamed edition (`: KEY -> VALUE, ...`) or in several
 * (`edition LABEL: KEY -> VALUE, ...`). */

typedef struct TableRow {
    Expr *key, *value;  /* a literal or an enumeration value each */
    Span span;
    struct TableRow *next;
} TableRow;

typedef struct TableEdition {
    Expr *label;        /* a literal; NULL for the one unnamed edition */
    TableRow *rows;
    TableRow **row_tail;
    uint32_t nrows;
    Span span;
    TableRow **sorted;  /* filled by the checker: the rows by key (engine/table.c) */
    uint32_t nsorted;
    struct TableEdition *next;
} TableEdition;

typedef struct TableDecl {
    Name name;
    Name title;         /* raw string literal, len 0 when none */
    Name cite;
    Name key_type;      /* `keyed by text` or an enumeration's name */
    Expr *edition_by;   /* which edition a record reads, or NULL */
    Span cite_key, keyed_key, edition_key; /* their keywords (len 0: none) */
    TableEdition *editions;
    TableEdition *last_edition;   /* for appending editions and rows */
    struct DeclRef *decl;         /* its entry in the file's order */
    Span span;
    /* Filled in by the checker. */
    const char *name_str, *title_str, *cite_str;
    Type key, value;    /* key: T_TEXT or T_ENUM; value: the cells' type */
    uint32_t index;
    struct TableDecl *next;
} TableDecl;

typedef struct Comment {
    Span span;
    struct Comment *next;
} Comment;

/* ---- Import mappings (engine/mapping.c) ---------------------------------
 * A mapping file is parsed by the same grammar: an `import` header, then
 * `columns`, `let`, `set` and `leave out` declarations. */

typedef enum MapKind { M_LET, M_SET, M_LEAVE } MapKind;

/* One case of `set FIELD when COND -> VALUE ... otherwise -> VALUE`. */
typedef struct MapCase {
    Expr *when;         /* NULL: otherwise */
    Expr *value;
    Span span;
    struct MapCase *next;
    struct MapCase *last; /* in the first case: the last, for appending */
} MapCase;

typedef struct MapDecl {
    uint8_t kind;       /* MapKind */
    Name name;          /* let name; set: the record field's path */
    Name text;          /* leave out: the reason (raw literal) */
    Expr *value;        /* let NAME = VALUE, set FIELD = VALUE */
    Expr *where;        /* let NAME = LIST where CONDITION */
    MapCase *cases;     /* set FIELD when ... -> ... */
    Span span;
    struct MapDecl *next;
} MapDecl;

typedef struct MapHeader {
    Name name;          /* raw literal */
    Name into;          /* the policy's path, raw literal */
    Name reads;         /* the source format: ocds or csv */
    ExprList *dates;    /* date formats, as texts */
    Span span, dates_span;
} MapHeader;

typedef struct Policy {
    Name name, version, source, review; /* raw literals / month name */
    Expr *effective;                    /* a date literal */
    ExprList *dated_by;                 /* "dated by": record fields giving its date */
    ExprList *clauses;                  /* "clauses": the source's clauses, as texts */
    Span dated_span, clauses_span;      /* their keywords */
    Span header;
    Param *params;
    EnumDecl *enums;
    RecordDecl *records;
    Decision *decisions;
    Rule *rules;
    Comment *comments;                  /* every comment, in order */
    MapHeader *mapping;                 /* an import mapping's header, or NULL */
    MapDecl *maps;                      /* its declarations, in order */
    Param *columns;                     /* its `columns`: name = "header" (a text) */
    TableDecl *tables;                  /* lookup tables, in order */
    /* Declaration order, for the formatter: each entry points at one of
     * the lists above. */
    struct DeclRef *order;
} Policy;

typedef enum DeclKind { D_PARAMS, D_ENUM, D_RECORD, D_DECISION, D_RULE, D_COLUMNS, D_MAP, D_TABLE } DeclKind;

typedef struct DeclRef {
    uint8_t kind;       /* DeclKind */
    void *decl;         /* D_PARAMS: the first Param of that block */
    uint32_t nparams;   /* D_PARAMS: how many entries the block has */
    Span span;
    struct DeclRef *next;
} DeclRef;

/* ---- Building (called from the grammar's actions) ---------------------- */

/* Everything the grammar actions need: the arena, the diagnostics, the
 * source, the policy under construction and tails for appending. */
typedef struct AstBuilder {
    Arena *arena;
    svp_diagnostics *diags;
    const char *src;
    size_t len;
    Policy *policy;
    DeclRef **order_tail;
    Param **param_tail;
    EnumDecl **enum_tail;
    RecordDecl **record_tail;
    Decision **decision_tail;
    Rule **rule_tail;
    Comment **comment_tail;
    DeclRef *current_params;  /* the parameters block being filled */
    MapDecl **map_tail;
    Param **column_tail;
    DeclRef *current_columns; /* the columns block being filled */
    Expr *parsed_expr;        /* result of an expression-only parse */
    TableDecl **table_tail;
    TableDecl *current_table; /* the table being filled */
    bool oom;
    bool decision_working;    /* the decision being parsed began `working decision` */
} AstBuilder;

void ast_builder_init(AstBuilder *b, Arena *arena, svp_diagnostics *diags,
                      const char *src, size_t len, Policy *policy);

Span span_join(Span a, Span b);
Name ast_name(AstBuilder *b, Span s);

Expr *ast_literal(AstBuilder *b, ExprKind kind, Span s, int64_t num);
Expr *ast_text(AstBuilder *b, Span s);
Expr *ast_ref(AstBuilder *b, Span s);
Expr *ast_unary(AstBuilder *b, ExprKind kind, Span s, Expr *a);
Expr *ast_binary(AstBuilder *b, ExprKind kind, Expr *a, Expr *c);
Expr *ast_test(AstBuilder *b, ExprKind kind, bool negated, Span s, Expr *a);
Expr *ast_quantifier(AstBuilder *b, ExprKind kind, bool flag, Span s, Expr *a);
Expr *ast_if(AstBuilder *b, Span s, Expr *cond, Expr *then, Expr *otherwise);
Expr *ast_list(AstBuilder *b, Span s, ExprList *items);
Expr *ast_parens(Expr *e, Span s);
/* Units: `a not in b`; `a / b rounded [to] WORD` (word: empty for a
 * division that states no rounding); `days|months from a to b`;
 * `min|max(items)`. */
Expr *ast_not_in(AstBuilder *b, Expr *a, Expr *c);
Expr *ast_divide(AstBuilder *b, Span s, Expr *a, Expr *c, bool to, Span word);
Expr *ast_between(AstBuilder *b, ExprKind kind, Span s, Expr *from, Expr *to);
Expr *ast_extreme(AstBuilder *b, ExprKind kind, Span s, ExprList *items);
ExprList *ast_expr_list(AstBuilder *b, ExprList *list, Expr *e);

void ast_header(AstBuilder *b, Span name);
void ast_header_item(AstBuilder *b, int which, Span key, Span value, Expr *date);
void ast_header_list(AstBuilder *b, int which, Span key, ExprList *items);
void ast_params_begin(AstBuilder *b, Span s);
void ast_param(AstBuilder *b, Span name, Expr *value);
void ast_enum(AstBuilder *b, Span s, Span name, bool ordered, ExprList *members);
RecordDecl *ast_record(AstBuilder *b, Span s, Span name, bool is_object);
Field *ast_field(AstBuilder *b, Span path, Span type_name, bool is_list, Clause *mods, Span s);
void ast_record_add(AstBuilder *b, RecordDecl *r, Field *f);

Clause *ast_clause(AstBuilder *b, ClauseKind kind, Span key, Span s, Expr *e);
Clause *ast_clause_text(AstBuilder *b, ClauseKind kind, Span key, Span s, Span text, int severity);
Clause *ast_clause_names(AstBuilder *b, Span key, Span s, ExprList *names);
Clause *ast_clause_tier(AstBuilder *b, TierKind kind, Span s, Expr *bound, Expr *value);
Clause *ast_clauses(Clause *list, Clause *c);
void ast_decision(AstBuilder *b, Span s, Span name, Span title, Clause *clauses);
void ast_rule(AstBuilder *b, Span s, Span id, Span title, Clause *clauses, bool portfolio);
Clause *ast_clause_share(AstBuilder *b, Span key, Span s, Expr *of, Expr *where);
/* Figures (`figure ID "Title"` and its clauses: see README, Figures). */
Clause *ast_clause_period(AstBuilder *b, Span key, Span s, Span period, Expr *date);
Clause *ast_clause_named(AstBuilder *b, Span key, Span s, Expr *e);
void ast_figure(AstBuilder *b, Span s, Span id, Span title, Clause *clauses);
/* Issue 11 (rules): `else SEV when COND otherwise SEV "message"` (and
 * `report`), and `allow CODE because "why"`. */
Clause *ast_clause_severity(AstBuilder *b, ClauseKind kind, Span key, Span s, Span text, int severity, Expr *cond,
                            int otherwise);
Clause *ast_clause_allow(AstBuilder *b, Span key, Span s, Span code, Span reason);
/* True when clauses hold `allow code` (and marks that clause used). */
bool ast_allowed(Clause *clauses, const char *code);
void ast_comment(AstBuilder *b, Span s);
char *ast_decode_text(AstBuilder *b, const char *raw, size_t len, uint32_t at, bool keep_braces);
DeclRef *ast_add_decl(AstBuilder *b, DeclKind kind, void *decl, Span s);

/* Tables (engine/table_ast.c). */
void ast_table(AstBuilder *b, Span s, Span name, Span title);
void ast_table_cite(AstBuilder *b, Span key, Span text);
void ast_table_keyed(AstBuilder *b, Span key, Span type_name);
void ast_table_edition_by(AstBuilder *b, Span key, Expr *e);
void ast_table_edition(AstBuilder *b, Span s, Expr *label);
void ast_table_entry(AstBuilder *b, Span s, Expr *key, Expr *value);
void ast_table_end(AstBuilder *b, Span s);
Expr *ast_lookup(AstBuilder *b, Span s, Span table, Expr *key);
Expr *ast_each(AstBuilder *b, ExprKind which, Span s, Expr *list, Expr *body);

/* Import mappings (engine/mapping_ast.c). */
void map_header(AstBuilder *b, Span s, Span name);
void map_header_item(AstBuilder *b, int which, Span key, Span value);
void map_header_dates(AstBuilder *b, Span key, ExprList *formats);
void map_columns_begin(AstBuilder *b, Span s);
void map_column(AstBuilder *b, Span name, Span header);
void map_let(AstBuilder *b, Span s, Span name, Expr *value, Expr *where);
void map_set(AstBuilder *b, Span s, Span path, Expr *value, MapCase *cases);
void map_leave(AstBuilder *b, Span s, Expr *when, Span reason);
MapCase *map_case(AstBuilder *b, Span s, Expr *when, Expr *value);
MapCase *map_cases(MapCase *list, MapCase *c);

#endif
