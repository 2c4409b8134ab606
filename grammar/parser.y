/*
 * parser.y - the grammar of the svp policy language.
 *
 * A policy is a sequence of declarations, each opened by a keyword
 * (policy, parameters, enum, record, object, decision, rule, portfolio), so the file
 * reads top to bottom like the policy it encodes and an error in one
 * declaration is recovered from at the next.  Actions are one-line calls
 * to the constructors in engine/ast.c; no policy logic lives here.
 *
 * The same parser reads the expressions inside a message's braces
 * ("{weighting.social_value}"): the scanner then hands it START_EXPR first.
 */
%require "3.8"
%define api.pure full
%define api.prefix {svpyy}
%define api.location.type {Span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%param {void *scanner}
%parse-param {AstBuilder *ab} {LexState *ls}

%code requires {
#include "ast.h"
typedef struct LexState LexState;
}

%code {
#include <string.h>
#include "parse.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N)                      \
    do {                                                 \
        if (N) {                                         \
            (Cur).start = YYRHSLOC(Rhs, 1).start;        \
            (Cur).end = YYRHSLOC(Rhs, N).end;            \
        } else {                                         \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end; \
        }                                                \
    } while (0)

static void svpyyerror(const Span *loc, void *scanner, AstBuilder *ab, LexState *ls, const char *msg);

/* The whole parse stack sits on the C stack, and its depth is the
 * policy's nesting limit (see README, Limits). */
#define YYINITDEPTH 1000
#define YYMAXDEPTH 1000
}

%union {
    int64_t num;
    const char *msg;
    bool flag;
    int sev;
    Expr *expr;
    ExprList *list;
    Clause *clause;
    Field *field;
    RecordDecl *record;
    MapCase *mcase;
}

%token <num> MONEY "money amount" PERCENT "percentage" NUMBER "number" DATE "date"
%token STRING "text in quotes" IDENT "name" PATH "field path" DASHED "rule id"
%token <msg> INVALID "invalid text"
%token START_EXPR "start of expression"
%token KW_POLICY "policy" KW_VERSION "version" KW_EFFECTIVE "effective"
%token KW_REVIEW "review" KW_EVERY "every" KW_SOURCE "source"
%token KW_PARAMETERS "parameters" KW_ENUM "enum" KW_ORDER "order"
%token KW_RECORD "record" KW_OBJECT "object" KW_REQUIRED "required"
%token KW_FROM "from" KW_DEFAULT "default" KW_LIST "list" KW_OF "of"
%token KW_DECISION "decision" KW_CITE "cite" KW_IS "is" KW_BY "by"
%token KW_OVER "over" KW_OTHERWISE "otherwise" KW_RULE "rule" KW_WHEN "when"
%token KW_REQUIRE "require" KW_ELSE "else" KW_REPORT "report"
%token KW_BECAUSE "because" KW_ERROR "error" KW_WARNING "warning" KW_INFO "info"
%token KW_AND "and" KW_OR "or" KW_NOT "not" KW_IN "in" KW_TRUE "true"
%token KW_FALSE "false" KW_IF "if" KW_THEN "then" KW_PRESENT "present"
%token KW_BLANK "blank" KW_COUNT "count" KW_SUM "sum" KW_ALL "all"
%token KW_ANY "any" KW_NAMES "names" KW_THAT "that" KW_ARE "are"
%token KW_PORTFOLIO "portfolio" KW_SHARE "share" KW_WHERE "where"
%token KW_DATED "dated" KW_CLAUSES "clauses"
%token KW_FIGURE "figure"
%token KW_IMPORT "import" KW_INTO "into" KW_READS "reads" KW_DATES "dates"
%token KW_COLUMNS "columns" KW_LET "let" KW_SET "set" KW_LEAVE "leave" KW_OUT "out"
%token KW_FIRST "first"
%token KW_LABEL "label" KW_HELP "help"
%token KW_ROUNDED "rounded" KW_TO "to" KW_DAYS "days" KW_MONTHS "months" KW_MIN "min" KW_MAX "max"
%token KW_NOT_IN "not in"
%token ARROW "->" NE "!=" LE "<=" GE ">="
%token KW_WORKING "working" KW_ALLOW "allow"
%token KW_TABLE "table" KW_KEYED "keyed" KW_EDITION "edition"

%type <expr> expr primary literal name
%type <list> names members list_items texts
%type <clause> clauses clause field_mods field_mod field_text tiers tier
%type <clause> figure_clauses figure_clause allows allow
%type <flag> ordered truth
%type <sev> severity
%type <record> record_head
%type <mcase> set_cases set_case
%type <field> field
%type <expr> table_cell

/* A block (parameters, record fields) recovers from an error inside itself
 * rather than abandoning the whole block. */
%precedence BLOCK_END
%precedence error
%precedence KW_ELSE
%left KW_OR
%left KW_AND
%precedence KW_NOT
%nonassoc '=' NE '<' LE '>' GE KW_IN KW_IS KW_NOT_IN
%left '+' '-'
%left '*' '/'
%precedence KW_ROUNDED
/* `count of LIST where ...`: the `where` is the count's (shifted), not a
 * mapping's or a share's around it. */
%precedence COUNT_OF
%precedence KW_WHERE

%%

start
    : decls
    | START_EXPR expr                   { ab->parsed_expr = $2; }
    ;

decls
    : %empty
    | decls decl
    | decls error
    ;

decl
    : KW_POLICY STRING                  { ast_header(ab, @2); } header_items
    | KW_PARAMETERS                     { ast_params_begin(ab, @1); } params %prec BLOCK_END
    | KW_ENUM IDENT ordered ':' members { ast_enum(ab, @$, @2, $3, $5); }
    | record_head fields %prec BLOCK_END
    | decision_kw decision_name title KW_CITE STRING KW_IS expr allows
                                        { ast_decision(ab, @$, @2, @3,
                                            ast_clauses(ast_clauses(ast_clause_text(ab, C_CITE, @4, span_join(@4, @5), @5, 0),
                                                        ast_clause(ab, C_IS, @6, span_join(@6, @7), $7)), $8)); }
    | decision_kw decision_name title KW_IS expr allows
                                        { ast_decision(ab, @$, @2, @3,
                                            ast_clauses(ast_clause(ab, C_IS, @4, span_join(@4, @5), $5), $6)); }
    | decision_kw decision_name title KW_CITE STRING KW_BY expr tiers allows
                                        { ast_decision(ab, @$, @2, @3,
                                            ast_clauses(ast_clauses(ast_clauses(ast_clause_text(ab, C_CITE, @4, span_join(@4, @5), @5, 0),
                                                                    ast_clause(ab, C_BY, @6, span_join(@6, @7), $7)), $8), $9)); }
    | decision_kw decision_name title KW_BY expr tiers allows
                                        { ast_decision(ab, @$, @2, @3,
                                            ast_clauses(ast_clauses(ast_clause(ab, C_BY, @4, span_join(@4, @5), $5), $6), $7)); }
    | KW_RULE rule_id title clauses     { ast_rule(ab, @$, @2, @3, $4, false); }
    | KW_PORTFOLIO rule_id title clauses
                                        { ast_rule(ab, @$, @2, @3, $4, true); }
    | KW_FIGURE rule_id title figure_clauses
                                        { ast_figure(ab, @$, @2, @3, $4); }
    /* An import mapping (engine/mapping.c): how a source fills a record. */
    | KW_IMPORT STRING                  { map_header(ab, @$, @2); } import_items
    | KW_COLUMNS                        { map_columns_begin(ab, @1); } columns %prec BLOCK_END
    | KW_LET IDENT '=' expr             { map_let(ab, @$, @2, $4, NULL); }
    | KW_LET IDENT '=' expr KW_WHERE expr
                                        { map_let(ab, @$, @2, $4, $6); }
    | KW_SET field_path '=' expr        { map_set(ab, @$, @2, $4, NULL); }
    | KW_SET field_path set_cases       { map_set(ab, @$, @2, NULL, $3); }
    | KW_LEAVE KW_OUT KW_WHEN expr KW_BECAUSE STRING
                                        { map_leave(ab, @$, $4, @6); }
    /* A table of lookup data (engine/table.c): keyed rows, by edition. */
    | KW_TABLE IDENT title              { ast_table(ab, @$, @2, @3); }
      table_clauses table_body          { ast_table_end(ab, @$); }
    ;

table_clauses
    : %empty
    | table_clauses table_clause
    ;

table_clause
    : KW_CITE STRING                    { ast_table_cite(ab, @1, @2); }
    | KW_KEYED KW_BY IDENT              { ast_table_keyed(ab, @1, @3); }
    | KW_EDITION KW_BY expr             { ast_table_edition_by(ab, @1, $3); }
    ;

table_body
    : ':'                               { ast_table_edition(ab, @1, NULL); } table_entries
    | table_editions
    ;

table_editions
    : table_edition
    | table_editions table_edition
    ;

table_edition
    : KW_EDITION literal ':'            { ast_table_edition(ab, @$, $2); } table_entries
    ;

table_entries
    : table_entry
    | table_entries ',' table_entry
    ;

table_entry
    : table_cell ARROW table_cell       { ast_table_entry(ab, @$, $1, $3); }
    ;

table_cell
    : literal
    | name
    ;

import_items
    : %empty
    | import_items import_item
    ;

import_item
    : KW_INTO STRING                    { map_header_item(ab, 'i', @1, @2); }
    | KW_READS IDENT                    { map_header_item(ab, 'r', @1, @2); }
    | KW_DATES texts                    { map_header_dates(ab, @1, $2); }
    ;

columns
    : %empty
    | columns IDENT '=' STRING          { map_column(ab, @2, @4); }
    | columns error
    ;

set_cases
    : set_case                          { $$ = $1; }
    | set_cases set_case                { $$ = map_cases($1, $2); }
    ;

set_case
    : KW_WHEN expr ARROW expr           { $$ = map_case(ab, @$, $2, $4); }
    | KW_OTHERWISE ARROW expr           { $$ = map_case(ab, @$, NULL, $3); }
    ;

/* A figure for the report: which records (when), what of them (count, sum,
 * share), grouped how (by), against what (target).  `target`, `quarter` and
 * `month` are plain names here, not keywords, so fields may still be called
 * so (the council's measures have a `target`). */
figure_clauses
    : figure_clause                     { $$ = $1; }
    | figure_clauses figure_clause      { $$ = ast_clauses($1, $2); }
    ;

figure_clause
    : KW_CITE STRING                    { $$ = ast_clause_text(ab, C_CITE, @1, @$, @2, 0); }
    | KW_WHEN expr                      { $$ = ast_clause(ab, C_WHEN, @1, @$, $2); }
    | KW_COUNT                          { $$ = ast_clause(ab, C_COUNT, @1, @$, NULL); }
    | KW_SUM expr                       { $$ = ast_clause(ab, C_SUM, @1, @$, $2); }
    | KW_SHARE expr KW_WHERE expr       { $$ = ast_clause_share(ab, @1, @$, $2, $4); }
    | KW_BY expr                        { $$ = ast_clause(ab, C_GROUP, @1, @$, $2); }
    | KW_BY IDENT KW_OF expr            { $$ = ast_clause_period(ab, @1, @$, @2, $4); }
    | IDENT expr                        { $$ = ast_clause_named(ab, @1, @$, $2); }
    ;

/* A working decision (`working decision x is ...`) computes other
 * decisions and stays out of every result. */
decision_kw
    : KW_DECISION                       { ab->decision_working = false; }
    | KW_WORKING KW_DECISION            { ab->decision_working = true; }
    ;

/* `allow CODE because "why"`: an analysis warning meant, for the rule or
 * decision it follows. */
allows
    : %empty                            { $$ = NULL; }
    | allows allow                      { $$ = ast_clauses($1, $2); }
    ;

allow
    : KW_ALLOW allow_code KW_BECAUSE STRING
                                        { $$ = ast_clause_allow(ab, @1, @$, @2, @4); }
    ;

allow_code
    : IDENT
    | DASHED
    ;

header_items
    : %empty
    | header_items header_item
    ;

header_item
    : KW_VERSION STRING                 { ast_header_item(ab, 'v', @1, @2, NULL); }
    | KW_EFFECTIVE DATE                 { ast_header_item(ab, 'e', @1, @2, ast_literal(ab, E_DATE, @2, $2)); }
    | KW_REVIEW KW_EVERY IDENT          { ast_header_item(ab, 'r', @1, @3, NULL); }
    | KW_SOURCE STRING                  { ast_header_item(ab, 's', @1, @2, NULL); }
    | KW_DATED KW_BY names              { ast_header_list(ab, 'd', @1, $3); }
    | KW_CLAUSES texts                  { ast_header_list(ab, 'c', @1, $2); }
    ;

texts
    : STRING                            { $$ = ast_expr_list(ab, NULL, ast_text(ab, @1)); }
    | texts ',' STRING                  { $$ = ast_expr_list(ab, $1, ast_text(ab, @3)); }
    ;

params
    : %empty
    | params IDENT '=' literal          { ast_param(ab, @2, $4); }
    | params error
    ;

ordered
    : %empty                            { $$ = false; }
    | KW_IN KW_ORDER                    { $$ = true; }
    ;

members
    : IDENT                             { $$ = ast_expr_list(ab, NULL, ast_ref(ab, @1)); }
    | members ',' IDENT                 { $$ = ast_expr_list(ab, $1, ast_ref(ab, @3)); }
    ;

record_head
    : KW_RECORD IDENT                   { $$ = ast_record(ab, @$, @2, false); }
    | KW_OBJECT IDENT                   { $$ = ast_record(ab, @$, @2, true); }
    ;

fields
    : %empty
    | fields field                      { ast_record_add(ab, $<record>0, $2); }
    | fields error
    ;

field
    : field_path IDENT field_mods       { $$ = ast_field(ab, @1, @2, false, $3, @$); }
    | field_path KW_LIST KW_OF IDENT field_mods
                                        { $$ = ast_field(ab, @1, @4, true, $5, @$); }
    ;

field_path
    : IDENT
    | PATH
    ;

field_mods
    : %empty                            { $$ = NULL; }
    | field_mods field_mod              { $$ = ast_clauses($1, $2); }
    ;

field_mod
    : KW_REQUIRED                       { $$ = ast_clause_text(ab, C_REQUIRED, @1, @$, @$, 0); }
    | KW_REQUIRED KW_FROM IDENT         { $$ = ast_clause_text(ab, C_REQUIRED, @1, @$, @3, 1); }
    | KW_REQUIRED KW_WHEN expr          { $$ = ast_clause(ab, C_REQUIRED, @1, @$, $3); }
    | KW_DEFAULT literal                { $$ = ast_clause(ab, C_DEFAULT, @1, @$, $2); }
    | field_text
    ;

/* What a form shows for a field: its label and a line of help. */
field_text
    : KW_LABEL STRING                   { $$ = ast_clause_text(ab, C_LABEL, @1, @$, @2, 0); }
    | KW_HELP STRING                    { $$ = ast_clause_text(ab, C_HELP, @1, @$, @2, 0); }
    ;

title
    : %empty
    | STRING
    ;

rule_id
    : IDENT
    | DASHED
    | KW_LABEL                          /* a rule called label, then its title */
    | KW_HELP
    ;

decision_name
    : IDENT
    | KW_LABEL                          /* a decision called label, then its title */
    | KW_HELP
    ;

clauses
    : clause                            { $$ = $1; }
    | clauses clause                    { $$ = ast_clauses($1, $2); }
    ;

clause
    : KW_CITE STRING                    { $$ = ast_clause_text(ab, C_CITE, @1, @$, @2, 0); }
    | KW_WHEN expr                      { $$ = ast_clause(ab, C_WHEN, @1, @$, $2); }
    | KW_REQUIRE expr                   { $$ = ast_clause(ab, C_REQUIRE, @1, @$, $2); }
    | KW_ELSE severity STRING           { $$ = ast_clause_text(ab, C_ELSE, @1, @$, @3, $2); }
    | KW_REPORT severity STRING         { $$ = ast_clause_text(ab, C_REPORT, @1, @$, @3, $2); }
    | KW_BECAUSE names                  { $$ = ast_clause_names(ab, @1, @$, $2); }
    | KW_SHARE expr KW_WHERE expr       { $$ = ast_clause_share(ab, @1, @$, $2, $4); }
    | KW_ELSE severity KW_WHEN expr KW_OTHERWISE severity STRING
                                        { $$ = ast_clause_severity(ab, C_ELSE, @1, @$, @7, $2, $4, $6); }
    | KW_REPORT severity KW_WHEN expr KW_OTHERWISE severity STRING
                                        { $$ = ast_clause_severity(ab, C_REPORT, @1, @$, @7, $2, $4, $6); }
    | allow
    ;

severity
    : KW_ERROR                          { $$ = SEV_ERROR; }
    | KW_WARNING                        { $$ = SEV_WARNING; }
    | KW_INFO                           { $$ = SEV_INFO; }
    ;

names
    : name                              { $$ = ast_expr_list(ab, NULL, $1); }
    | names ',' name                    { $$ = ast_expr_list(ab, $1, $3); }
    ;

tiers
    : tier                              { $$ = $1; }
    | tiers tier                        { $$ = ast_clauses($1, $2); }
    ;

tier
    : KW_OVER expr ARROW expr           { $$ = ast_clause_tier(ab, TIER_OVER, @$, $2, $4); }
    | KW_FROM expr ARROW expr           { $$ = ast_clause_tier(ab, TIER_FROM, @$, $2, $4); }
    | KW_OTHERWISE ARROW expr           { $$ = ast_clause_tier(ab, TIER_OTHERWISE, @$, NULL, $3); }
    ;

expr
    : KW_IF expr KW_THEN expr KW_ELSE expr { $$ = ast_if(ab, @$, $2, $4, $6); }
    | expr KW_OR expr                   { $$ = ast_binary(ab, E_OR, $1, $3); }
    | expr KW_AND expr                  { $$ = ast_binary(ab, E_AND, $1, $3); }
    | KW_NOT expr                       { $$ = ast_unary(ab, E_NOT, @$, $2); }
    | expr '=' expr                     { $$ = ast_binary(ab, E_EQ, $1, $3); }
    | expr NE expr                      { $$ = ast_binary(ab, E_NE, $1, $3); }
    | expr '<' expr                     { $$ = ast_binary(ab, E_LT, $1, $3); }
    | expr LE expr                      { $$ = ast_binary(ab, E_LE, $1, $3); }
    | expr '>' expr                     { $$ = ast_binary(ab, E_GT, $1, $3); }
    | expr GE expr                      { $$ = ast_binary(ab, E_GE, $1, $3); }
    | expr KW_IN expr                   { $$ = ast_binary(ab, E_IN, $1, $3); }
    | expr KW_IS KW_PRESENT             { $$ = ast_test(ab, E_PRESENT, false, @$, $1); }
    | expr KW_IS KW_NOT KW_PRESENT      { $$ = ast_test(ab, E_PRESENT, true, @$, $1); }
    | expr KW_IS KW_BLANK               { $$ = ast_test(ab, E_BLANK, false, @$, $1); }
    | expr KW_IS KW_NOT KW_BLANK        { $$ = ast_test(ab, E_BLANK, true, @$, $1); }
    | expr '+' expr                     { $$ = ast_binary(ab, E_ADD, $1, $3); }
    | expr '-' expr                     { $$ = ast_binary(ab, E_SUB, $1, $3); }
    | expr '*' expr                     { $$ = ast_binary(ab, E_MUL, $1, $3); }
    | expr KW_NOT_IN expr               { $$ = ast_not_in(ab, $1, $3); }
    | expr '/' expr %prec '/'           { $$ = ast_divide(ab, @$, $1, $3, false, (Span){@3.end, @3.end}); }
    | expr '/' expr KW_ROUNDED IDENT    { $$ = ast_divide(ab, @$, $1, $3, false, @5); }
    | expr '/' expr KW_ROUNDED KW_TO IDENT
                                        { $$ = ast_divide(ab, @$, $1, $3, true, @6); }
    | primary
    /* Over the items of a list of objects: the condition or amount reads
     * each item's members by name (engine/check.c, item scope). */
    | KW_COUNT KW_OF primary KW_WHERE expr %prec KW_ELSE
                                        { $$ = ast_each(ab, E_COUNT, @$, $3, $5); }
    | KW_ANY KW_OF primary KW_WHERE expr %prec KW_ELSE
                                        { $$ = ast_each(ab, E_ANY, @$, $3, $5); }
    | KW_ALL KW_OF primary KW_WHERE expr %prec KW_ELSE
                                        { $$ = ast_each(ab, E_ALL, @$, $3, $5); }
    | KW_SUM KW_OVER primary KW_OF expr %prec KW_ELSE
                                        { $$ = ast_each(ab, E_SUM, @$, $3, $5); }
    ;

primary
    : literal
    | name
    | '(' expr ')'                      { $$ = ast_parens($2, @$); }
    | '[' list_items ']'                { $$ = ast_list(ab, @$, $2); }
    | '[' ']'                           { $$ = ast_list(ab, @$, NULL); }
    | KW_COUNT KW_OF primary %prec COUNT_OF
                                        { $$ = ast_quantifier(ab, E_COUNT, false, @$, $3); }
    | KW_SUM KW_OF primary              { $$ = ast_quantifier(ab, E_SUM, false, @$, $3); }
    | KW_ALL KW_OF primary KW_ARE truth { $$ = ast_quantifier(ab, E_ALL, $5, @$, $3); }
    | KW_ANY KW_OF primary KW_ARE truth { $$ = ast_quantifier(ab, E_ANY, $5, @$, $3); }
    | KW_SHARE                          { $$ = ast_literal(ab, E_SHARE, @1, 0); }
    | KW_FIRST KW_OF primary            { $$ = ast_quantifier(ab, E_FIRST, false, @$, $3); }
    | KW_NAMES KW_OF primary KW_THAT KW_ARE truth
                                        { $$ = ast_quantifier(ab, E_NAMES, $6, @$, $3); }
    | IDENT '[' expr ']'                { $$ = ast_lookup(ab, @$, @1, $3); }
    | KW_DAYS KW_FROM primary KW_TO primary
                                        { $$ = ast_between(ab, E_DAYS, @$, $3, $5); }
    | KW_MONTHS KW_FROM primary KW_TO primary
                                        { $$ = ast_between(ab, E_MONTHS, @$, $3, $5); }
    | KW_MIN '(' list_items ')'         { $$ = ast_extreme(ab, E_MIN, @$, $3); }
    | KW_MAX '(' list_items ')'         { $$ = ast_extreme(ab, E_MAX, @$, $3); }
    ;

name
    : IDENT                             { $$ = ast_ref(ab, @1); }
    | PATH                              { $$ = ast_ref(ab, @1); }
    ;

truth
    : KW_TRUE                           { $$ = true; }
    | KW_FALSE                          { $$ = false; }
    ;

list_items
    : expr                              { $$ = ast_expr_list(ab, NULL, $1); }
    | list_items ',' expr               { $$ = ast_expr_list(ab, $1, $3); }
    ;

literal
    : MONEY                             { $$ = ast_literal(ab, E_MONEY, @1, $1); }
    | PERCENT                           { $$ = ast_literal(ab, E_PERCENT, @1, $1); }
    | NUMBER                            { $$ = ast_literal(ab, E_NUMBER, @1, $1); }
    | DATE                              { $$ = ast_literal(ab, E_DATE, @1, $1); }
    | STRING                            { $$ = ast_text(ab, @1); }
    | KW_TRUE                           { $$ = ast_literal(ab, E_BOOL, @1, 1); }
    | KW_FALSE                          { $$ = ast_literal(ab, E_BOOL, @1, 0); }
    ;

%%

/* Bison hands the reporter the unexpected token and the expected ones
 * (exact, thanks to LAC); parse.c words the message. */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, AstBuilder *ab, LexState *ls)
{
    (void)scanner;
    yysymbol_kind_t expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
    const char *names[YYNTOKENS];
    for (int i = 0; i < n; i++)
        names[i] = yysymbol_name(expected[i]);
    yysymbol_kind_t tok = yypcontext_token(ctx);
    parse_syntax_error(ab, ls, *yypcontext_location(ctx),
                       tok == YYSYMBOL_INVALID, tok == YYSYMBOL_YYEOF,
                       tok == YYSYMBOL_DASHED, names, n < 0 ? 0 : n);
    return 0;
}

/* Only bison's own failures arrive here ("memory exhausted" when the
 * nesting passes YYMAXDEPTH). */
static void svpyyerror(const Span *loc, void *scanner, AstBuilder *ab, LexState *ls, const char *msg)
{
    (void)scanner;
    (void)ls;
    diag_add(ab->diags, SVP_ERROR, "limit", loc->start, loc->end,
             "%s: the policy nests deeper than svp allows (%d levels)", msg, YYMAXDEPTH);
}
