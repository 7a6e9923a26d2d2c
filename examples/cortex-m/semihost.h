/* Minimal ARM semihosting (the debugger, or qemu -semihosting, services
 * these): print a string, end the program. No C library needed. */
#ifndef SEMIHOST_H
#define SEMIHOST_H

void sh_puts(const char *s);      /* SYS_WRITE0 */
void sh_exit(int status);         /* SYS_EXIT; never returns */
void sh_put_u32(unsigned v);      /* decimal */
void sh_put_hex(unsigned v);      /* 8 hex digits */
void sh_put_float(float f);       /* -12.345678 (6 decimals) */

#endif
