/*
 * import.h - what the source readers (ocds.c, csv_source.c) hand the
 * import driver (import.c): each item, made into a record or left out.
 *
 * The driver owns the counts and the caller's sink, so that every item
 * is accounted for in one place: a record written, or a reason given.
 */
#ifndef SVP_IMPORT_H
#define SVP_IMPORT_H

#include <stdio.h>

#include "mapping.h"

/* Apply the mapping to an item (root) and hand the record, or the reason
 * it is left out, to the sink.  label names the item in a reason ("ocid
 * X", "line 7"); input is the input's name.  scratch is reset after. */
void import_item(svp_import *im, const char *input, const char *label, const SNode *root, Arena *scratch);

/* An item left out before it could be mapped (a short row...); stray: a
 * line or release that is not a procurement at all (not JSON, no ocid). */
void import_left_out(svp_import *im, bool stray, const char *input, const char *label, const char *reason);

/* ---- ocds.c ---- */

typedef struct OcdsReader OcdsReader;

/* Extend the paths a mapping reads so that the parties that awards,
 * tenderers and the buyer name by id keep the fields read through them.
 * False when out of memory. */
bool ocds_add_party_reads(ReadPath *root, Arena *a);

OcdsReader *ocds_new(const svp_mapping *m, const svp_allocator *alloc);
void ocds_free(OcdsReader *r);

/* Read one input (JSON Lines, or one JSON document) and keep its releases.
 * False when the input cannot be read at all: *error says why. */
bool ocds_read(OcdsReader *r, svp_import *im, FILE *in, const char *name, const char **error);

/* Merge each procurement's releases and hand it to import_item, in the
 * order the procurements first appeared. */
void ocds_finish(OcdsReader *r, svp_import *im);

/* ---- csv_source.c ---- */

/* Read a CSV register: the header row, then one item per row.  False
 * when the input cannot be read (or lacks a column the mapping names):
 * *error says why. */
bool csv_read(const svp_mapping *m, svp_import *im, FILE *in, const char *name, const char **error,
              const svp_allocator *alloc);

#endif
