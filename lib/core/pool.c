/* The thread pool (contract and reasons: pool.h).
 *
 * One call is served at a time (`busy`). The caller publishes its job with
 * two atomic stores: a pointer to the job (on the caller's stack) and then
 * a ticket = (generation << 7) | team. A worker decides from the ticket
 * alone whether it takes part (worker w does when w + 1 < team), so a
 * worker that is not needed never touches the job; the caller returns only
 * when every worker that takes part has counted itself out of `pending`.
 *
 * Waiting: a worker spins on the ticket for SPIN_NS, yielding the core
 * every few spins so that a thread with work runs first, then sleeps on a
 * condition variable; the caller wakes sleepers only when there are some.
 * The caller waits for the workers the same way but never sleeps (its wait
 * is the slowest part's remainder). */
#include "core/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "core/profile.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

enum {
    MAX_WORKERS = 63,            /* team <= 64 fits the ticket's 7 bits */
    TEAM_BITS = 7,
    SPIN_NS = 50 * 1000,         /* about the gap between two kernels of a step */
    SPINS_PER_YIELD = 64,
};

typedef struct job {
    nnl_parallel_fn fn;
    void *ctx;
    int parts, team;
    const char *label;         /* profiling: the caller's open event (a kernel), which names the workers' parts */
    nnl_profile_phase phase;
} job;

static struct {
    pthread_mutex_t busy;  /* held by the call being served */
    pthread_mutex_t lock;  /* with `wake`: sleeping workers */
    pthread_cond_t wake;
    pthread_t threads[MAX_WORKERS];
    uint64_t first_seen[MAX_WORKERS]; /* the ticket before the worker's first job */
    int workers;           /* started; only changed while holding `busy` */
    _Atomic uint64_t ticket;
    _Atomic(job *) current;
    _Atomic int pending;   /* workers of the current job still running */
    _Atomic int sleepers;
    _Atomic int stop;
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void run_parts(const job *j, int first)
{
    for (int part = first; part < j->parts; part += j->team)
        j->fn(j->ctx, part, j->parts);
}

/* A worker's parts as profiler events, "<kernel> task" on the worker's track. */
static void run_parts_profiled(const job *j, int first)
{
    for (int part = first; part < j->parts; part += j->team) {
        nnl_profile_begin(NNL_PROFILE_POOL_TASK, j->label, part, j->phase);
        j->fn(j->ctx, part, j->parts);
        nnl_profile_end(0);
    }
}

/* The next ticket after `seen`: spin for SPIN_NS, then sleep. */
static uint64_t wait_for_ticket(uint64_t seen)
{
    int64_t start = now_ns();
    for (unsigned spins = 1;; spins++) {
        uint64_t t = atomic_load(&pool.ticket);
        if (t != seen)
            return t;
        if (spins % SPINS_PER_YIELD == 0) {
            if (now_ns() - start > SPIN_NS)
                break;
            sched_yield();
        }
        CPU_RELAX();
    }
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.sleepers, 1);
    uint64_t t;
    while ((t = atomic_load(&pool.ticket)) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.lock);
    return t;
}

static void *worker_main(void *arg)
{
    int index = (int)(intptr_t)arg, id = index + 1; /* the caller is member 0 of every team */
    uint64_t seen = pool.first_seen[index];
    nnl_profile_name_thread("pool worker", id);
    for (;;) {
        seen = wait_for_ticket(seen);
        if (atomic_load(&pool.stop))
            return NULL;
        int team = (int)(seen & ((1u << TEAM_BITS) - 1));
        if (id < team) {
            const job *j = atomic_load(&pool.current);
            if (j->label)
                run_parts_profiled(j, id);
            else
                run_parts(j, id);
            atomic_fetch_sub(&pool.pending, 1);
        }
    }
}

/* Start workers until there are `wanted` (fewer if the system refuses). */
static void start_workers(int wanted)
{
    while (pool.workers < wanted && pool.workers < MAX_WORKERS) {
        pool.first_seen[pool.workers] = atomic_load(&pool.ticket);
        if (pthread_create(&pool.threads[pool.workers], NULL, worker_main, (void *)(intptr_t)pool.workers) != 0)
            return;
        pool.workers++;
    }
}

static void publish(job *j)
{
    atomic_store(&pool.pending, j->team - 1);
    atomic_store(&pool.current, j);
    uint64_t generation = (atomic_load(&pool.ticket) >> TEAM_BITS) + 1;
    atomic_store(&pool.ticket, generation << TEAM_BITS | (uint64_t)j->team);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
}

static void wait_for_workers(void)
{
    int64_t start = now_ns();
    for (unsigned spins = 1; atomic_load(&pool.pending) > 0; spins++) {
        if (spins % SPINS_PER_YIELD == 0 && now_ns() - start > SPIN_NS)
            sched_yield(); /* a descheduled worker gets the core */
        CPU_RELAX();
    }
}

void nnl_parallel_run(int parts, nnl_parallel_fn fn, void *ctx)
{
    job j = {fn, ctx, parts, 1, NULL, NNL_PROFILE_NO_PHASE};
    if (parts <= 1 || pthread_mutex_trylock(&pool.busy) != 0) {
        run_parts(&j, 0); /* one part, a nested call, or the pool is serving another thread */
        return;
    }
    start_workers(parts - 1);
    j.team = parts < pool.workers + 1 ? parts : pool.workers + 1;
    if (nnl_profile_on() && (j.label = nnl_profile_current(&j.phase)) == NULL)
        j.label = "parallel";
    if (j.team > 1)
        publish(&j);
    run_parts(&j, 0);
    if (j.team > 1)
        wait_for_workers();
    pthread_mutex_unlock(&pool.busy);
}

void nnl_parallel_share(int64_t n, int64_t align, int part, int parts, int64_t *begin, int64_t *end)
{
    int64_t units = (n + align - 1) / align;
    *begin = units * part / parts * align;
    *end = units * (part + 1) / parts * align;
    if (*begin > n)
        *begin = n;
    if (*end > n)
        *end = n;
}

typedef struct task_job {
    nnl_task_fn fn;
    void *ctx;
    int64_t count;
    _Atomic int64_t next; /* the next task not yet taken */
} task_job;

static void take_tasks(void *arg, int part, int parts)
{
    (void)parts;
    task_job *j = arg;
    for (int64_t t; (t = atomic_fetch_add(&j->next, 1)) < j->count;)
        j->fn(j->ctx, t, part);
}

void nnl_parallel_tasks(int parts, int64_t count, nnl_task_fn fn, void *ctx)
{
    task_job j = {fn, ctx, count, 0};
    nnl_parallel_run((int64_t)parts < count ? parts : (int)(count > 0 ? count : 1), take_tasks, &j);
}

/* A forked child has none of the parent's workers: it starts its own. */
static void forget_workers_after_fork(void)
{
    pthread_mutex_init(&pool.busy, NULL);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pool.workers = 0;
    atomic_store(&pool.pending, 0);
    atomic_store(&pool.sleepers, 0);
}

__attribute__((constructor)) static void pool_init(void)
{
    pthread_atfork(NULL, NULL, forget_workers_after_fork);
}

/* Workers run library code: they must be gone before the library is. (A
 * process that exits while another of its threads is inside a call keeps
 * them: waiting for that call could hang the exit.) */
__attribute__((destructor)) static void pool_stop(void)
{
    if (pthread_mutex_trylock(&pool.busy) != 0)
        return;
    if (pool.workers > 0) {
        atomic_store(&pool.stop, 1);
        atomic_store(&pool.ticket, ((atomic_load(&pool.ticket) >> TEAM_BITS) + 1) << TEAM_BITS);
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
        for (int w = 0; w < pool.workers; w++)
            pthread_join(pool.threads[w], NULL);
        pool.workers = 0;
    }
    pthread_mutex_unlock(&pool.busy);
}
