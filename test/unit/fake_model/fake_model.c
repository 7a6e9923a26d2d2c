/*===- fake_model.c - a hand-written stand-in for a compiled model -*- C -*-===*
 *
 * Implements kiln_model_get_abi() the way kiln-compile's output does, for the
 * runtime tests:
 *   inputs  a: float32[2,3], b: float32[3]
 *   output  y: float32[2,3] = a + b (b broadcast over rows)
 * It copies `a` into its 256-byte workspace first (so a shared workspace
 * would show up as wrong results), and runs one parallel_for over rows.
 * A run whose a[0][0] is -12345 fails with code 7 (to test error reporting).
 *
 * -DFAKE_ABI_VERSION=N builds a copy that claims another ABI version;
 * -DFAKE_OUTPUT_NAME="..." renames the output.
 *===----------------------------------------------------------------------===*/

#include "kiln/model_abi.h"

#include <stdint.h>

#ifndef FAKE_OUTPUT_NAME
#define FAKE_OUTPUT_NAME "y"
#endif

#ifndef FAKE_ABI_VERSION
#define FAKE_ABI_VERSION KILN_MODEL_ABI_VERSION
#endif

#define EXPORT __attribute__((visibility("default")))

enum { ROWS = 2, COLS = 3, WORKSPACE = 256 };

static const int64_t a_dims[] = {ROWS, COLS};
static const int64_t b_dims[] = {COLS};
static const int64_t y_dims[] = {ROWS, COLS};

static const kiln_abi_tensor inputs[] = {
    {"a", 1 /* float32 */, 2, a_dims},
    {"b", 1, 1, b_dims},
};
static const kiln_abi_tensor outputs[] = {
    {FAKE_OUTPUT_NAME, 1, 2, y_dims},
};

/* args: a, b, workspace, y */
static void row(int64_t r, void *const *args) {
  const float *a = (const float *)args[0];
  const float *b = (const float *)args[1];
  float *ws = (float *)args[2];
  float *y = (float *)args[3];
  for (int c = 0; c < COLS; ++c)
    ws[r * COLS + c] = a[r * COLS + c];
  for (int c = 0; c < COLS; ++c)
    y[r * COLS + c] = ws[r * COLS + c] + b[c];
}

static int32_t run(void *const *in, void *const *out, void *workspace,
                   kiln_rt *rt) {
  if (!workspace || ((uintptr_t)workspace & 63) != 0)
    return 3;
  const float *a = (const float *)in[0];
  if (a[0] == -12345.0f)
    return 7;
  void *args[4] = {in[0], in[1], workspace, out[0]};
  /* Poison the rest of the workspace: it is scratch, not state. */
  unsigned char *ws = (unsigned char *)workspace;
  for (int i = ROWS * COLS * (int)sizeof(float); i < WORKSPACE; ++i)
    ws[i] = (unsigned char)i;
  kiln_rt_parallel_for(rt, ROWS, row, args);
  return 0;
}

static const kiln_model_abi abi = {
    FAKE_ABI_VERSION,
    2,
    1,
    0,
    inputs,
    outputs,
    WORKSPACE,
    64,
    "fake_model (hand-written)",
    "x86_64-unknown-linux-gnu",
    run,
    0, /* no check messages: code 7 is reported as a number */
};

EXPORT const kiln_model_abi *kiln_model_get_abi(void) { return &abi; }
