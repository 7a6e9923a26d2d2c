/*===- MallocCounter.c - count heap allocations in the test binary -*- C -*-===*
 *
 * Interposes malloc & co. for the whole process (the test binary, libkiln and
 * the model .so all resolve to these) and counts calls while counting is on.
 * glibc only: forwards to __libc_malloc & co.
 *===----------------------------------------------------------------------===*/

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);

static atomic_int counting;
static atomic_long count;

void kiln_test_count_allocations(int on) { atomic_store(&counting, on); }
long kiln_test_allocations(void) { return atomic_load(&count); }
void kiln_test_reset_allocations(void) { atomic_store(&count, 0); }

static void note(void) {
  if (atomic_load_explicit(&counting, memory_order_relaxed))
    atomic_fetch_add(&count, 1);
}

void *malloc(size_t size) {
  note();
  return __libc_malloc(size);
}
void *calloc(size_t n, size_t size) {
  note();
  return __libc_calloc(n, size);
}
void *realloc(void *p, size_t size) {
  note();
  return __libc_realloc(p, size);
}
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}
void *aligned_alloc(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void **out, size_t alignment, size_t size) {
  note();
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
    return EINVAL;
  void *p = __libc_memalign(alignment, size);
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}
