/* Single-core fp32 FMA peak of this CPU, for test/perf/bench.py.
 *
 * Compiled at run time with -O2 -march=native -ffp-contract=fast (and
 * -mprefer-vector-width=512 on x86, or 512-bit vectors may be split in two):
 * the widest vector the compiler enables picks the ISA (AVX-512F, AVX2+FMA,
 * NEON, else scalar). CHAINS independent accumulators, each updated by acc = acc * m + a
 * (one fused multiply-add per lane), hide the FMA latency so that every FMA
 * pipe issues each cycle: latency 4 x 2 pipes needs 8 chains; 12 fit in the
 * 16 AVX2 registers beside the two operands, 16 in the 32 of AVX-512/NEON.
 *
 * Prints one JSON object:
 *   {"isa": "avx2+fma", "lanes": 8, "chains": 12, "gflops": 78.1}
 * gflops: the best of RUNS timed runs, 2 FLOP per lane per FMA.
 */
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define ISA "avx512f"
#define VEC_BYTES 64
#define CHAINS 16
#elif defined(__AVX2__) && defined(__FMA__)
#define ISA "avx2+fma"
#define VEC_BYTES 32
#define CHAINS 12
#elif defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)
#define ISA "neon"
#define VEC_BYTES 16
#define CHAINS 16
#else
#define ISA "scalar"
#define VEC_BYTES 4
#define CHAINS 12
#endif

#define LANES (VEC_BYTES / 4)
#define RUNS 7
#define TARGET_SECONDS 0.05

typedef float vec __attribute__((vector_size(VEC_BYTES)));

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs `iterations` x CHAINS vector FMAs; returns a value that depends on all
 * of them so that none is dead. The accumulators converge to a / (1 - m). */
static float fma_loop(long iterations, float m_scalar, float a_scalar) {
  vec m = {0}, a = {0}, acc[CHAINS];
  for (int l = 0; l < LANES; ++l) {
    m[l] = m_scalar;
    a[l] = a_scalar;
  }
  for (int c = 0; c < CHAINS; ++c)
    acc[c] = a * (float)c;
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = acc[c] * m + a;
  }
  vec sum = {0};
  for (int c = 0; c < CHAINS; ++c)
    sum += acc[c];
  float total = 0.0f;
  for (int l = 0; l < LANES; ++l)
    total += sum[l];
  return total;
}

int main(void) {
  /* volatile: the compiler must not fold the loop into a closed form. */
  volatile float m = 0.999999f, a = 1e-6f;
  volatile float sink = 0.0f;

  long iterations = 1 << 16;
  for (;;) { /* calibrate: one run takes at least TARGET_SECONDS */
    double start = now();
    sink += fma_loop(iterations, m, a);
    if (now() - start >= TARGET_SECONDS)
      break;
    iterations *= 2;
  }
  double best = 0.0;
  for (int r = 0; r < RUNS; ++r) {
    double start = now();
    sink += fma_loop(iterations, m, a);
    double seconds = now() - start;
    double gflops = 2.0 * LANES * CHAINS * (double)iterations / seconds * 1e-9;
    if (gflops > best)
      best = gflops;
  }
  printf("{\"isa\": \"%s\", \"lanes\": %d, \"chains\": %d, \"gflops\": %.1f, "
         "\"checksum\": %g}\n",
         ISA, LANES, CHAINS, best, (double)sink);
  return 0;
}
