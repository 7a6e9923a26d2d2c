/* Start-up code for a Cortex-M4F/M7 on the MPS2 boards (AN386, AN500):
 * the vector table, the reset handler (FPU on, .data copied from flash,
 * .bss zeroed, stack painted for the high-water mark), main, exit through
 * semihosting. */
#include "semihost.h"

#include <stdint.h>

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
extern uint32_t _stack_bottom[], _stack_top[];

int main(void);

#define STACK_PAINT 0x5afe57acu

/* Bytes of stack used so far (the deepest point since reset). */
unsigned stack_high_water(void) {
  const uint32_t *p = _stack_bottom;
  while (p < _stack_top && *p == STACK_PAINT)
    ++p;
  return (unsigned)((uintptr_t)_stack_top - (uintptr_t)p);
}

void Reset_Handler(void) {
  /* CPACR: full access to CP10/CP11 (the FPU) before any float code. */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;)
    *dst++ = *src++;
  for (uint32_t *dst = _sbss; dst < _ebss;)
    *dst++ = 0;
  /* Paint the free stack below this frame. */
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *p = _stack_bottom; p < sp - 16; ++p)
    *p = STACK_PAINT;
  sh_exit(main());
}

static void Fault_Handler(void) {
  sh_puts("fault\n");
  sh_exit(1);
}

static void Default_Handler(void) {
  for (;;) {
  }
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))_stack_top, /* initial stack pointer */
    Reset_Handler,
    Default_Handler, /* NMI */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage */
    Fault_Handler,   /* BusFault */
    Fault_Handler,   /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVC */
    Default_Handler, /* DebugMon */
    0,
    Default_Handler, /* PendSV */
    Default_Handler, /* SysTick */
};
