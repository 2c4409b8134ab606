/*
 * import.c - svp import's driver: inputs in, records and reasons out.
 *
 * The driver hands each input to the reader of the mapping's source format
 * (ocds.c or csv_source.c), applies the mapping to every item they find
 * and counts: each item becomes a record or is left out with a reason,
 * both handed to the caller's sink.  It also holds the small tree helpers
 * of source.h.
 */
#include "import.h"

#include <string.h>

struct svp_import {
    const svp_mapping *m;
    const svp_allocator *alloc;
    svp_import_sink sink;
    OcdsReader *ocds;
    unsigned long written, left_out;
    unsigned long stray;   /* of those left out: lines or releases that are no procurement */
    Buf out, why;
};

/* ---- Source trees ------------------------------------------------------------ */

SNode *snode_new(Arena *a, SNodeKind kind, const char *key, const char *text)
{
    SNode *n = arena_alloc(a, sizeof *n);
    if (n) {
        n->kind = (uint8_t)kind;
        n->key = key;
        n->text = text;
    }
    return n;
}

SNode *snode_get(const SNode *obj, const char *key)
{
    SNode *found = NULL;
    for (SNode *c = obj->child; c; c = c->next)
        if (c->key && !strcmp(c->key, key))
            found = c;
    return found;
}

void snode_append(SNode *parent, SNode *child)
{
    SNode **at = &parent->child;
    while (*at)
        at = &(*at)->next;
    *at = child;
    child->next = NULL;
}

/* ---- The driver ------------------------------------------------------------- */

svp_import *svp_import_new(const svp_mapping *m, const svp_import_sink *sink, const svp_allocator *alloc)
{
    svp_import *im = svp_mem_alloc(alloc, sizeof *im);
    if (!im)
        return NULL;
    memset(im, 0, sizeof *im);
    im->m = m;
    im->alloc = alloc;
    im->sink = *sink;
    buf_init(&im->out, alloc);
    buf_init(&im->why, alloc);
    if (m->format == MAP_OCDS && !(im->ocds = ocds_new(m, alloc))) {
        svp_import_free(im);
        return NULL;
    }
    return im;
}

void svp_import_free(svp_import *im)
{
    if (!im)
        return;
    ocds_free(im->ocds);
    buf_free(&im->out);
    buf_free(&im->why);
    svp_mem_free(im->alloc, im, sizeof *im);
}

void import_left_out(svp_import *im, bool stray, const char *input, const char *label, const char *reason)
{
    im->left_out++;
    im->stray += stray;
    if (im->sink.left_out)
        im->sink.left_out(im->sink.ctx, input, label, reason);
}

void import_item(svp_import *im, const char *input, const char *label, const SNode *root, Arena *scratch)
{
    buf_clear(&im->out);
    buf_clear(&im->why);
    if (mapping_apply(im->m, scratch, root, &im->out, &im->why)) {
        im->written++;
        if (im->sink.record)
            im->sink.record(im->sink.ctx, im->out.data, im->out.len);
    } else {
        import_left_out(im, false, input, label,
                        im->why.failed || !im->why.data || !im->why.len ? "out of memory" : im->why.data);
    }
    arena_reset(scratch);
}

bool svp_import_read(svp_import *im, FILE *in, const char *name, const char **error)
{
    if (im->m->format == MAP_CSV)
        return csv_read(im->m, im, in, name, error, im->alloc);
    return ocds_read(im->ocds, im, in, name, error);
}

void svp_import_finish(svp_import *im)
{
    if (im->ocds)
        ocds_finish(im->ocds, im);
}

unsigned long svp_import_written(const svp_import *im) { return im->written; }
unsigned long svp_import_left_out(const svp_import *im) { return im->left_out; }
const char *svp_import_item_word(const svp_import *im)
{
    return im->m->format == MAP_CSV ? "rows" : im->stray ? "items (procurements, and lines or releases that are none)"
                                                         : "procurements";
}
