/*
 * jobs.c - several threads over the records of one input, results in input
 * order (jobs.h).
 *
 * The calling thread reads records (cli_read_records) and writes results;
 * jobs - 1 worker threads evaluate, and so does the calling thread whenever
 * it would otherwise wait for a result (so `jobs` threads are busy, not
 * jobs + 1 fighting over jobs cores).  Records travel in chunks (up to 64 records or
 * 256 KiB of text), so the threads meet once per chunk.  They meet in a ring
 * of window = CLI_JOBS_WINDOW x workers slots, one chunk each, guarded by
 * one mutex:
 *
 *   - chunk number c (counting from 0) always goes into slot c % window;
 *     before filling it the reader writes out the chunk that was there
 *     (number c - window), waiting for it to be done if need be.  Since
 *     chunks are written only from that slot, and in turn, the output is
 *     in input order and at most `window` chunks are ever in flight;
 *   - workers take chunks in input order (claimed < read means the slot of
 *     chunk `claimed` is waiting), work on them without the lock, and mark
 *     them done; a condition variable is signalled only when someone waits
 *     on it;
 *   - at the end of the input the reader hands in the last chunk, says the
 *     input is over, writes out the rest in order and joins the workers.
 *
 * A slot's text and output buffers are kept and reused, so after the first
 * few chunks nothing is allocated; a chunk's text is under 256 KiB plus one
 * record (the reader caps a line at CLI_MAX_LINE), and its results are its
 * records' output.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "jobs.h"

/* Empty res for the next record, keeping its buffers. */
static void result_clear(CliJobResult *res)
{
    res->out.len = res->err.len = 0;
    res->status = 0;
    res->oom = false;
}

static void result_free(CliJobResult *res)
{
    free(res->out.s);
    free(res->err.s);
}

/* How bad an exit status is: 0, 3 (incomplete), 4 (dated before every
 * version), 1, 2 in that order. */
static int badness(int status)
{
    return status == 3 ? 1 : status == 4 ? 2 : status == 1 ? 3 : status == 2 ? 4 : 0;
}

/* Write res out (stdout, then stderr after flushing stdout), or hand it to
 * collect when there is one, and fold its status into *worst. */
static void result_write(const CliJobResult *res, CliJobCollect collect, void *ctx, int *worst)
{
    if (collect)
        collect(ctx, res);
    else if (res->out.len)
        cli_write(res->out.s, res->out.len);
    if (res->err.len) {
        cli_flush();
        fwrite(res->err.s, 1, res->err.len, stderr);
    }
    int status = res->status;
    if (res->oom) {
        cli_flush();
        fputs("svp: out of memory\n", stderr);
        status = 2;
    }
    if (badness(status) > badness(*worst))
        *worst = status;
}

/* ---- one thread: work and write as each record is read ------------------ */

typedef struct Inline {
    CliJobWork work;
    CliJobCollect collect;
    void *ctx;
    CliJobResult res;
    int *worst;
} Inline;

static void inline_record(void *ctx, const char *text, size_t len, unsigned long line)
{
    Inline *in = ctx;
    result_clear(&in->res);
    in->work(in->ctx, 0, text, len, line, &in->res);
    result_write(&in->res, in->collect, in->ctx, in->worst);
}

/* ---- several threads ------------------------------------------------------ */

/* Records travel in chunks, so that the threads meet once per chunk, not
 * once per record: a chunk is closed at CHUNK_RECORDS records or once its
 * text reaches CHUNK_BYTES (a longer record travels alone). */
#define CHUNK_RECORDS 64
#define CHUNK_BYTES (256u * 1024u)

typedef enum SlotState { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE } SlotState;

typedef struct Slot {
    SlotState state;
    CliText text;                        /* the records, one after another */
    size_t start[CHUNK_RECORDS], len[CHUNK_RECORDS];
    unsigned long line[CHUNK_RECORDS];
    unsigned count;                      /* records in the chunk */
    CliJobResult res[CHUNK_RECORDS];
} Slot;

typedef struct Pool {
    CliJobWork work;
    CliJobCollect collect;   /* NULL: results are written out */
    void *ctx;
    Slot *slots;
    size_t window;
    unsigned long read;      /* chunks handed in so far */
    unsigned long claimed;   /* chunks taken by workers so far */
    unsigned long written;   /* chunks written out so far */
    unsigned idle;           /* workers waiting for a chunk */
    bool writer_waiting;     /* the reader waits for the oldest chunk */
    bool finished;           /* the input has ended: workers stop when idle */
    unsigned caller_index;   /* the calling thread's worker index: it works too */
    int *worst;
    pthread_mutex_t lock;
    pthread_cond_t work_ready;   /* workers wait here for chunks */
    pthread_cond_t slot_done;    /* the reader waits here for results */
} Pool;

typedef struct Worker {
    Pool *pool;
    unsigned index;
    pthread_t thread;
} Worker;

/* Take the oldest chunk no one has taken (claimed < read; the lock held),
 * marking it busy. */
static Slot *claim(Pool *pool)
{
    Slot *s = &pool->slots[pool->claimed % pool->window];
    pool->claimed++;
    s->state = SLOT_BUSY;
    return s;
}

/* Work on every record of chunk s as worker `index`, without the lock,
 * then (the lock held again on return) mark it done. */
static void work_chunk(Pool *pool, Slot *s, unsigned index)
{
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < s->count; i++) {
        result_clear(&s->res[i]);
        pool->work(pool->ctx, index, s->text.s + s->start[i], s->len[i], s->line[i], &s->res[i]);
    }
    pthread_mutex_lock(&pool->lock);
    s->state = SLOT_DONE;
}

static void *worker_main(void *arg)
{
    Worker *w = arg;
    Pool *pool = w->pool;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->claimed == pool->read && !pool->finished) {
            pool->idle++;
            pthread_cond_wait(&pool->work_ready, &pool->lock);
            pool->idle--;
        }
        if (pool->claimed == pool->read)
            break; /* finished, and nothing left to take */
        work_chunk(pool, claim(pool), w->index);
        if (pool->writer_waiting)
            pthread_cond_signal(&pool->slot_done);
    }
    pthread_mutex_unlock(&pool->lock);
    /* cJSON's arena is per thread (json_arena.c): give this one's back. */
    cli_json_arena_thread_release();
    return NULL;
}

/* Write out the oldest chunk in flight once it is done.  While it is not,
 * the calling thread works on a chunk no worker has taken yet, as the last
 * worker (index jobs - 1: jobs - 1 threads are started), rather than wait:
 * so `jobs` threads are busy, no more, however the reading and writing
 * weigh. */
static void write_oldest(Pool *pool)
{
    Slot *s = &pool->slots[pool->written % pool->window];
    pthread_mutex_lock(&pool->lock);
    while (s->state != SLOT_DONE) {
        if (pool->claimed < pool->read) {
            work_chunk(pool, claim(pool), pool->caller_index);
            continue;
        }
        pool->writer_waiting = true;
        pthread_cond_wait(&pool->slot_done, &pool->lock);
        pool->writer_waiting = false;
    }
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < s->count; i++)
        result_write(&s->res[i], pool->collect, pool->ctx, pool->worst);
    s->count = 0;
    s->text.len = 0;
    s->state = SLOT_FREE; /* only the reader fills a free slot: no lock needed */
    pool->written++;
}

/* Hand the chunk being filled to the workers. */
static void submit(Pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->slots[pool->read % pool->window].state = SLOT_READY;
    pool->read++;
    if (pool->idle)
        pthread_cond_signal(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
}

static void pool_record(void *ctx, const char *text, size_t len, unsigned long line)
{
    Pool *pool = ctx;
    Slot *s = &pool->slots[pool->read % pool->window];
    if (s->state != SLOT_FREE)
        write_oldest(pool); /* the window is full: s holds the oldest chunk */
    if (s->count && s->text.len + len > CHUNK_BYTES) {
        submit(pool);
        pool_record(ctx, text, len, line); /* into the next chunk */
        return;
    }
    s->start[s->count] = s->text.len;
    cli_text_addn(&s->text, text, len);
    s->len[s->count] = len;
    s->line[s->count] = line;
    if (++s->count == CHUNK_RECORDS)
        submit(pool);
}

static int run_pool(const char *path, unsigned jobs, CliJobWork work, CliJobCollect collect, void *ctx, int *worst)
{
    Pool pool = {.work = work, .collect = collect, .ctx = ctx, .window = (size_t)jobs * CLI_JOBS_WINDOW,
                 .worst = worst, .caller_index = jobs - 1};
    pool.slots = calloc(pool.window, sizeof *pool.slots);
    Worker *workers = calloc(jobs, sizeof *workers);
    if (!pool.slots || !workers) {
        free(pool.slots);
        free(workers);
        return -1;
    }
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.work_ready, NULL);
    pthread_cond_init(&pool.slot_done, NULL);
    unsigned started = 0;
    for (; started < jobs - 1; started++) { /* and this thread, as worker jobs - 1 */
        workers[started] = (Worker){.pool = &pool, .index = started};
        if (pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]))
            break;
    }
    int status = -1;
    if (started) {
        status = cli_read_records(path, pool_record, &pool);
        const Slot *last = &pool.slots[pool.read % pool.window];
        if (last->state == SLOT_FREE && last->count)
            submit(&pool); /* the last chunk, not full (a full one went already) */
        pthread_mutex_lock(&pool.lock);
        pool.finished = true;
        pthread_cond_broadcast(&pool.work_ready);
        pthread_mutex_unlock(&pool.lock);
        while (pool.written < pool.read)
            write_oldest(&pool);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    for (size_t i = 0; i < pool.window; i++) {
        free(pool.slots[i].text.s);
        for (unsigned r = 0; r < CHUNK_RECORDS; r++)
            result_free(&pool.slots[i].res[r]);
    }
    pthread_cond_destroy(&pool.slot_done);
    pthread_cond_destroy(&pool.work_ready);
    pthread_mutex_destroy(&pool.lock);
    free(pool.slots);
    free(workers);
    return status; /* -1: no thread could be started */
}

int cli_jobs_collect(const char *path, unsigned jobs, CliJobWork work, CliJobCollect collect, void *ctx,
                     int *worst)
{
    if (jobs > 1) {
        int status = run_pool(path, jobs, work, collect, ctx, worst);
        if (status >= 0)
            return status;
        /* No thread could be started: do the work here instead. */
    }
    Inline in = {.work = work, .collect = collect, .ctx = ctx, .worst = worst};
    int status = cli_read_records(path, inline_record, &in);
    result_free(&in.res);
    return status;
}

int cli_jobs_run(const char *path, unsigned jobs, CliJobWork work, void *ctx, int *worst)
{
    return cli_jobs_collect(path, jobs, work, NULL, ctx, worst);
}

bool cli_take_jobs(int argc, char **argv, int *i, unsigned *jobs, bool *bad)
{
    const char *a = argv[*i], *n;
    if (!strcmp(a, "--jobs") && *i + 1 < argc)
        n = argv[++*i];
    else if (!strncmp(a, "--jobs=", 7))
        n = a + 7;
    else
        return false;
    unsigned long v = 0;
    bool ok = *n != '\0';
    for (const char *c = n; ok && *c; c++) {
        ok = *c >= '0' && *c <= '9';
        v = v * 10 + (unsigned long)(*c - '0');
        ok = ok && v <= CLI_JOBS_MAX;
    }
    *bad = !ok || v == 0;
    *jobs = *bad ? 1 : (unsigned)v;
    return true;
}

unsigned cli_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > CLI_JOBS_MAX ? CLI_JOBS_MAX : (unsigned)n;
}
