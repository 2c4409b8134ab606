/*
 * mapping.h - a compiled import mapping, shared by the mapping checker and
 * evaluator (mapping.c) and the two source readers (ocds.c, csv_source.c).
 *
 * A mapping file is written in the policy language: its header names the
 * policy whose record it fills (compiled alongside, and owned by the
 * mapping) and the source format; `columns` name a CSV register's columns;
 * `let` names a value or a filtered list; `set` fills one record field;
 * `leave out when` refuses an item with a reason.  The checker resolves
 * every name once, so applying the mapping to an item walks resolved
 * paths, never looks names up.
 */
#ifndef SVP_MAPPING_H
#define SVP_MAPPING_H

#include "buf.h"
#include "program.h"
#include "source.h"

typedef enum MapFormat { MAP_OCDS, MAP_CSV } MapFormat;

/* What a name in a mapping expression reads (stored in Expr.ref_kind; the
 * values continue RefKind's).  Expr.ref indexes svp_mapping.paths. */
enum { MR_SOURCE = 16, MR_LET, MR_ITEM };

/* A resolved path: where it starts (the item's root, a let, or the item of
 * a `where` filter) and the keys that follow. */
typedef struct MapPath {
    uint8_t base;          /* MR_SOURCE, MR_LET or MR_ITEM */
    uint32_t let;          /* MR_LET: the let's index */
    const char **keys;
    uint32_t nkeys;
} MapPath;

/* A node of the tree of source paths the mapping reads: the OCDS reader
 * keeps only these of each release (memory grows with procurements, not
 * with the size of their notices). */
typedef struct ReadPath {
    const char *key;
    struct ReadPath *children;
    struct ReadPath *next;
} ReadPath;

typedef struct MapLet {
    MapDecl *decl;
    const char *name;
    uint8_t mt;            /* its kind of value (mapping.c's MType) */
    ReadPath *prefix;      /* the source path it lists, when it is a path (for reads) */
} MapLet;

typedef struct MapSet {
    MapDecl *decl;
    Field *field;
} MapSet;

typedef struct MapColumn {
    const char *name;      /* the name the mapping uses */
    const char *header;    /* the register's column header */
} MapColumn;

struct svp_mapping {
    const svp_allocator *alloc;
    Arena arena;           /* the mapping's tree and everything resolved */
    char *source;
    size_t source_len;
    Policy ast;
    svp_policy *policy;    /* the policy whose record it fills (owned) */
    const char *name;      /* decoded header name */
    const char *policy_path;
    MapFormat format;
    const char **date_formats;
    uint32_t ndate_formats;
    MapColumn *columns;
    uint32_t ncolumns;
    MapLet *lets;
    uint32_t nlets;
    MapSet *sets;          /* in file order */
    uint32_t nsets;
    MapDecl **leaves;
    uint32_t nleaves;
    MsgPart **reasons;     /* per leave: its reason, split at {expressions} */
    MapPath *paths;        /* indexed by Expr.ref of a source name */
    uint32_t npaths, cap_paths;
    ReadPath reads;        /* the source paths read (root: key NULL) */
};

/* The child of a read-path node with this key, made when missing; NULL
 * when out of memory. */
ReadPath *read_path_child(Arena *a, ReadPath *parent, const char *key);

/* Apply the mapping to one item (root: an object).  On success appends
 * the record (one JSON line, newline included) to out and returns true;
 * otherwise appends to why the reason the item is left out and returns
 * false.  scratch holds the evaluation's temporaries (the caller resets it). */
bool mapping_apply(const svp_mapping *m, Arena *scratch, const SNode *root, Buf *out, Buf *why);

#endif
