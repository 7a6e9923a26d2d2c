/* Keyword spotting on a Cortex-M: runs the model compiled by
 *   kiln-compile kws.onnx --target=thumbv7em-none-eabihf --cpu=cortex-m7 \
 *     --emit=static -o kws.o        (writes kws.o and kws.h)
 * on one MFCC frame block (input.h, generated) and prints the 12 keyword
 * probabilities (hex bits, then decimal), the RAM it used and the workspace
 * size the compiler reported. No heap, no threads, no OS. */
#include "input.h" /* static const float kws_input[KWS_MFCC_ELEMENTS] */
#include "kws.h"
#include "semihost.h"

#include <stdint.h>

unsigned stack_high_water(void);

/* Exactly the workspace the compiler reports, aligned as it asks. */
static uint8_t workspace[KWS_WORKSPACE_SIZE]
    __attribute__((aligned(KWS_WORKSPACE_ALIGNMENT)));
static float probs[KWS_PROBS_ELEMENTS];

int main(void) {
  sh_puts("kws: running\n");
  if (kws_run(kws_input, probs, workspace, 0) != 0) {
    sh_puts("kws: run failed\n");
    return 1;
  }
  for (int i = 0; i < KWS_PROBS_ELEMENTS; ++i) {
    sh_puts("out ");
    sh_put_u32((unsigned)i);
    sh_puts(" ");
    union {
      float f;
      uint32_t u;
    } bits = {probs[i]};
    sh_put_hex(bits.u);
    sh_puts(" ");
    sh_put_float(probs[i]);
    sh_puts("\n");
  }
  sh_puts("workspace ");
  sh_put_u32(KWS_WORKSPACE_SIZE);
  sh_puts(" bytes\nstack ");
  sh_put_u32(stack_high_water());
  sh_puts(" bytes\nkws: done\n");
  return 0;
}
