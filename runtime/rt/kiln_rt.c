/*===- kiln_rt.c - thread pool linked into every compiled model ---*- C -*-===*
 *
 * kiln_rt_create / kiln_rt_destroy / kiln_rt_parallel_for (model_abi.h).
 *
 * Plain C11 + pthreads: this file is linked into model .so files that depend
 * only on libc/libm/libpthread, and cross-compiled for other CPUs. Define
 * KILN_RT_NO_THREADS for a freestanding build: parallel_for then runs every
 * loop on the caller and nothing else from libc is used.
 *
 * Design:
 *  - A pool of `threads` participants: the caller plus threads - 1 workers.
 *    threads <= 1 starts no thread at all.
 *  - Workers that finish a job spin briefly (KILN_RT_SPIN pause loops, a
 *    fraction of a millisecond) for the next one, since the parallel loops
 *    of one model run follow each other within microseconds; then they
 *    sleep on a condition variable (no spinning between runs). The caller
 *    waits for the workers the same way.
 *  - The iterations of a job [0, n) are handed out one at a time from an
 *    atomic counter to the caller and the workers (n is at most a few tens
 *    of tiles), so a participant slowed down by the machine takes fewer.
 *  - One job at a time: a caller that finds the pool busy (another thread's
 *    loop, or a nested parallel_for from inside a loop body) runs its loop
 *    on its own thread instead of waiting.
 *  - parallel_for makes no heap allocation.
 *===----------------------------------------------------------------------===*/

#include "kiln/model_abi.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define KILN_RT_EXPORT __attribute__((visibility("default")))
#else
#define KILN_RT_EXPORT
#endif

/* Upper bound on the pool size (a larger request is clamped). */
#define KILN_RT_MAX_THREADS 1024

typedef void (*kiln_rt_fn)(int64_t i, void *const *args);

/* Runs fn(i, args) for i in [begin, end). */
static void run_range(int64_t begin, int64_t end, kiln_rt_fn fn,
                      void *const *args) {
  for (int64_t i = begin; i < end; ++i)
    fn(i, args);
}

#ifdef KILN_RT_NO_THREADS

struct kiln_rt {
  int32_t threads;
};

static struct kiln_rt kiln_rt_serial = {1};

KILN_RT_EXPORT kiln_rt *kiln_rt_create(int32_t threads) {
  (void)threads;
  return &kiln_rt_serial;
}

KILN_RT_EXPORT void kiln_rt_destroy(kiln_rt *rt) { (void)rt; }

void kiln_rt_parallel_for(kiln_rt *rt, int64_t n, kiln_rt_fn fn,
                          void *const *args) {
  (void)rt;
  if (fn && n > 0)
    run_range(0, n, fn, args);
}

#else /* !KILN_RT_NO_THREADS */

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

/* Pause loops a participant spins for the next job (workers) or for the
 * end of the current one (caller) before sleeping. */
#define KILN_RT_SPIN 4000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
  __asm__ __volatile__("yield");
#endif
}

struct kiln_rt_worker {
  struct kiln_rt *rt;
  int32_t index; /* 1 .. threads - 1; the caller is participant 0 */
  pthread_t thread;
};

struct kiln_rt {
  int32_t threads; /* participants, caller included */
  int32_t started; /* workers actually started */
  struct kiln_rt_worker *workers;

  /* Held by the caller that owns the pool for the whole of one job. */
  pthread_mutex_t owner;

  /* Guards everything below. */
  pthread_mutex_t mu;
  pthread_cond_t work_cv; /* workers wait here for a new job or shutdown */
  pthread_cond_t done_cv; /* the caller waits here for pending == 0 */
  _Atomic uint64_t generation; /* bumped once per job */
  _Atomic int shutdown;
  int64_t n;
  int64_t parts; /* participants in the current job (<= threads) */
  kiln_rt_fn fn;
  void *const *args;
  _Atomic int64_t next;    /* next iteration of the current job to run */
  _Atomic int32_t pending; /* workers still in the current job */
};

/* Runs iterations of the current job until none is left. */
static void run_shared(struct kiln_rt *rt, int64_t n, kiln_rt_fn fn,
                       void *const *args) {
  for (;;) {
    int64_t i = atomic_fetch_add_explicit(&rt->next, 1, memory_order_relaxed);
    if (i >= n)
      return;
    fn(i, args);
  }
}

static void *worker_main(void *arg) {
  struct kiln_rt_worker *w = (struct kiln_rt_worker *)arg;
  struct kiln_rt *rt = w->rt;
  /* Jobs start at generation 1: a worker that starts after the first job
   * was posted still sees it. */
  uint64_t seen = 0;
  for (;;) {
    for (int spin = 0;
         spin < KILN_RT_SPIN &&
         atomic_load_explicit(&rt->generation, memory_order_acquire) == seen &&
         !atomic_load_explicit(&rt->shutdown, memory_order_relaxed);
         ++spin)
      cpu_relax();
    pthread_mutex_lock(&rt->mu);
    while (!rt->shutdown && rt->generation == seen)
      pthread_cond_wait(&rt->work_cv, &rt->mu);
    if (rt->shutdown) {
      pthread_mutex_unlock(&rt->mu);
      break;
    }
    seen = rt->generation;
    if (w->index >= rt->parts) {
      pthread_mutex_unlock(&rt->mu);
      continue; /* this job needs fewer threads */
    }
    int64_t n = rt->n;
    kiln_rt_fn fn = rt->fn;
    void *const *args = rt->args;
    pthread_mutex_unlock(&rt->mu);

    run_shared(rt, n, fn, args);

    pthread_mutex_lock(&rt->mu);
    if (--rt->pending == 0)
      pthread_cond_signal(&rt->done_cv);
    pthread_mutex_unlock(&rt->mu);
  }
  return NULL;
}

/* Stops and joins the started workers, frees everything. */
static void destroy_pool(struct kiln_rt *rt) {
  if (rt->started > 0) {
    pthread_mutex_lock(&rt->mu);
    rt->shutdown = 1;
    pthread_cond_broadcast(&rt->work_cv);
    pthread_mutex_unlock(&rt->mu);
    for (int32_t i = 0; i < rt->started; ++i)
      pthread_join(rt->workers[i].thread, NULL);
  }
  pthread_cond_destroy(&rt->done_cv);
  pthread_cond_destroy(&rt->work_cv);
  pthread_mutex_destroy(&rt->mu);
  pthread_mutex_destroy(&rt->owner);
  free(rt->workers);
  free(rt);
}

KILN_RT_EXPORT kiln_rt *kiln_rt_create(int32_t threads) {
  if (threads < 1)
    threads = 1;
  if (threads > KILN_RT_MAX_THREADS)
    threads = KILN_RT_MAX_THREADS;

  struct kiln_rt *rt = (struct kiln_rt *)calloc(1, sizeof(struct kiln_rt));
  if (!rt)
    return NULL;
  rt->threads = threads;
  if (pthread_mutex_init(&rt->owner, NULL) != 0) {
    free(rt);
    return NULL;
  }
  if (pthread_mutex_init(&rt->mu, NULL) != 0) {
    pthread_mutex_destroy(&rt->owner);
    free(rt);
    return NULL;
  }
  if (pthread_cond_init(&rt->work_cv, NULL) != 0) {
    pthread_mutex_destroy(&rt->mu);
    pthread_mutex_destroy(&rt->owner);
    free(rt);
    return NULL;
  }
  if (pthread_cond_init(&rt->done_cv, NULL) != 0) {
    pthread_cond_destroy(&rt->work_cv);
    pthread_mutex_destroy(&rt->mu);
    pthread_mutex_destroy(&rt->owner);
    free(rt);
    return NULL;
  }
  if (threads == 1)
    return rt;

  rt->workers = (struct kiln_rt_worker *)calloc((size_t)(threads - 1),
                                                sizeof(struct kiln_rt_worker));
  if (!rt->workers) {
    destroy_pool(rt);
    return NULL;
  }

  /* Workers never handle the application's signals. */
  sigset_t all, old;
  sigfillset(&all);
  int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
  int ok = 1;
  for (int32_t i = 0; i < threads - 1; ++i) {
    rt->workers[i].rt = rt;
    rt->workers[i].index = i + 1;
    if (pthread_create(&rt->workers[i].thread, NULL, worker_main,
                       &rt->workers[i]) != 0) {
      ok = 0;
      break;
    }
    rt->started++;
  }
  if (masked)
    pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (!ok) {
    destroy_pool(rt);
    return NULL;
  }
  return rt;
}

KILN_RT_EXPORT void kiln_rt_destroy(kiln_rt *rt) {
  if (rt)
    destroy_pool(rt);
}

void kiln_rt_parallel_for(kiln_rt *rt, int64_t n, kiln_rt_fn fn,
                          void *const *args) {
  if (!fn || n <= 0)
    return;
  if (!rt || rt->started == 0 || n == 1 ||
      pthread_mutex_trylock(&rt->owner) != 0) {
    /* Single-threaded pool, trivial loop, or the pool is busy. */
    run_range(0, n, fn, args);
    return;
  }

  int64_t parts = rt->started + 1;
  if (parts > n)
    parts = n;

  pthread_mutex_lock(&rt->mu);
  rt->n = n;
  rt->parts = parts;
  rt->fn = fn;
  rt->args = args;
  atomic_store_explicit(&rt->next, 0, memory_order_relaxed);
  rt->pending = (int32_t)(parts - 1);
  atomic_fetch_add_explicit(&rt->generation, 1, memory_order_release);
  pthread_cond_broadcast(&rt->work_cv);
  pthread_mutex_unlock(&rt->mu);

  run_shared(rt, n, fn, args);

  for (int spin = 0;
       spin < KILN_RT_SPIN &&
       atomic_load_explicit(&rt->pending, memory_order_acquire) > 0;
       ++spin)
    cpu_relax();
  pthread_mutex_lock(&rt->mu);
  while (rt->pending > 0)
    pthread_cond_wait(&rt->done_cv, &rt->mu);
  pthread_mutex_unlock(&rt->mu);

  pthread_mutex_unlock(&rt->owner);
}

#endif /* KILN_RT_NO_THREADS */
