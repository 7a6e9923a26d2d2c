/*===- kiln.c - libkiln: load and run compiled models -------------*- C -*-===*
 *
 * Implements kiln.h: dlopens a model .so, checks its kiln_model_get_abi()
 * descriptor, owns its thread pool (the kiln_rt inside the .so) and runs it
 * on caller buffers. No heap allocation during a run; every error is a status
 * code plus a message in a thread-local buffer.
 *===----------------------------------------------------------------------===*/

#include "kiln/kiln.h"
#include "kiln/model_abi.h"

#include <alloca.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef kiln_rt *(*kiln_rt_create_fn)(int32_t);
typedef void (*kiln_rt_destroy_fn)(kiln_rt *);

struct kiln_model {
  void *handle;
  const kiln_model_abi *abi;
  kiln_rt_create_fn rt_create;
  kiln_rt_destroy_fn rt_destroy;

  /* Runs hold it for reading, set_threads for writing. */
  pthread_rwlock_t rt_lock;
  kiln_rt *rt; /* NULL when threads == 1 */
  int32_t threads;

  /* The model's own workspace, for runs that pass NULL. */
  pthread_mutex_t ws_lock;
  void *workspace;

  kiln_tensor_info *inputs;  /* num_inputs + num_outputs entries */
  kiln_tensor_info *outputs; /* points into `inputs` */
  size_t *bytes;             /* per input, then per output */
};

/*===------------------------------------------------------------------===*
 * Errors
 *===------------------------------------------------------------------===*/

static _Thread_local char last_error[1024];

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static kiln_status
fail(kiln_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof(last_error), fmt, ap);
  va_end(ap);
  return status;
}

KILN_API const char *kiln_last_error(void) { return last_error; }

KILN_API const char *kiln_status_string(kiln_status status) {
  switch (status) {
  case KILN_OK:
    return "ok";
  case KILN_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case KILN_ERROR_LOAD:
    return "load error";
  case KILN_ERROR_INCOMPATIBLE:
    return "incompatible model";
  case KILN_ERROR_SHAPE_MISMATCH:
    return "shape mismatch";
  case KILN_ERROR_DTYPE_MISMATCH:
    return "dtype mismatch";
  case KILN_ERROR_WORKSPACE:
    return "bad workspace";
  case KILN_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case KILN_ERROR_RUNTIME:
    return "runtime error";
  }
  return "unknown status";
}

/*===------------------------------------------------------------------===*
 * Element types
 *===------------------------------------------------------------------===*/

KILN_API size_t kiln_dtype_bits(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_UINT2:
  case KILN_DTYPE_INT2:
    return 2;
  case KILN_DTYPE_UINT4:
  case KILN_DTYPE_INT4:
  case KILN_DTYPE_FLOAT4E2M1:
    return 4;
  case KILN_DTYPE_UINT8:
  case KILN_DTYPE_INT8:
  case KILN_DTYPE_BOOL:
  case KILN_DTYPE_FLOAT8E4M3FN:
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
  case KILN_DTYPE_FLOAT8E5M2:
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
  case KILN_DTYPE_FLOAT8E8M0:
    return 8;
  case KILN_DTYPE_UINT16:
  case KILN_DTYPE_INT16:
  case KILN_DTYPE_FLOAT16:
  case KILN_DTYPE_BFLOAT16:
    return 16;
  case KILN_DTYPE_FLOAT32:
  case KILN_DTYPE_INT32:
  case KILN_DTYPE_UINT32:
    return 32;
  case KILN_DTYPE_INT64:
  case KILN_DTYPE_FLOAT64:
  case KILN_DTYPE_UINT64:
    return 64;
  }
  return 0;
}

KILN_API size_t kiln_dtype_size(kiln_dtype dtype) {
  size_t bits = kiln_dtype_bits(dtype);
  return bits % 8 == 0 ? bits / 8 : 0;
}

KILN_API const char *kiln_dtype_name(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_FLOAT32:
    return "float32";
  case KILN_DTYPE_UINT8:
    return "uint8";
  case KILN_DTYPE_INT8:
    return "int8";
  case KILN_DTYPE_UINT16:
    return "uint16";
  case KILN_DTYPE_INT16:
    return "int16";
  case KILN_DTYPE_INT32:
    return "int32";
  case KILN_DTYPE_INT64:
    return "int64";
  case KILN_DTYPE_BOOL:
    return "bool";
  case KILN_DTYPE_FLOAT16:
    return "float16";
  case KILN_DTYPE_FLOAT64:
    return "float64";
  case KILN_DTYPE_UINT32:
    return "uint32";
  case KILN_DTYPE_UINT64:
    return "uint64";
  case KILN_DTYPE_BFLOAT16:
    return "bfloat16";
  case KILN_DTYPE_FLOAT8E4M3FN:
    return "float8e4m3fn";
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
    return "float8e4m3fnuz";
  case KILN_DTYPE_FLOAT8E5M2:
    return "float8e5m2";
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
    return "float8e5m2fnuz";
  case KILN_DTYPE_UINT4:
    return "uint4";
  case KILN_DTYPE_INT4:
    return "int4";
  case KILN_DTYPE_FLOAT4E2M1:
    return "float4e2m1";
  case KILN_DTYPE_FLOAT8E8M0:
    return "float8e8m0";
  case KILN_DTYPE_UINT2:
    return "uint2";
  case KILN_DTYPE_INT2:
    return "int2";
  }
  return "unknown";
}

/* Writes "[d0,d1,...]" into buf. */
static const char *format_shape(char *buf, size_t size, int32_t rank,
                                const int64_t *dims) {
  size_t len = 0;
  buf[0] = '\0';
  len += (size_t)snprintf(buf, size, "[");
  for (int32_t i = 0; i < rank && len < size; ++i)
    len += (size_t)snprintf(buf + len, size - len, "%s%lld", i ? "," : "",
                            (long long)dims[i]);
  if (len < size)
    snprintf(buf + len, size - len, "]");
  return buf;
}

/*===------------------------------------------------------------------===*
 * Loading
 *===------------------------------------------------------------------===*/

/* Checks one tensor of the descriptor and computes its byte size. */
static kiln_status check_abi_tensor(const char *path, const char *kind,
                                    uint32_t index, const kiln_abi_tensor *t,
                                    size_t *bytes) {
  if (!t->name)
    return fail(KILN_ERROR_LOAD, "%s: %s %u has no name", path, kind, index);
  size_t bits = kiln_dtype_bits((kiln_dtype)t->dtype);
  if (bits == 0)
    return fail(KILN_ERROR_INCOMPATIBLE, "%s: %s '%s' has unsupported dtype %d",
                path, kind, t->name, (int)t->dtype);
  if (t->rank < 0 || t->rank > KILN_MAX_RANK || (t->rank > 0 && !t->dims))
    return fail(KILN_ERROR_INCOMPATIBLE, "%s: %s '%s' has invalid rank %d",
                path, kind, t->name, (int)t->rank);
  /* Counted in bits (the packed types), then rounded up to whole bytes. */
  size_t total = bits;
  for (int32_t d = 0; d < t->rank; ++d) {
    int64_t dim = t->dims[d];
    if (dim < 0)
      return fail(KILN_ERROR_INCOMPATIBLE,
                  "%s: %s '%s' has dynamic or invalid dim %lld at axis %d",
                  path, kind, t->name, (long long)dim, (int)d);
    if (dim != 0 && total > (SIZE_MAX - 7) / (uint64_t)dim)
      return fail(KILN_ERROR_INCOMPATIBLE, "%s: %s '%s' is too large", path,
                  kind, t->name);
    total *= (size_t)dim;
  }
  *bytes = (total + 7) / 8;
  return KILN_OK;
}

static void free_model(kiln_model *m) {
  if (!m)
    return;
  if (m->rt && m->rt_destroy)
    m->rt_destroy(m->rt);
  free(m->workspace);
  free(m->inputs);
  free(m->bytes);
  pthread_mutex_destroy(&m->ws_lock);
  pthread_rwlock_destroy(&m->rt_lock);
  if (m->handle)
    dlclose(m->handle);
  free(m);
}

static kiln_status load_descriptor(kiln_model *m, const char *path) {
  const kiln_model_abi *abi = m->abi;
  if (abi->abi_version != KILN_MODEL_ABI_VERSION)
    return fail(KILN_ERROR_INCOMPATIBLE,
                "%s: model built for model ABI version %u, this runtime "
                "supports version %d (recompile it with a matching "
                "kiln-compile)",
                path, (unsigned)abi->abi_version, KILN_MODEL_ABI_VERSION);
  if (!abi->run)
    return fail(KILN_ERROR_LOAD, "%s: model descriptor has no run function",
                path);
  if ((abi->num_inputs && !abi->inputs) || (abi->num_outputs && !abi->outputs))
    return fail(KILN_ERROR_LOAD, "%s: model descriptor lacks tensor tables",
                path);
  if (abi->num_inputs > INT32_MAX / 2 || abi->num_outputs > INT32_MAX / 2)
    return fail(KILN_ERROR_LOAD, "%s: too many inputs or outputs", path);
  uint64_t align = abi->workspace_alignment;
  if (align > KILN_WORKSPACE_ALIGNMENT || (align & (align - 1)) != 0)
    return fail(KILN_ERROR_INCOMPATIBLE,
                "%s: unsupported workspace alignment %llu", path,
                (unsigned long long)align);
  if (abi->workspace_size > SIZE_MAX - KILN_WORKSPACE_ALIGNMENT)
    return fail(KILN_ERROR_LOAD, "%s: workspace too large", path);

  size_t count = (size_t)abi->num_inputs + abi->num_outputs;
  m->inputs =
      (kiln_tensor_info *)calloc(count ? count : 1, sizeof(kiln_tensor_info));
  m->bytes = (size_t *)calloc(count ? count : 1, sizeof(size_t));
  if (!m->inputs || !m->bytes)
    return fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
  m->outputs = m->inputs + abi->num_inputs;
  for (size_t i = 0; i < count; ++i) {
    int is_input = i < abi->num_inputs;
    uint32_t index = (uint32_t)(is_input ? i : i - abi->num_inputs);
    const kiln_abi_tensor *t =
        is_input ? &abi->inputs[index] : &abi->outputs[index];
    kiln_status st = check_abi_tensor(path, is_input ? "input" : "output",
                                      index, t, &m->bytes[i]);
    if (st != KILN_OK)
      return st;
    m->inputs[i].name = t->name;
    m->inputs[i].dtype = (kiln_dtype)t->dtype;
    m->inputs[i].rank = t->rank;
    m->inputs[i].dims = t->dims;
  }

  if (abi->workspace_size > 0) {
    size_t size = (size_t)abi->workspace_size;
    size = (size + KILN_WORKSPACE_ALIGNMENT - 1) &
           ~(size_t)(KILN_WORKSPACE_ALIGNMENT - 1);
    if (posix_memalign(&m->workspace, KILN_WORKSPACE_ALIGNMENT, size) != 0) {
      m->workspace = NULL;
      return fail(KILN_ERROR_OUT_OF_MEMORY,
                  "%s: cannot allocate the %llu-byte workspace", path,
                  (unsigned long long)abi->workspace_size);
    }
  }
  return KILN_OK;
}

KILN_API kiln_status kiln_model_load(const char *path, kiln_model **out) {
  if (!out)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load: out is NULL");
  *out = NULL;
  if (!path)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load: path is NULL");

  struct stat st;
  if (stat(path, &st) != 0)
    return fail(KILN_ERROR_LOAD, "%s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return fail(KILN_ERROR_LOAD, "%s: is a directory", path);

  kiln_model *m = (kiln_model *)calloc(1, sizeof(kiln_model));
  if (!m)
    return fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
  m->threads = 1;
  pthread_mutex_init(&m->ws_lock, NULL);
  pthread_rwlock_init(&m->rt_lock, NULL);

  /* dlopen searches the library path for names without a '/'. */
  char local[4096];
  const char *open_path = path;
  if (!strchr(path, '/') && strlen(path) + 3 < sizeof(local)) {
    snprintf(local, sizeof(local), "./%s", path);
    open_path = local;
  }
  dlerror();
  m->handle = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
  if (!m->handle) {
    const char *why = dlerror();
    kiln_status s = fail(KILN_ERROR_LOAD, "%s: cannot load: %s", path,
                         why ? why : "unknown dlopen error");
    free_model(m);
    return s;
  }

  dlerror();
  const kiln_model_abi *(*get_abi)(void) =
      (const kiln_model_abi *(*)(void))dlsym(m->handle, "kiln_model_get_abi");
  m->rt_create = (kiln_rt_create_fn)dlsym(m->handle, "kiln_rt_create");
  m->rt_destroy = (kiln_rt_destroy_fn)dlsym(m->handle, "kiln_rt_destroy");
  if (!get_abi) {
    free_model(m);
    return fail(KILN_ERROR_LOAD,
                "%s: not a Kiln model (no kiln_model_get_abi symbol)", path);
  }
  if (!m->rt_create || !m->rt_destroy) {
    free_model(m);
    return fail(KILN_ERROR_LOAD,
                "%s: not a Kiln model (kiln_rt_create/kiln_rt_destroy "
                "missing: the runtime was not linked in)",
                path);
  }
  m->abi = get_abi();
  if (!m->abi) {
    free_model(m);
    return fail(KILN_ERROR_LOAD, "%s: kiln_model_get_abi returned NULL", path);
  }
  kiln_status s = load_descriptor(m, path);
  if (s != KILN_OK) {
    free_model(m);
    return s;
  }
  *out = m;
  return KILN_OK;
}

KILN_API void kiln_model_free(kiln_model *model) { free_model(model); }

/*===------------------------------------------------------------------===*
 * Queries
 *===------------------------------------------------------------------===*/

KILN_API int32_t kiln_model_num_inputs(const kiln_model *model) {
  if (!model) {
    fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_num_inputs: model is NULL");
    return 0;
  }
  return (int32_t)model->abi->num_inputs;
}

KILN_API int32_t kiln_model_num_outputs(const kiln_model *model) {
  if (!model) {
    fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_num_outputs: model is NULL");
    return 0;
  }
  return (int32_t)model->abi->num_outputs;
}

static kiln_status get_info(const kiln_model *model, int32_t index, int output,
                            kiln_tensor_info *out, const char *fn) {
  if (!model || !out)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "%s: %s is NULL", fn,
                !model ? "model" : "out");
  uint32_t count = output ? model->abi->num_outputs : model->abi->num_inputs;
  if (index < 0 || (uint32_t)index >= count)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "%s: index %d out of range (the model has %u %s)", fn,
                (int)index, (unsigned)count, output ? "outputs" : "inputs");
  *out = output ? model->outputs[index] : model->inputs[index];
  return KILN_OK;
}

KILN_API kiln_status kiln_model_input_info(const kiln_model *model,
                                           int32_t index,
                                           kiln_tensor_info *out) {
  return get_info(model, index, 0, out, "kiln_model_input_info");
}

KILN_API kiln_status kiln_model_output_info(const kiln_model *model,
                                            int32_t index,
                                            kiln_tensor_info *out) {
  return get_info(model, index, 1, out, "kiln_model_output_info");
}

KILN_API size_t kiln_model_input_bytes(const kiln_model *model, int32_t index) {
  if (!model || index < 0 || (uint32_t)index >= model->abi->num_inputs) {
    fail(KILN_ERROR_INVALID_ARGUMENT,
         "kiln_model_input_bytes: no model or index out of range");
    return 0;
  }
  return model->bytes[index];
}

KILN_API size_t kiln_model_output_bytes(const kiln_model *model,
                                        int32_t index) {
  if (!model || index < 0 || (uint32_t)index >= model->abi->num_outputs) {
    fail(KILN_ERROR_INVALID_ARGUMENT,
         "kiln_model_output_bytes: no model or index out of range");
    return 0;
  }
  return model->bytes[model->abi->num_inputs + (uint32_t)index];
}

KILN_API size_t kiln_model_workspace_size(const kiln_model *model) {
  if (!model) {
    fail(KILN_ERROR_INVALID_ARGUMENT,
         "kiln_model_workspace_size: model is NULL");
    return 0;
  }
  return (size_t)model->abi->workspace_size;
}

/*===------------------------------------------------------------------===*
 * Threads
 *===------------------------------------------------------------------===*/

KILN_API kiln_status kiln_model_set_threads(kiln_model *model,
                                            int32_t threads) {
  if (!model)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_set_threads: model is NULL");
  if (threads < 0)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_set_threads: invalid thread count %d",
                (int)threads);
  if (threads == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    threads = cpus < 1 ? 1 : cpus > 1024 ? 1024 : (int32_t)cpus;
  }
  kiln_rt *rt = NULL;
  if (threads > 1) {
    rt = model->rt_create(threads);
    if (!rt)
      return fail(KILN_ERROR_OUT_OF_MEMORY,
                  "kiln_model_set_threads: cannot start %d threads",
                  (int)threads);
  }
  pthread_rwlock_wrlock(&model->rt_lock);
  kiln_rt *old = model->rt;
  model->rt = rt;
  model->threads = threads;
  pthread_rwlock_unlock(&model->rt_lock);
  if (old)
    model->rt_destroy(old);
  return KILN_OK;
}

KILN_API int32_t kiln_model_threads(const kiln_model *model) {
  if (!model) {
    fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_threads: model is NULL");
    return 0;
  }
  return model->threads;
}

/*===------------------------------------------------------------------===*
 * Running
 *===------------------------------------------------------------------===*/

/* Checks what kiln_model_run and kiln_model_run_checked share. */
static kiln_status check_run_args(const kiln_model *model, const void *inputs,
                                  int32_t num_inputs, const void *outputs,
                                  int32_t num_outputs, const void *workspace,
                                  const char *fn) {
  if (!model)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "%s: model is NULL", fn);
  const kiln_model_abi *abi = model->abi;
  if (num_inputs < 0 || (uint32_t)num_inputs != abi->num_inputs)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "%s: expected %u inputs, got %d",
                fn, (unsigned)abi->num_inputs, (int)num_inputs);
  if (num_outputs < 0 || (uint32_t)num_outputs != abi->num_outputs)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "%s: expected %u outputs, got %d",
                fn, (unsigned)abi->num_outputs, (int)num_outputs);
  if (num_inputs > 0 && !inputs)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "%s: inputs is NULL", fn);
  if (num_outputs > 0 && !outputs)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "%s: outputs is NULL", fn);
  if (workspace && abi->workspace_size > 0 &&
      ((uintptr_t)workspace & (KILN_WORKSPACE_ALIGNMENT - 1)) != 0)
    return fail(KILN_ERROR_WORKSPACE,
                "%s: workspace %p is not aligned to %d bytes", fn, workspace,
                KILN_WORKSPACE_ALIGNMENT);
  return KILN_OK;
}

static kiln_status check_buffer(const kiln_model *model, int output,
                                int32_t index, const void *data,
                                const char *fn) {
  size_t bytes = model->bytes[output ? model->abi->num_inputs + (uint32_t)index
                                     : (uint32_t)index];
  if (!data && bytes > 0) {
    const kiln_tensor_info *t =
        output ? &model->outputs[index] : &model->inputs[index];
    return fail(KILN_ERROR_INVALID_ARGUMENT, "%s: %s %d ('%s') is NULL", fn,
                output ? "output" : "input", (int)index, t->name);
  }
  return KILN_OK;
}

/* Calls the model's run function with the right workspace and pool. */
static kiln_status invoke(kiln_model *model, void *const *inputs,
                          void *const *outputs, void *workspace,
                          const char *fn) {
  int use_own = !workspace && model->workspace;
  if (use_own) {
    pthread_mutex_lock(&model->ws_lock);
    workspace = model->workspace;
  }
  pthread_rwlock_rdlock(&model->rt_lock);
  int32_t rc = model->abi->run(inputs, outputs, workspace, model->rt);
  pthread_rwlock_unlock(&model->rt_lock);
  if (use_own)
    pthread_mutex_unlock(&model->ws_lock);
  if (rc > 0 && (uint32_t)rc <= model->abi->num_check_messages &&
      model->abi->check_messages && model->abi->check_messages[rc - 1])
    return fail(KILN_ERROR_RUNTIME, "%s: %s", fn,
                model->abi->check_messages[rc - 1]);
  if (rc != 0)
    return fail(KILN_ERROR_RUNTIME, "%s: the model failed with code %d", fn,
                (int)rc);
  return KILN_OK;
}

KILN_API kiln_status kiln_model_run(kiln_model *model,
                                    const void *const *inputs,
                                    int32_t num_inputs, void *const *outputs,
                                    int32_t num_outputs, void *workspace) {
  static const char fn[] = "kiln_model_run";
  kiln_status s = check_run_args(model, inputs, num_inputs, outputs,
                                 num_outputs, workspace, fn);
  if (s != KILN_OK)
    return s;
  for (int32_t i = 0; i < num_inputs; ++i)
    if ((s = check_buffer(model, 0, i, inputs[i], fn)) != KILN_OK)
      return s;
  for (int32_t i = 0; i < num_outputs; ++i)
    if ((s = check_buffer(model, 1, i, outputs[i], fn)) != KILN_OK)
      return s;
  /* The ABI takes non-const input pointers; the model does not write them. */
  return invoke(model, (void *const *)(uintptr_t)inputs, outputs, workspace,
                fn);
}

static kiln_status check_tensor(const kiln_model *model, int output,
                                int32_t index, const kiln_tensor *t,
                                const char *fn) {
  const kiln_tensor_info *want =
      output ? &model->outputs[index] : &model->inputs[index];
  const char *kind = output ? "output" : "input";
  if (t->dtype != want->dtype)
    return fail(KILN_ERROR_DTYPE_MISMATCH,
                "%s: %s '%s': expected dtype %s, got %s", fn, kind, want->name,
                kiln_dtype_name(want->dtype), kiln_dtype_name(t->dtype));
  int same = t->rank == want->rank && (t->rank == 0 || t->dims);
  for (int32_t d = 0; same && d < t->rank; ++d)
    same = t->dims[d] == want->dims[d];
  if (!same) {
    char exp[256], got[256];
    if (t->rank < 0 || t->rank > KILN_MAX_RANK || (t->rank > 0 && !t->dims))
      snprintf(got, sizeof(got), "an invalid shape (rank %d%s)", (int)t->rank,
               t->rank > 0 && !t->dims ? ", dims NULL" : "");
    else
      format_shape(got, sizeof(got), t->rank, t->dims);
    return fail(KILN_ERROR_SHAPE_MISMATCH,
                "%s: %s '%s': expected shape %s, got %s", fn, kind, want->name,
                format_shape(exp, sizeof(exp), want->rank, want->dims), got);
  }
  return check_buffer(model, output, index, t->data, fn);
}

KILN_API kiln_status kiln_model_run_checked(
    kiln_model *model, const kiln_tensor *inputs, int32_t num_inputs,
    const kiln_tensor *outputs, int32_t num_outputs, void *workspace) {
  static const char fn[] = "kiln_model_run_checked";
  kiln_status s = check_run_args(model, inputs, num_inputs, outputs,
                                 num_outputs, workspace, fn);
  if (s != KILN_OK)
    return s;
  for (int32_t i = 0; i < num_inputs; ++i)
    if ((s = check_tensor(model, 0, i, &inputs[i], fn)) != KILN_OK)
      return s;
  for (int32_t i = 0; i < num_outputs; ++i)
    if ((s = check_tensor(model, 1, i, &outputs[i], fn)) != KILN_OK)
      return s;
  /* Pointer arrays on the stack: no heap allocation during a run. */
  size_t count = (size_t)num_inputs + (size_t)num_outputs;
  void **ptrs = (void **)alloca((count ? count : 1) * sizeof(void *));
  for (int32_t i = 0; i < num_inputs; ++i)
    ptrs[i] = inputs[i].data;
  for (int32_t i = 0; i < num_outputs; ++i)
    ptrs[num_inputs + i] = outputs[i].data;
  return invoke(model, ptrs, ptrs + num_inputs, workspace, fn);
}
