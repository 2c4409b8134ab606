/*
 * json_arena.c - a per-record arena for cJSON's allocations in `svp eval`.
 *
 * cJSON allocates every node, key and string with its own malloc and frees
 * each one again; for a stream of records that live and die one after the
 * other, that is a large share of the whole run.  The command therefore
 * gives cJSON (through cJSON_InitHooks, a process-wide setting that only
 * an application may make, never the library) a bump allocator whose free
 * does nothing, and resets it between records.
 *
 * The command lets go of each record (svp_evaluator_reset) once its
 * result is printed, so no tree outlives its record.  Two arenas still
 * alternate, as a margin: the one reset for record N+1 held record N-1.
 *
 * Memory stays bounded by twice the largest record's tree, per thread: the
 * arenas are thread-local, so `--jobs` workers each have their own.  Builds for the
 * sanitizers define SVP_NO_CJSON_ARENA, so that every cJSON allocation is
 * a real one that AddressSanitizer can watch.
 */
#include <cjson/cJSON.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

#include "cli.h"

#ifndef SVP_NO_CJSON_ARENA

#define BLOCK_SIZE (64u * 1024u)

typedef struct Block {
    struct Block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} Block;

typedef struct JsonArena {
    Block *first;   /* blocks are kept across resets */
    Block *current;
} JsonArena;

/* Each thread has its own (cJSON's hooks are process-wide, so every
 * thread's cJSON calls come here; --jobs runs one record per thread at a
 * time). */
static _Thread_local JsonArena arenas[2];
static _Thread_local int active;

static void *arena_malloc(size_t size)
{
    JsonArena *a = &arenas[active];
    size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    Block *b = a->current;
    while (b && b->size - b->used < size)
        b = b->next; /* a later block kept from an earlier, larger record */
    if (!b) {
        size_t want = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        b = malloc(sizeof *b + want);
        if (!b)
            return NULL;
        b->size = want;
        b->used = 0;
        b->next = NULL;
        Block **tail = &a->first;
        while (*tail)
            tail = &(*tail)->next;
        *tail = b;
    }
    a->current = b;
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

static void arena_free_nothing(void *p)
{
    (void)p; /* released all at once by cli_json_arena_next_record */
}

void cli_json_arena_install(void)
{
    cJSON_Hooks hooks = {arena_malloc, arena_free_nothing};
    cJSON_InitHooks(&hooks);
}

void cli_json_arena_next_record(void)
{
    active = !active;
    JsonArena *a = &arenas[active];
    for (Block *b = a->first; b; b = b->next)
        b->used = 0;
    a->current = a->first;
}

void cli_json_arena_release(void)
{
    cJSON_InitHooks(NULL);
    cli_json_arena_thread_release();
}

void cli_json_arena_thread_release(void)
{
    for (int i = 0; i < 2; i++) {
        while (arenas[i].first) {
            Block *b = arenas[i].first;
            arenas[i].first = b->next;
            free(b);
        }
        arenas[i].current = NULL;
    }
}

#else

void cli_json_arena_install(void) {}
void cli_json_arena_next_record(void) {}
void cli_json_arena_release(void) {}
void cli_json_arena_thread_release(void) {}

#endif
