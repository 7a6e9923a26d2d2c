/*===- kiln/kiln.h - Kiln runtime C API ---------------------------*- C -*-===*
 *
 * Load a model compiled by kiln-compile (a .so), query its inputs and
 * outputs, and run it on caller-owned buffers. One header, plain C, no
 * allocation during a run.
 *
 *   kiln_model *m;
 *   if (kiln_model_load("model.so", &m) != KILN_OK) {
 *     fprintf(stderr, "%s\n", kiln_last_error());
 *     return 1;
 *   }
 *   const void *in[] = {image};
 *   void *out[] = {probs};
 *   kiln_model_run(m, in, 1, out, 1, NULL);
 *   kiln_model_free(m);
 *
 * Thread safety: a loaded model may be run from several threads at once when
 * each call passes its own workspace (kiln_model_workspace_size() bytes,
 * aligned to KILN_WORKSPACE_ALIGNMENT). Calls passing NULL share the model's
 * own workspace and are serialized.
 *===----------------------------------------------------------------------===*/
#ifndef KILN_KILN_H
#define KILN_KILN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Symbols of libkiln (visible even when it is built with hidden visibility). */
#ifndef KILN_API
#if defined(__GNUC__) || defined(__clang__)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif
#endif

#define KILN_API_VERSION 1
#define KILN_WORKSPACE_ALIGNMENT 64
#define KILN_MAX_RANK 16

typedef enum kiln_status {
  KILN_OK = 0,
  KILN_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad index, bad count */
  KILN_ERROR_LOAD = 2,             /* file missing, not a Kiln model */
  KILN_ERROR_INCOMPATIBLE = 3,     /* model built for another ABI version */
  KILN_ERROR_SHAPE_MISMATCH = 4,   /* kiln_model_run_checked: wrong shape */
  KILN_ERROR_DTYPE_MISMATCH = 5,   /* kiln_model_run_checked: wrong dtype */
  KILN_ERROR_WORKSPACE = 6,        /* misaligned workspace */
  KILN_ERROR_OUT_OF_MEMORY = 7,
  KILN_ERROR_RUNTIME = 8 /* the model reported an error while running */
} kiln_status;

/* Element types; the values are ONNX's TensorProto.DataType codes.
 * float8 types take one byte per element. The 4-bit and 2-bit types are
 * packed like ONNX's raw_data: two (4-bit) or four (2-bit) elements per byte,
 * the first element in the lowest bits, the last byte padded with zeros; a
 * buffer of n elements is (n * kiln_dtype_bits() + 7) / 8 bytes. */
typedef enum kiln_dtype {
  KILN_DTYPE_FLOAT32 = 1,
  KILN_DTYPE_UINT8 = 2,
  KILN_DTYPE_INT8 = 3,
  KILN_DTYPE_UINT16 = 4,
  KILN_DTYPE_INT16 = 5,
  KILN_DTYPE_INT32 = 6,
  KILN_DTYPE_INT64 = 7,
  KILN_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  KILN_DTYPE_FLOAT16 = 10,
  KILN_DTYPE_FLOAT64 = 11,
  KILN_DTYPE_UINT32 = 12,
  KILN_DTYPE_UINT64 = 13,
  KILN_DTYPE_BFLOAT16 = 16,
  KILN_DTYPE_FLOAT8E4M3FN = 17,   /* no infinity, NaN = S.1111.111 */
  KILN_DTYPE_FLOAT8E4M3FNUZ = 18, /* no infinity or -0, NaN = 0x80 */
  KILN_DTYPE_FLOAT8E5M2 = 19,     /* IEEE-like */
  KILN_DTYPE_FLOAT8E5M2FNUZ = 20, /* no infinity or -0, NaN = 0x80 */
  KILN_DTYPE_UINT4 = 21,          /* packed, two per byte */
  KILN_DTYPE_INT4 = 22,           /* packed, two per byte */
  KILN_DTYPE_FLOAT4E2M1 = 23,     /* packed, two per byte */
  KILN_DTYPE_FLOAT8E8M0 = 24,     /* powers of two 2^-127..2^127, NaN = 0xff */
  KILN_DTYPE_UINT2 = 25,          /* packed, four per byte */
  KILN_DTYPE_INT2 = 26            /* packed, four per byte */
} kiln_dtype;

typedef struct kiln_model kiln_model;

/* Describes one input or output. Pointers stay valid while the model is
 * loaded. */
typedef struct kiln_tensor_info {
  const char *name;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *dims; /* rank entries */
} kiln_tensor_info;

/* A tensor passed to kiln_model_run_checked: dense, row-major. */
typedef struct kiln_tensor {
  void *data;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *dims;
} kiln_tensor;

/* Loads a compiled model. On failure *out is NULL and kiln_last_error()
 * says why. */
KILN_API kiln_status kiln_model_load(const char *path, kiln_model **out);
KILN_API void kiln_model_free(kiln_model *model);

KILN_API int32_t kiln_model_num_inputs(const kiln_model *model);
KILN_API int32_t kiln_model_num_outputs(const kiln_model *model);
KILN_API kiln_status kiln_model_input_info(const kiln_model *model,
                                           int32_t index,
                                           kiln_tensor_info *out);
KILN_API kiln_status kiln_model_output_info(const kiln_model *model,
                                            int32_t index,
                                            kiln_tensor_info *out);
/* Bytes in element type `dtype` (0 for an unknown dtype, and for the packed
 * 4-bit and 2-bit types: see kiln_dtype_bits). */
KILN_API size_t kiln_dtype_size(kiln_dtype dtype);
/* Bits per element of `dtype` (0 for an unknown dtype). */
KILN_API size_t kiln_dtype_bits(kiln_dtype dtype);
/* Number of bytes of input/output `index` (elements x element size, whole
 * bytes for the packed types). */
KILN_API size_t kiln_model_input_bytes(const kiln_model *model, int32_t index);
KILN_API size_t kiln_model_output_bytes(const kiln_model *model, int32_t index);

/* Bytes of scratch memory one run needs (known at compile time). */
KILN_API size_t kiln_model_workspace_size(const kiln_model *model);

/* Threads used by runs of this model: 0 = one per CPU, 1 = run on the
 * calling thread only (no thread is ever started). Default: 1. */
KILN_API kiln_status kiln_model_set_threads(kiln_model *model, int32_t threads);
KILN_API int32_t kiln_model_threads(const kiln_model *model);

/* Runs the model. inputs[i]/outputs[i] point to dense row-major buffers of
 * the dtype and shape that kiln_model_*_info describes. `workspace` is
 * NULL (use the model's own, serialized) or kiln_model_workspace_size()
 * bytes aligned to KILN_WORKSPACE_ALIGNMENT. Makes no heap allocation. */
KILN_API kiln_status kiln_model_run(kiln_model *model,
                                    const void *const *inputs,
                                    int32_t num_inputs, void *const *outputs,
                                    int32_t num_outputs, void *workspace);

/* Like kiln_model_run, but also checks every tensor's dtype and shape. */
KILN_API kiln_status kiln_model_run_checked(
    kiln_model *model, const kiln_tensor *inputs, int32_t num_inputs,
    const kiln_tensor *outputs, int32_t num_outputs, void *workspace);

/* The message of the last failing call on this thread ("" if none). */
KILN_API const char *kiln_last_error(void);
/* A short name for a status code. */
KILN_API const char *kiln_status_string(kiln_status status);
KILN_API const char *kiln_dtype_name(kiln_dtype dtype);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_KILN_H */
