//===- RuntimeTest.cpp - libkiln against hand-written fake models ---------===//
//
// The fake model (fake_model/fake_model.c): a:[2,3] f32, b:[3] f32 ->
// y:[2,3] = a + b, 256-byte workspace, parallel_for over rows.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"
#include "kiln/kiln.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

extern "C" {
void kiln_test_count_allocations(int on);
long kiln_test_allocations(void);
void kiln_test_reset_allocations(void);
}

namespace {

struct Buffers {
  float a[6] = {1, 2, 3, 4, 5, 6};
  float b[3] = {10, 20, 30};
  float y[6] = {0, 0, 0, 0, 0, 0};
  const void *in[2] = {a, b};
  void *out[1] = {y};
  void expectSum() const {
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c)
        EXPECT_EQ(y[r * 3 + c], a[r * 3 + c] + b[c]) << r << "," << c;
  }
};

kiln_model *loadFake() {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load(KILN_FAKE_MODEL, &m), KILN_OK) << kiln_last_error();
  return m;
}

struct ModelTest : ::testing::Test {
  void SetUp() override { m = loadFake(); }
  void TearDown() override { kiln_model_free(m); }
  std::string err() const { return kiln_last_error(); }
  kiln_model *m = nullptr;
};

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

//===-- Loading -----------------------------------------------------------===//

TEST(Load, MissingFile) {
  kiln_model *m = reinterpret_cast<kiln_model *>(1);
  EXPECT_EQ(kiln_model_load("/nonexistent/model.so", &m), KILN_ERROR_LOAD);
  EXPECT_EQ(m, nullptr);
  EXPECT_TRUE(contains(kiln_last_error(), "/nonexistent/model.so"));
  EXPECT_TRUE(contains(kiln_last_error(), "No such file"));
}

TEST(Load, NullArguments) {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load(nullptr, &m), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_load(KILN_FAKE_MODEL, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
}

TEST(Load, NotASharedObject) {
  std::string path = ::testing::TempDir() + "kiln_not_elf.so";
  FILE *f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("hello", f);
  fclose(f);
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load(path.c_str(), &m), KILN_ERROR_LOAD);
  EXPECT_TRUE(contains(kiln_last_error(), "cannot load")) << kiln_last_error();
  std::remove(path.c_str());
}

TEST(Load, Directory) {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load("/tmp", &m), KILN_ERROR_LOAD);
  EXPECT_TRUE(contains(kiln_last_error(), "directory"));
}

TEST(Load, NotAKilnModel) {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load("libm.so.6", &m), KILN_ERROR_LOAD);
  // "libm.so.6" is not in the working directory: a load error either way.
  const char *libm = "/lib/x86_64-linux-gnu/libm.so.6";
  if (FILE *f = fopen(libm, "r")) {
    fclose(f);
    EXPECT_EQ(kiln_model_load(libm, &m), KILN_ERROR_LOAD);
    EXPECT_TRUE(contains(kiln_last_error(), "not a Kiln model"))
        << kiln_last_error();
  }
}

TEST(Load, AbiMismatch) {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load(KILN_FAKE_MODEL_BADABI, &m),
            KILN_ERROR_INCOMPATIBLE);
  EXPECT_EQ(m, nullptr);
  EXPECT_TRUE(contains(kiln_last_error(), "ABI version 99"))
      << kiln_last_error();
}

TEST(Load, TwiceIndependently) {
  kiln_model *m1 = loadFake(), *m2 = loadFake();
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(kiln_model_set_threads(m1, 2), KILN_OK);
  Buffers b1, b2;
  EXPECT_EQ(kiln_model_run(m1, b1.in, 2, b1.out, 1, nullptr), KILN_OK);
  kiln_model_free(m1);
  EXPECT_EQ(kiln_model_run(m2, b2.in, 2, b2.out, 1, nullptr), KILN_OK);
  b2.expectSum();
  kiln_model_free(m2);
  kiln_model_free(nullptr);
}

//===-- Queries -----------------------------------------------------------===//

TEST_F(ModelTest, Info) {
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(kiln_model_num_inputs(m), 2);
  EXPECT_EQ(kiln_model_num_outputs(m), 1);
  kiln_tensor_info info;
  ASSERT_EQ(kiln_model_input_info(m, 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "a");
  EXPECT_EQ(info.dtype, KILN_DTYPE_FLOAT32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.dims[0], 2);
  EXPECT_EQ(info.dims[1], 3);
  ASSERT_EQ(kiln_model_input_info(m, 1, &info), KILN_OK);
  EXPECT_STREQ(info.name, "b");
  ASSERT_EQ(info.rank, 1);
  EXPECT_EQ(info.dims[0], 3);
  ASSERT_EQ(kiln_model_output_info(m, 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "y");
  EXPECT_EQ(kiln_model_input_bytes(m, 0), 24u);
  EXPECT_EQ(kiln_model_input_bytes(m, 1), 12u);
  EXPECT_EQ(kiln_model_output_bytes(m, 0), 24u);
  EXPECT_EQ(kiln_model_workspace_size(m), 256u);
  EXPECT_EQ(kiln_model_threads(m), 1);
}

TEST_F(ModelTest, InfoBadIndex) {
  kiln_tensor_info info;
  EXPECT_EQ(kiln_model_input_info(m, 2, &info), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "out of range"));
  EXPECT_EQ(kiln_model_input_info(m, -1, &info), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_output_info(m, 1, &info), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_output_info(m, 0, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_input_info(nullptr, 0, &info),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_input_bytes(m, 5), 0u);
  EXPECT_EQ(kiln_model_output_bytes(nullptr, 0), 0u);
  EXPECT_EQ(kiln_model_num_inputs(nullptr), 0);
  EXPECT_EQ(kiln_model_workspace_size(nullptr), 0u);
}

TEST(Names, StatusAndDtype) {
  EXPECT_STREQ(kiln_status_string(KILN_OK), "ok");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_SHAPE_MISMATCH), "shape mismatch");
  EXPECT_STREQ(kiln_status_string(static_cast<kiln_status>(99)),
               "unknown status");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_FLOAT32), "float32");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_BFLOAT16), "bfloat16");
  EXPECT_STREQ(kiln_dtype_name(static_cast<kiln_dtype>(8)), "unknown");
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_INT64), 8u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_BOOL), 1u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_FLOAT16), 2u);
  EXPECT_EQ(kiln_dtype_size(static_cast<kiln_dtype>(8)), 0u);
}

TEST(Names, SmallDtypes) {
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_FLOAT8E4M3FN), "float8e4m3fn");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_FLOAT8E5M2FNUZ), "float8e5m2fnuz");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_FLOAT8E8M0), "float8e8m0");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_INT4), "int4");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_FLOAT4E2M1), "float4e2m1");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_UINT2), "uint2");
  // float8 is one byte; the packed types have no whole-byte size.
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_FLOAT8E5M2), 1u);
  EXPECT_EQ(kiln_dtype_bits(KILN_DTYPE_FLOAT8E4M3FNUZ), 8u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_INT4), 0u);
  EXPECT_EQ(kiln_dtype_bits(KILN_DTYPE_INT4), 4u);
  EXPECT_EQ(kiln_dtype_bits(KILN_DTYPE_UINT4), 4u);
  EXPECT_EQ(kiln_dtype_bits(KILN_DTYPE_FLOAT4E2M1), 4u);
  EXPECT_EQ(kiln_dtype_bits(KILN_DTYPE_INT2), 2u);
  EXPECT_EQ(kiln_dtype_bits(KILN_DTYPE_BFLOAT16), 16u);
  EXPECT_EQ(kiln_dtype_bits(static_cast<kiln_dtype>(27)), 0u);
}

//===-- Running -----------------------------------------------------------===//

TEST_F(ModelTest, RunOwnWorkspace) {
  Buffers b;
  ASSERT_EQ(kiln_model_run(m, b.in, 2, b.out, 1, nullptr), KILN_OK) << err();
  b.expectSum();
}

TEST_F(ModelTest, RunCallerWorkspace) {
  kiln::Workspace ws(kiln_model_workspace_size(m));
  Buffers b;
  ASSERT_EQ(kiln_model_run(m, b.in, 2, b.out, 1, ws.data()), KILN_OK) << err();
  b.expectSum();
}

TEST_F(ModelTest, RunThreads) {
  for (int32_t t : {0, 1, 2, 3, 1, 2}) {
    ASSERT_EQ(kiln_model_set_threads(m, t), KILN_OK) << err();
    if (t == 0)
      EXPECT_GE(kiln_model_threads(m), 1);
    else
      EXPECT_EQ(kiln_model_threads(m), t);
    Buffers b;
    ASSERT_EQ(kiln_model_run(m, b.in, 2, b.out, 1, nullptr), KILN_OK);
    b.expectSum();
  }
  EXPECT_EQ(kiln_model_set_threads(m, -1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_set_threads(nullptr, 1), KILN_ERROR_INVALID_ARGUMENT);
}

TEST_F(ModelTest, ModelErrorCode) {
  Buffers b;
  b.a[0] = -12345.0f;
  EXPECT_EQ(kiln_model_run(m, b.in, 2, b.out, 1, nullptr), KILN_ERROR_RUNTIME);
  EXPECT_TRUE(contains(err(), "code 7")) << err();
}

TEST_F(ModelTest, BadArguments) {
  Buffers b;
  EXPECT_EQ(kiln_model_run(nullptr, b.in, 2, b.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "model is NULL"));
  EXPECT_EQ(kiln_model_run(m, b.in, 1, b.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "expected 2 inputs, got 1")) << err();
  EXPECT_EQ(kiln_model_run(m, b.in, 2, b.out, 2, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "expected 1 outputs, got 2")) << err();
  EXPECT_EQ(kiln_model_run(m, b.in, -1, b.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_run(m, nullptr, 2, b.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "inputs is NULL"));
  EXPECT_EQ(kiln_model_run(m, b.in, 2, nullptr, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  const void *nullIn[2] = {b.a, nullptr};
  EXPECT_EQ(kiln_model_run(m, nullIn, 2, b.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "input 1 ('b') is NULL")) << err();
  void *nullOut[1] = {nullptr};
  EXPECT_EQ(kiln_model_run(m, b.in, 2, nullOut, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "output 0 ('y') is NULL")) << err();
}

TEST_F(ModelTest, MisalignedWorkspace) {
  kiln::Workspace ws(kiln_model_workspace_size(m) + 64);
  Buffers b;
  char *p = static_cast<char *>(ws.data());
  for (int off : {1, 4, 16, 32}) {
    EXPECT_EQ(kiln_model_run(m, b.in, 2, b.out, 1, p + off),
              KILN_ERROR_WORKSPACE);
    EXPECT_TRUE(contains(err(), "not aligned to 64 bytes")) << err();
  }
  EXPECT_EQ(kiln_model_run(m, b.in, 2, b.out, 1, p + 64), KILN_OK);
}

TEST(LastError, ThreadLocal) {
  kiln_model *m = nullptr;
  kiln_model_load("/nonexistent/a.so", &m);
  std::string other;
  std::thread([&] { other = kiln_last_error(); }).join();
  EXPECT_EQ(other, "");
  EXPECT_TRUE(contains(kiln_last_error(), "/nonexistent/a.so"));
}

//===-- run_checked -------------------------------------------------------===//

struct Checked {
  Buffers b;
  int64_t aDims[2] = {2, 3}, bDims[1] = {3}, yDims[2] = {2, 3};
  kiln_tensor in[2] = {{b.a, KILN_DTYPE_FLOAT32, 2, aDims},
                       {b.b, KILN_DTYPE_FLOAT32, 1, bDims}};
  kiln_tensor out[1] = {{b.y, KILN_DTYPE_FLOAT32, 2, yDims}};
};

TEST_F(ModelTest, RunChecked) {
  Checked c;
  ASSERT_EQ(kiln_model_run_checked(m, c.in, 2, c.out, 1, nullptr), KILN_OK)
      << err();
  c.b.expectSum();
}

TEST_F(ModelTest, RunCheckedWrongShape) {
  Checked c;
  c.aDims[0] = 1;
  EXPECT_EQ(kiln_model_run_checked(m, c.in, 2, c.out, 1, nullptr),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(contains(err(), "input 'a': expected shape [2,3], got [1,3]"))
      << err();
  Checked c2;
  c2.out[0].rank = 1;
  EXPECT_EQ(kiln_model_run_checked(m, c2.in, 2, c2.out, 1, nullptr),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(contains(err(), "output 'y': expected shape [2,3], got [2]"))
      << err();
  Checked c3;
  c3.in[1].dims = nullptr;
  EXPECT_EQ(kiln_model_run_checked(m, c3.in, 2, c3.out, 1, nullptr),
            KILN_ERROR_SHAPE_MISMATCH);
  Checked c4;
  c4.in[1].rank = 1000;
  EXPECT_EQ(kiln_model_run_checked(m, c4.in, 2, c4.out, 1, nullptr),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(contains(err(), "invalid shape")) << err();
}

TEST_F(ModelTest, RunCheckedWrongDtype) {
  Checked c;
  c.in[1].dtype = KILN_DTYPE_INT64;
  EXPECT_EQ(kiln_model_run_checked(m, c.in, 2, c.out, 1, nullptr),
            KILN_ERROR_DTYPE_MISMATCH);
  EXPECT_TRUE(contains(err(), "input 'b': expected dtype float32, got int64"))
      << err();
}

TEST_F(ModelTest, RunCheckedBadArguments) {
  Checked c;
  EXPECT_EQ(kiln_model_run_checked(m, c.in, 3, c.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_run_checked(m, nullptr, 2, c.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  c.in[0].data = nullptr;
  EXPECT_EQ(kiln_model_run_checked(m, c.in, 2, c.out, 1, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(err(), "input 0 ('a') is NULL")) << err();
}

//===-- No allocation during a run ----------------------------------------===//

TEST_F(ModelTest, NoMallocDuringRun) {
  // The counter itself works.
  kiln_test_reset_allocations();
  kiln_test_count_allocations(1);
  void *volatile p = std::malloc(16);
  kiln_test_count_allocations(0);
  std::free(p);
  ASSERT_EQ(kiln_test_allocations(), 1);

  kiln::Workspace ws(kiln_model_workspace_size(m));
  Checked c;
  for (int32_t threads : {1, 2}) {
    ASSERT_EQ(kiln_model_set_threads(m, threads), KILN_OK);
    // Warm up (first calls may resolve lazy symbols).
    ASSERT_EQ(kiln_model_run(m, c.b.in, 2, c.b.out, 1, nullptr), KILN_OK);
    kiln_test_reset_allocations();
    kiln_test_count_allocations(1);
    for (int i = 0; i < 100; ++i) {
      kiln_model_run(m, c.b.in, 2, c.b.out, 1, nullptr);
      kiln_model_run(m, c.b.in, 2, c.b.out, 1, ws.data());
      kiln_model_run_checked(m, c.in, 2, c.out, 1, nullptr);
      kiln_model_run(m, c.b.in, 1, c.b.out, 1, nullptr); // error path
      c.in[0].rank = 1;
      kiln_model_run_checked(m, c.in, 2, c.out, 1, nullptr); // error path
      c.in[0].rank = 2;
    }
    kiln_test_count_allocations(0);
    EXPECT_EQ(kiln_test_allocations(), 0) << "threads=" << threads;
    c.b.expectSum();
  }
}

//===-- Concurrency -------------------------------------------------------===//

TEST_F(ModelTest, ConcurrentRunsOwnWorkspaces) {
  ASSERT_EQ(kiln_model_set_threads(m, 2), KILN_OK);
  // Single-threaded reference per thread's distinct inputs.
  constexpr int kThreads = 4, kRuns = 1000;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      kiln::Workspace ws(kiln_model_workspace_size(m));
      for (int i = 0; i < kRuns; ++i) {
        Buffers b;
        for (int k = 0; k < 6; ++k)
          b.a[k] = static_cast<float>(t * 1000 + i + k);
        for (int k = 0; k < 3; ++k)
          b.b[k] = static_cast<float>(t - k) * 0.5f;
        if (kiln_model_run(m, b.in, 2, b.out, 1, ws.data()) != KILN_OK) {
          ++failures;
          continue;
        }
        for (int r = 0; r < 2; ++r)
          for (int c = 0; c < 3; ++c)
            if (b.y[r * 3 + c] != b.a[r * 3 + c] + b.b[c])
              ++failures;
      }
    });
  for (auto &th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(ModelTest, ConcurrentRunsSharedWorkspace) {
  ASSERT_EQ(kiln_model_set_threads(m, 2), KILN_OK);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        Buffers b;
        b.a[t % 6] = static_cast<float>(i);
        if (kiln_model_run(m, b.in, 2, b.out, 1, nullptr) != KILN_OK)
          ++failures;
        for (int r = 0; r < 2; ++r)
          for (int c = 0; c < 3; ++c)
            if (b.y[r * 3 + c] != b.a[r * 3 + c] + b.b[c])
              ++failures;
      }
    });
  for (auto &th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(ModelTest, SetThreadsWhileRunning) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread runner([&] {
    kiln::Workspace ws(kiln_model_workspace_size(m));
    while (!stop) {
      Buffers b;
      if (kiln_model_run(m, b.in, 2, b.out, 1, ws.data()) != KILN_OK ||
          b.y[5] != 36.0f)
        ++failures;
    }
  });
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(kiln_model_set_threads(m, i % 3 + 1), KILN_OK);
  stop = true;
  runner.join();
  EXPECT_EQ(failures.load(), 0);
}

//===-- C++ wrapper -------------------------------------------------------===//

TEST(Cpp, LoadAndRun) {
  kiln::Model model = kiln::Model::load(KILN_FAKE_MODEL);
  auto inputs = model.inputs();
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0].name, "a");
  EXPECT_EQ(inputs[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(inputs[0].numElements(), 6);
  EXPECT_EQ(inputs[0].bytes, 24u);
  EXPECT_STREQ(inputs[1].dtypeName(), "float32");
  auto outputs = model.outputs();
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].name, "y");

  Buffers b;
  model.setThreads(2);
  model.run({b.a, b.b}, {b.y});
  b.expectSum();

  kiln::Model moved = std::move(model);
  EXPECT_FALSE(model);
  EXPECT_TRUE(moved);
  EXPECT_EQ(moved.threads(), 2);
}

TEST(Cpp, Exceptions) {
  try {
    kiln::Model::load("/nonexistent/x.so");
    FAIL() << "no exception";
  } catch (const kiln::Error &e) {
    EXPECT_EQ(e.status(), KILN_ERROR_LOAD);
    EXPECT_TRUE(contains(e.what(), "/nonexistent/x.so"));
  }
  kiln::Model model = kiln::Model::load(KILN_FAKE_MODEL);
  Buffers b;
  try {
    model.run({b.a}, {b.y});
    FAIL() << "no exception";
  } catch (const kiln::Error &e) {
    EXPECT_EQ(e.status(), KILN_ERROR_INVALID_ARGUMENT);
  }
}

TEST(Cpp, StatusApi) {
  kiln::Model model;
  EXPECT_EQ(kiln::Model::tryLoad("/nonexistent/x.so", model), KILN_ERROR_LOAD);
  EXPECT_FALSE(model);
  ASSERT_EQ(kiln::Model::tryLoad(KILN_FAKE_MODEL, model), KILN_OK);
  Buffers b;
  EXPECT_EQ(model.tryRun({b.a, b.b}, {b.y}), KILN_OK);
  b.expectSum();
  EXPECT_EQ(model.tryRun({b.a, b.b}, {}), KILN_ERROR_INVALID_ARGUMENT);
}

} // namespace
