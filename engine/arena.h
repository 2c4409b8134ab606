/*
 * arena.h - bump allocation for things that live and die together.
 *
 * A compiled policy keeps every node, name and constant in one arena and
 * frees it in one call; evaluation resets a scratch arena per record, so a
 * batch of a million records runs in the memory of one.  Every byte comes
 * from the caller's allocator (svp_allocator in svp.h), which lets the
 * out-of-memory tests fail any single allocation.
 */
#ifndef SVP_ARENA_H
#define SVP_ARENA_H

#include <stddef.h>
#include "svp.h"

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    const svp_allocator *alloc; /* where blocks come from */
    ArenaBlock *head;           /* newest block; older ones chained behind */
    size_t used;                /* bytes used in head */
    size_t total;               /* bytes in all blocks, for the size limit */
    size_t limit;               /* 0, or the most total may reach */
} Arena;

void arena_init(Arena *a, const svp_allocator *alloc, size_t limit);

/* Zeroed, max-aligned memory owned by the arena; NULL when the allocator
 * fails or the limit would be passed. */
void *arena_alloc(Arena *a, size_t size);

/* A NUL-terminated copy of text[0..len) in the arena, or NULL. */
char *arena_strndup(Arena *a, const char *text, size_t len);

/* Forget everything allocated but keep the newest block for reuse. */
void arena_reset(Arena *a);

/* Return every block to the allocator. */
void arena_free(Arena *a);

/* The allocator funnel: malloc/free through an svp_allocator (NULL means
 * the C library's). */
void *svp_mem_alloc(const svp_allocator *alloc, size_t size);
void *svp_mem_realloc(const svp_allocator *alloc, void *p, size_t old_size, size_t size);
void svp_mem_free(const svp_allocator *alloc, void *p, size_t size);

#endif
