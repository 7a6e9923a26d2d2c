/* ARM semihosting for Cortex-M: "bkpt 0xab" with the operation in r0 and
 * its argument in r1. */
#include "semihost.h"

#include <stdint.h>

static int sh_call(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void sh_puts(const char *s) { sh_call(0x04 /* SYS_WRITE0 */, s); }

void sh_exit(int status) {
  /* ADP_Stopped_ApplicationExit (0x20026) makes qemu exit with status 0,
   * ADP_Stopped_RunTimeErrorUnknown (0x20023) with status 1. */
  sh_call(0x18 /* SYS_EXIT */, (const void *)(uintptr_t)(status == 0 ? 0x20026 : 0x20023));
  for (;;) {
  }
}

void sh_put_u32(unsigned v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  sh_puts(buf + i);
}

void sh_put_hex(unsigned v) {
  char buf[9];
  for (int i = 7; i >= 0; --i, v >>= 4)
    buf[i] = "0123456789abcdef"[v & 15];
  buf[8] = 0;
  sh_puts(buf);
}

void sh_put_float(float f) {
  if (f != f) {
    sh_puts("nan");
    return;
  }
  if (f < 0) {
    sh_puts("-");
    f = -f;
  }
  if (f >= 4294967040.0f) {
    sh_puts("big");
    return;
  }
  unsigned whole = (unsigned)f;
  unsigned frac = (unsigned)((f - (float)whole) * 1000000.0f + 0.5f);
  if (frac >= 1000000) {
    whole += 1;
    frac -= 1000000;
  }
  sh_put_u32(whole);
  char buf[8] = ".000000";
  for (int i = 6; i >= 1; --i, frac /= 10)
    buf[i] = (char)('0' + frac % 10);
  sh_puts(buf);
}
