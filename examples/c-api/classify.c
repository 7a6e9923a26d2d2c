/* Runs a model compiled by kiln-compile on one input read from a raw float32
 * file and prints the index of the largest output value.
 *   cc classify.c -Iruntime/include -Lbuild/lib -lkiln -o classify
 *   ./classify model.so input.f32 */
#include <kiln/kiln.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  kiln_model *model;
  if (argc != 3 || kiln_model_load(argv[1], &model) != KILN_OK) {
    fprintf(stderr, "usage: classify MODEL.so INPUT.f32 (%s)\n", kiln_last_error());
    return 1;
  }
  size_t in_bytes = kiln_model_input_bytes(model, 0);
  size_t out_bytes = kiln_model_output_bytes(model, 0);
  float *in = malloc(in_bytes), *out = malloc(out_bytes);
  FILE *f = fopen(argv[2], "rb");
  if (!f || fread(in, 1, in_bytes, f) != in_bytes) {
    fprintf(stderr, "cannot read %zu bytes from %s\n", in_bytes, argv[2]);
    return 1;
  }
  fclose(f);
  const void *inputs[] = {in};
  void *outputs[] = {out};
  if (kiln_model_run(model, inputs, 1, outputs, 1, NULL) != KILN_OK) {
    fprintf(stderr, "run failed: %s\n", kiln_last_error());
    return 1;
  }
  size_t best = 0;
  for (size_t i = 1; i < out_bytes / sizeof(float); ++i)
    if (out[i] > out[best])
      best = i;
  printf("class %zu (%.4f)\n", best, out[best]);
  kiln_model_free(model);
  free(in);
  free(out);
  return 0;
}
