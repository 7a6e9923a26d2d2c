/* Links a model compiled with --emit=static (tiny.o + tiny.h) into a program:
 *   static_main INPUT.f32 OUTPUT.f32
 * runs it on the caller, then with a 2-thread pool, checks both agree and
 * that the ABI record matches the header, and writes the output. */
#include "tiny.h"

#include <kiln/model_abi.h>

#include <stdio.h>
#include <string.h>

static float input[TINY_IMAGE_ELEMENTS];
static float serial[TINY_PROBS_ELEMENTS], threaded[TINY_PROBS_ELEMENTS];
static unsigned char workspace[TINY_WORKSPACE_SIZE]
    __attribute__((aligned(TINY_WORKSPACE_ALIGNMENT)));

int main(int argc, char **argv) {
  FILE *f = argc == 3 ? fopen(argv[1], "rb") : NULL;
  if (!f || fread(input, 1, TINY_IMAGE_BYTES, f) != TINY_IMAGE_BYTES)
    return 2;
  fclose(f);
  const int64_t dims[] = TINY_IMAGE_DIMS;
  const kiln_model_abi *abi = tiny_get_abi();
  if (abi->workspace_size != TINY_WORKSPACE_SIZE || abi->num_inputs != 1 ||
      abi->inputs[0].rank != TINY_IMAGE_RANK ||
      memcmp(abi->inputs[0].dims, dims, sizeof dims) != 0 ||
      abi->inputs[0].dtype != TINY_IMAGE_DTYPE)
    return 3;
  if (tiny_run(input, serial, workspace, NULL) != 0)
    return 4;
  kiln_rt *rt = kiln_rt_create(2);
  if (!rt || tiny_run(input, threaded, workspace, rt) != 0)
    return 5;
  kiln_rt_destroy(rt);
  if (memcmp(serial, threaded, sizeof serial) != 0)
    return 6;
  f = fopen(argv[2], "wb");
  if (!f || fwrite(serial, 1, TINY_PROBS_BYTES, f) != TINY_PROBS_BYTES)
    return 7;
  fclose(f);
  printf("static: %s, workspace %u bytes\n", abi->target,
         (unsigned)TINY_WORKSPACE_SIZE);
  return 0;
}
