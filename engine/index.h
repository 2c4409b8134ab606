/*
 * index.h - what an editor needs to know about a policy's text (the public
 * side is the "Language knowledge for editors" block of svp.h).
 *
 * The index is built from the parsed and checked tree of one policy text,
 * errors or not: every declaration that parsed is a symbol, and every name
 * the checker resolved is a reference to one.  It owns its own arena (names,
 * details) and the arrays of symbols and references; the policy it was built
 * from stays inside it, so byte offsets into that text are what everything
 * here speaks.
 */
#ifndef SVP_INDEX_H
#define SVP_INDEX_H

#include "program.h"

struct svp_index {
    const svp_allocator *alloc;
    Arena arena;              /* names, details, hover texts of keywords */
    svp_policy *policy;       /* kept errors or not; NULL when refused */
    bool compiled;            /* no errors: policy is ready to evaluate */
    bool syntax_errors;       /* some declaration may have been dropped */
    svp_symbol *symbols;
    size_t nsymbols, cap_symbols;
    size_t *field_type;       /* by symbol: for a field, the symbol of the
                                 enumeration or object it holds, else none */
    svp_reference *refs;      /* sorted by start once built */
    size_t nrefs, cap_refs;
    const void **keys;        /* open addressing: declaration -> symbol */
    size_t *key_symbol;
    size_t nkeys;             /* table size, a power of two */
    bool oom;
};

#endif
