//===- kiln/kiln.hpp - C++17 RAII wrapper over kiln.h -----------*- C++ -*-===//
//
// Header-only; link libkiln. kiln::Model owns a loaded model (move-only).
//
//   kiln::Model m = kiln::Model::load("model.so");   // throws kiln::Error
//   m.run({image}, {probs});
//
// Every operation also has a status-returning form (tryLoad, tryRun, ...)
// that never throws. Define KILN_NO_EXCEPTIONS (automatic under
// -fno-exceptions) to get only those.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_KILN_HPP
#define KILN_KILN_HPP

#include "kiln/kiln.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#if !defined(KILN_NO_EXCEPTIONS) &&                                            \
    !(defined(__cpp_exceptions) || defined(__EXCEPTIONS))
#define KILN_NO_EXCEPTIONS
#endif

#ifndef KILN_NO_EXCEPTIONS
#include <stdexcept>
#endif

namespace kiln {

/// One input or output of a model.
struct TensorInfo {
  std::string name;
  kiln_dtype dtype = KILN_DTYPE_FLOAT32;
  std::vector<int64_t> shape;
  size_t bytes = 0; ///< elements x element size

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  const char *dtypeName() const { return kiln_dtype_name(dtype); }
};

#ifndef KILN_NO_EXCEPTIONS
/// Thrown by the throwing API: the status and kiln_last_error()'s message.
class Error : public std::runtime_error {
public:
  Error(kiln_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  kiln_status status() const { return status_; }

private:
  kiln_status status_;
};

namespace detail {
inline void check(kiln_status s) {
  if (s != KILN_OK)
    throw Error(s, kiln_last_error());
}
} // namespace detail
#endif

/// A workspace buffer aligned to KILN_WORKSPACE_ALIGNMENT (move-only).
class Workspace {
public:
  Workspace() = default;
  explicit Workspace(size_t bytes) { allocate(bytes); }
  Workspace(Workspace &&o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)) {}
  Workspace &operator=(Workspace &&o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  Workspace(const Workspace &) = delete;
  Workspace &operator=(const Workspace &) = delete;
  ~Workspace() { release(); }

  /// Returns false on allocation failure.
  bool allocate(size_t bytes) {
    release();
    if (bytes == 0)
      return true;
    size_t rounded = (bytes + KILN_WORKSPACE_ALIGNMENT - 1) /
                     KILN_WORKSPACE_ALIGNMENT * KILN_WORKSPACE_ALIGNMENT;
    data_ = std::aligned_alloc(KILN_WORKSPACE_ALIGNMENT, rounded);
    size_ = data_ ? bytes : 0;
    return data_ != nullptr;
  }
  void *data() const { return data_; }
  size_t size() const { return size_; }

private:
  void release() {
    std::free(data_);
    data_ = nullptr;
    size_ = 0;
  }
  void *data_ = nullptr;
  size_t size_ = 0;
};

/// A loaded model. Move-only; frees the model when destroyed.
class Model {
public:
  Model() = default;
  explicit Model(kiln_model *m) : m_(m) {}
  Model(Model &&o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  Model &operator=(Model &&o) noexcept {
    if (this != &o)
      reset(std::exchange(o.m_, nullptr));
    return *this;
  }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;
  ~Model() { reset(); }

  /// Loads `path` into `out`; on failure `out` is empty and kiln_last_error()
  /// says why.
  static kiln_status tryLoad(const char *path, Model &out) {
    kiln_model *m = nullptr;
    kiln_status s = kiln_model_load(path, &m);
    out.reset(m);
    return s;
  }

  explicit operator bool() const { return m_ != nullptr; }
  kiln_model *get() const { return m_; }
  kiln_model *release() { return std::exchange(m_, nullptr); }
  void reset(kiln_model *m = nullptr) {
    if (m_)
      kiln_model_free(m_);
    m_ = m;
  }

  int32_t numInputs() const { return kiln_model_num_inputs(m_); }
  int32_t numOutputs() const { return kiln_model_num_outputs(m_); }
  size_t workspaceSize() const { return kiln_model_workspace_size(m_); }
  int32_t threads() const { return kiln_model_threads(m_); }

  std::vector<TensorInfo> inputs() const { return infos(false); }
  std::vector<TensorInfo> outputs() const { return infos(true); }

  kiln_status trySetThreads(int32_t threads) {
    return kiln_model_set_threads(m_, threads);
  }

  /// Runs on raw buffers (see kiln_model_run).
  kiln_status tryRun(const void *const *inputs, int32_t numInputs,
                     void *const *outputs, int32_t numOutputs,
                     void *workspace = nullptr) {
    return kiln_model_run(m_, inputs, numInputs, outputs, numOutputs,
                          workspace);
  }
  kiln_status tryRun(std::initializer_list<const void *> inputs,
                     std::initializer_list<void *> outputs,
                     void *workspace = nullptr) {
    return tryRun(inputs.begin(), static_cast<int32_t>(inputs.size()),
                  outputs.begin(), static_cast<int32_t>(outputs.size()),
                  workspace);
  }
  kiln_status tryRun(const std::vector<const void *> &inputs,
                     const std::vector<void *> &outputs,
                     void *workspace = nullptr) {
    return tryRun(inputs.data(), static_cast<int32_t>(inputs.size()),
                  outputs.data(), static_cast<int32_t>(outputs.size()),
                  workspace);
  }
  /// Runs with dtype and shape checks (see kiln_model_run_checked).
  kiln_status tryRunChecked(const std::vector<kiln_tensor> &inputs,
                            const std::vector<kiln_tensor> &outputs,
                            void *workspace = nullptr) {
    return kiln_model_run_checked(
        m_, inputs.data(), static_cast<int32_t>(inputs.size()), outputs.data(),
        static_cast<int32_t>(outputs.size()), workspace);
  }

#ifndef KILN_NO_EXCEPTIONS
  /// Loads `path`; throws kiln::Error on failure.
  static Model load(const std::string &path) {
    Model m;
    detail::check(tryLoad(path.c_str(), m));
    return m;
  }
  void setThreads(int32_t threads) { detail::check(trySetThreads(threads)); }
  void run(std::initializer_list<const void *> inputs,
           std::initializer_list<void *> outputs, void *workspace = nullptr) {
    detail::check(tryRun(inputs, outputs, workspace));
  }
  void run(const std::vector<const void *> &inputs,
           const std::vector<void *> &outputs, void *workspace = nullptr) {
    detail::check(tryRun(inputs, outputs, workspace));
  }
  void runChecked(const std::vector<kiln_tensor> &inputs,
                  const std::vector<kiln_tensor> &outputs,
                  void *workspace = nullptr) {
    detail::check(tryRunChecked(inputs, outputs, workspace));
  }
#endif

private:
  std::vector<TensorInfo> infos(bool outputs) const {
    std::vector<TensorInfo> result;
    if (!m_)
      return result;
    int32_t n = outputs ? numOutputs() : numInputs();
    result.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) {
      kiln_tensor_info info;
      kiln_status s = outputs ? kiln_model_output_info(m_, i, &info)
                              : kiln_model_input_info(m_, i, &info);
      if (s != KILN_OK)
        break;
      TensorInfo t;
      t.name = info.name;
      t.dtype = info.dtype;
      t.shape.assign(info.dims, info.dims + info.rank);
      t.bytes = outputs ? kiln_model_output_bytes(m_, i)
                        : kiln_model_input_bytes(m_, i);
      result.push_back(std::move(t));
    }
    return result;
  }

  kiln_model *m_ = nullptr;
};

} // namespace kiln

#endif // KILN_KILN_HPP
