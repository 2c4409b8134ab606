/*
 * record.h - reading one JSON record and binding it to the policy's slots
 * (internal; record.c).
 */
#ifndef SVP_RECORD_H
#define SVP_RECORD_H

#include "eval.h"

/* Parse json[0, len) and bind it into a new array of p->nslots Vals in
 * ev's scratch arena (decision slots left for the evaluator).  On success
 * returns the slots; the record's tree (ev->root: in the scratch arena, or
 * in ev->tree when cJSON read it) lives, text values pointing into it,
 * until the next record.  When `from` (another evaluator, or NULL) has
 * just read the same text (the same pointer and length) into a tree, that
 * tree is bound instead of reading the text again; ev's texts then point
 * into from's record, which must outlive ev's result.  On failure returns NULL
 * with ev->error_field (empty: the record as a whole) and
 * ev->error_message saying what is wrong.  *id receives the record's id
 * when it has a text one, else NULL. */
Val *record_bind(svp_evaluator *ev, const svp_evaluator *from, const char *json, size_t len, const char **id);

#endif
