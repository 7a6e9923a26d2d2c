/*===- kiln_runner.c - run a compiled model on raw files ----------*- C -*-===*
 *
 *   kiln-runner MODEL.so OUTDIR [INPUT.bin ...]
 *
 * A small C runner over kiln.h, cross-built for every target with a Debian
 * cross libc (build/lib/<target>/kiln-runner) so a model .so runs on the
 * emulated target (qemu-user) with no C++ runtime. Inputs are raw dense
 * row-major files, one per model input in order, of exactly the size the
 * model declares; a missing INPUT is filled with a fixed pseudo-random
 * pattern (floats in [-1, 1), integers 0 or 1). Writes OUTDIR/output_<i>.bin
 * (raw) and prints one line per input and output: index, name, dtype and
 * dims. Exit status: 0 success, 1 error.
 *===----------------------------------------------------------------------===*/
#include <kiln/kiln.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_info(const char *kind, int32_t i, const kiln_tensor_info *t) {
  printf("%s %d %s %s [", kind, (int)i, t->name, kiln_dtype_name(t->dtype));
  for (int32_t k = 0; k < t->rank; ++k)
    printf("%s%lld", k ? "," : "", (long long)t->dims[k]);
  printf("]\n");
}

/* Deterministic filler: xorshift32. */
static void fill(void *data, size_t bytes, kiln_dtype dtype, uint32_t seed) {
  uint32_t s = seed * 2654435761u + 1;
  size_t size = kiln_dtype_size(dtype);
  size_t n = size ? bytes / size : 0;
  for (size_t i = 0; i < n; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    switch (dtype) {
    case KILN_DTYPE_FLOAT32:
      ((float *)data)[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
      break;
    case KILN_DTYPE_FLOAT64:
      ((double *)data)[i] = (double)(s >> 8) / 8388608.0 - 1.0;
      break;
    default: /* integers and bool: 0 or 1 in the low byte */
      memset((char *)data + i * size, 0, size);
      ((unsigned char *)data)[i * size] = (unsigned char)(s >> 31);
      break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: kiln-runner MODEL.so OUTDIR [INPUT.bin ...]\n");
    return 1;
  }
  kiln_model *model;
  if (kiln_model_load(argv[1], &model) != KILN_OK) {
    fprintf(stderr, "kiln-runner: %s\n", kiln_last_error());
    return 1;
  }
  int32_t nin = kiln_model_num_inputs(model);
  int32_t nout = kiln_model_num_outputs(model);
  void **inputs = calloc((size_t)nin + 1, sizeof(void *));
  void **outputs = calloc((size_t)nout + 1, sizeof(void *));
  if (!inputs || !outputs)
    return 1;
  for (int32_t i = 0; i < nin; ++i) {
    kiln_tensor_info info;
    kiln_model_input_info(model, i, &info);
    print_info("input", i, &info);
    size_t bytes = kiln_model_input_bytes(model, i);
    void *buf = malloc(bytes ? bytes : 1);
    if (!buf)
      return 1;
    if (3 + i < argc) {
      FILE *f = fopen(argv[3 + i], "rb");
      if (!f || fread(buf, 1, bytes, f) != bytes || fgetc(f) != EOF) {
        fprintf(stderr, "kiln-runner: %s is not %zu bytes (input %d)\n",
                argv[3 + i], bytes, (int)i);
        return 1;
      }
      fclose(f);
    } else {
      fill(buf, bytes, info.dtype, (uint32_t)i + 1);
    }
    inputs[i] = buf;
  }
  for (int32_t i = 0; i < nout; ++i) {
    kiln_tensor_info info;
    kiln_model_output_info(model, i, &info);
    print_info("output", i, &info);
    size_t bytes = kiln_model_output_bytes(model, i);
    outputs[i] = malloc(bytes ? bytes : 1);
    if (!outputs[i])
      return 1;
  }
  if (kiln_model_run(model, (const void *const *)inputs, nin, outputs, nout,
                     NULL) != KILN_OK) {
    fprintf(stderr, "kiln-runner: run failed: %s\n", kiln_last_error());
    return 1;
  }
  for (int32_t i = 0; i < nout; ++i) {
    char path[4096];
    snprintf(path, sizeof path, "%s/output_%d.bin", argv[2], (int)i);
    FILE *f = fopen(path, "wb");
    size_t bytes = kiln_model_output_bytes(model, i);
    if (!f || fwrite(outputs[i], 1, bytes, f) != bytes || fclose(f) != 0) {
      fprintf(stderr, "kiln-runner: cannot write %s\n", path);
      return 1;
    }
    free(outputs[i]);
  }
  for (int32_t i = 0; i < nin; ++i)
    free(inputs[i]);
  free(inputs);
  free(outputs);
  kiln_model_free(model);
  return 0;
}
