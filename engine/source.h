/*
 * source.h - the items svp import reads, as a small tree of source values.
 *
 * Both source formats hand the mapping one tree per item: an OCDS
 * procurement (its releases merged, engine/ocds.c) or one row of a CSV
 * register (engine/csv_source.c, the row's columns as members).  Numbers
 * keep the characters they were written with, never a double, so that a
 * mapping reads amounts exactly (value_parse_json_number).  Nodes live in
 * an arena: an item's tree is freed with the arena that holds it.
 */
#ifndef SVP_SOURCE_H
#define SVP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

typedef enum SNodeKind { SN_NULL, SN_FALSE, SN_TRUE, SN_NUMBER, SN_STRING, SN_OBJECT, SN_ARRAY } SNodeKind;

typedef struct SNode {
    uint8_t kind;            /* SNodeKind */
    const char *key;         /* a member of an object: its key (NUL-terminated) */
    union {                  /* by kind: 32 bytes a node, as a procurement keeps thousands */
        const char *text;    /* SN_NUMBER: the lexeme as written; SN_STRING: the text */
        struct SNode *child; /* SN_OBJECT, SN_ARRAY: first member or item */
    };
    struct SNode *next;      /* next member or item */
} SNode;

/* A new node in the arena, or NULL when out of memory. */
SNode *snode_new(Arena *a, SNodeKind kind, const char *key, const char *text);

/* The member of an object with this key (the last one when repeated), or NULL. */
SNode *snode_get(const SNode *obj, const char *key);

/* Append a member or item to an object or array (in O(members)). */
void snode_append(SNode *parent, SNode *child);

#endif
