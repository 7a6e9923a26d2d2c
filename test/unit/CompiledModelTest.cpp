//===- CompiledModelTest.cpp - runtime guarantees on generated code -------===//
//
// The bundled example (examples/tiny_cnn) compiled by kiln-compile at build
// time: a run makes no heap allocation, and concurrent runs with their own
// workspaces give results identical to a single-threaded run.
//
//===----------------------------------------------------------------------===//
#include "kiln/kiln.h"
#include "kiln/kiln.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

extern "C" {
void kiln_test_count_allocations(int on);
long kiln_test_allocations(void);
void kiln_test_reset_allocations(void);
}

namespace {

constexpr size_t kImage = 1 * 1 * 28 * 28, kClasses = 10;

std::vector<float> randomImage(unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(kImage);
  for (float &x : v)
    x = dist(gen);
  return v;
}

class CompiledModel : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(kiln_model_load(KILN_EXAMPLE_MODEL, &m), KILN_OK)
        << kiln_last_error();
  }
  void TearDown() override { kiln_model_free(m); }

  std::vector<float> run(const std::vector<float> &image, void *ws) {
    std::vector<float> probs(kClasses, -1.0f);
    const void *in[] = {image.data()};
    void *out[] = {probs.data()};
    EXPECT_EQ(kiln_model_run(m, in, 1, out, 1, ws), KILN_OK)
        << kiln_last_error();
    return probs;
  }

  kiln_model *m = nullptr;
};

TEST_F(CompiledModel, Interface) {
  ASSERT_EQ(kiln_model_num_inputs(m), 1);
  ASSERT_EQ(kiln_model_num_outputs(m), 1);
  kiln_tensor_info info;
  ASSERT_EQ(kiln_model_input_info(m, 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "image");
  EXPECT_EQ(info.dtype, KILN_DTYPE_FLOAT32);
  ASSERT_EQ(info.rank, 4);
  EXPECT_EQ(info.dims[2], 28);
  EXPECT_EQ(kiln_model_input_bytes(m, 0), kImage * sizeof(float));
  EXPECT_EQ(kiln_model_output_bytes(m, 0), kClasses * sizeof(float));
  // conv -> relu -> pool chains keep intermediates in the arena.
  EXPECT_GT(kiln_model_workspace_size(m), 0u);
}

TEST_F(CompiledModel, NoMallocDuringRun) {
  std::vector<float> image = randomImage(1);
  kiln::Workspace ws(kiln_model_workspace_size(m));
  std::vector<float> probs(kClasses);
  const void *in[] = {image.data()};
  void *out[] = {probs.data()};
  for (int32_t threads : {1, 2}) {
    ASSERT_EQ(kiln_model_set_threads(m, threads), KILN_OK);
    ASSERT_EQ(kiln_model_run(m, in, 1, out, 1, nullptr), KILN_OK); // warm up
    kiln_test_reset_allocations();
    kiln_test_count_allocations(1);
    for (int i = 0; i < 50; ++i) {
      kiln_model_run(m, in, 1, out, 1, nullptr);
      kiln_model_run(m, in, 1, out, 1, ws.data());
    }
    kiln_test_count_allocations(0);
    EXPECT_EQ(kiln_test_allocations(), 0) << "threads=" << threads;
  }
  float sum = 0;
  for (float p : probs)
    sum += p;
  EXPECT_NEAR(sum, 1.0f, 1e-5f); // a softmax
}

TEST_F(CompiledModel, ConcurrentRunsMatchSingleThreaded) {
  constexpr int kThreads = 4, kRuns = 50;
  // References: one thread, the model's own workspace.
  ASSERT_EQ(kiln_model_set_threads(m, 1), KILN_OK);
  std::vector<std::vector<float>> images, expected;
  for (int t = 0; t < kThreads; ++t) {
    images.push_back(randomImage(100 + t));
    expected.push_back(run(images.back(), nullptr));
  }
  ASSERT_EQ(kiln_model_set_threads(m, 2), KILN_OK);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      kiln::Workspace ws(kiln_model_workspace_size(m));
      for (int i = 0; i < kRuns; ++i) {
        std::vector<float> probs(kClasses);
        const void *in[] = {images[t].data()};
        void *out[] = {probs.data()};
        if (kiln_model_run(m, in, 1, out, 1, ws.data()) != KILN_OK ||
            std::memcmp(probs.data(), expected[t].data(),
                        kClasses * sizeof(float)) != 0)
          ++mismatches;
      }
    });
  for (auto &th : threads)
    th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(CompiledModel, WrongShapeIsAnError) {
  std::vector<float> image = randomImage(2);
  std::vector<float> probs(kClasses);
  int64_t dims[] = {1, 3, 28, 28};
  kiln_tensor in{image.data(), KILN_DTYPE_FLOAT32, 4, dims};
  int64_t outDims[] = {1, 10};
  kiln_tensor out{probs.data(), KILN_DTYPE_FLOAT32, 2, outDims};
  EXPECT_EQ(kiln_model_run_checked(m, &in, 1, &out, 1, nullptr),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_NE(std::string(kiln_last_error()).find("image"), std::string::npos)
      << kiln_last_error();
}

} // namespace
