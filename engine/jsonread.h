/*
 * jsonread.h - a record's JSON text read into a tree in one pass, in the
 * evaluator's scratch arena (internal; jsonread.c).
 *
 * The record reader (record.c) binds a cJSON-shaped tree.  cJSON builds
 * that tree with an allocation per node and per string, a strtod per
 * number and three string comparisons per value, and record.c must scan
 * the text once more beforehand for the numbers' own characters.
 * jsonread_parse does both in one pass over plain records and leaves
 * anything it is not sure of to that slower, proven path.
 */
#ifndef SVP_JSONREAD_H
#define SVP_JSONREAD_H

#include <cjson/cJSON.h>

#include "arena.h"
#include "eval.h"

/* Where the numbers of a record go: the evaluator's growable array. */
typedef struct JsonNumbers {
    NumberSpan **spans;      /* *spans grows through alloc */
    size_t *count, *cap;
    const svp_allocator *alloc;
} JsonNumbers;

/* Read json[0, len), one JSON value and white space around it, into a
 * tree of cJSON nodes allocated in arena (never to be given to
 * cJSON_Delete: it goes when the arena is reset), and every number's span
 * of text, in document order, into nums.
 *
 * Returns the root, or NULL when the text is not plainly acceptable:
 * anything record.c's scan or cJSON would refuse (not JSON, a raw control
 * character in a string, bytes that are not UTF-8, \u0000), anything where
 * cJSON's reading is better left to cJSON (an escaped UTF-16 surrogate, a
 * number of more than 60 characters, nesting deeper than 128 levels), or
 * no memory.  NULL is never an answer about the record: the caller then
 * reads it the slow way, which says what is wrong, if anything.  When a
 * root is returned, the tree is the one cJSON_ParseWithLength would build
 * (the same types, keys, texts and order; numbers' valuedouble is left 0
 * and valueint holds the number's index in nums, as record.c numbers them)
 * and nums is what record.c's own scan would find. */
cJSON *jsonread_parse(Arena *arena, const char *json, size_t len, JsonNumbers nums);

/* The length of the JSON number text[0, n) starts with, by JSON's grammar
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; 0 when it starts with
 * none.  What follows is not looked at. */
size_t jsonread_number_len(const char *text, size_t n);

#endif
