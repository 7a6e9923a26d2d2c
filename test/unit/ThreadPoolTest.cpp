//===- ThreadPoolTest.cpp - kiln_rt (linked statically) -------------------===//

#include "kiln/model_abi.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

extern "C" {
void kiln_test_count_allocations(int on);
long kiln_test_allocations(void);
void kiln_test_reset_allocations(void);
}

namespace {

// args[0]: int64_t hits[n] (atomic increments), args[1]: thread ids set.
struct Record {
  std::vector<std::atomic<int64_t>> hits;
  std::mutex mu;
  std::set<std::thread::id> ids;
  explicit Record(int64_t n) : hits(static_cast<size_t>(n)) {}
};

void recordFn(int64_t i, void *const *args) {
  auto *r = static_cast<Record *>(args[0]);
  r->hits[static_cast<size_t>(i)]++;
  std::lock_guard<std::mutex> lock(r->mu);
  r->ids.insert(std::this_thread::get_id());
}

void expectEachOnce(Record &r) {
  for (size_t i = 0; i < r.hits.size(); ++i)
    ASSERT_EQ(r.hits[i].load(), 1) << "index " << i;
}

TEST(ThreadPool, NullPoolRunsSerially) {
  Record r(100);
  void *args[] = {&r};
  kiln_rt_parallel_for(nullptr, 100, recordFn, args);
  expectEachOnce(r);
  EXPECT_EQ(r.ids.size(), 1u);
  EXPECT_EQ(*r.ids.begin(), std::this_thread::get_id());
}

TEST(ThreadPool, OneThreadRunsOnCaller) {
  kiln_rt *rt = kiln_rt_create(1);
  ASSERT_NE(rt, nullptr);
  Record r(64);
  void *args[] = {&r};
  kiln_rt_parallel_for(rt, 64, recordFn, args);
  expectEachOnce(r);
  EXPECT_EQ(r.ids.size(), 1u);
  kiln_rt_destroy(rt);
  kiln_rt_destroy(kiln_rt_create(0));
  kiln_rt_destroy(kiln_rt_create(-5));
  kiln_rt_destroy(nullptr);
}

TEST(ThreadPool, EveryIndexOnceForManySizes) {
  for (int32_t threads : {2, 3, 4, 7}) {
    kiln_rt *rt = kiln_rt_create(threads);
    ASSERT_NE(rt, nullptr);
    for (int64_t n : {0, 1, 2, 3, 5, 7, 8, 31, 100, 1001}) {
      Record r(n);
      void *args[] = {&r};
      kiln_rt_parallel_for(rt, n, recordFn, args);
      expectEachOnce(r);
      EXPECT_LE(r.ids.size(), static_cast<size_t>(threads));
    }
    kiln_rt_parallel_for(rt, -3, recordFn, nullptr); // nothing to do
    kiln_rt_parallel_for(rt, 10, nullptr, nullptr);  // no function
    kiln_rt_destroy(rt);
  }
}

// Records which participant ran each index.
void ownerFn(int64_t i, void *const *args) {
  auto *owners = static_cast<std::thread::id *>(args[0]);
  owners[i] = std::this_thread::get_id();
  // Slow enough that every worker wakes up and takes some.
  std::this_thread::sleep_for(std::chrono::microseconds(200));
}

TEST(ThreadPool, IterationsSharedByAllParticipantsCallerIncluded) {
  constexpr int64_t n = 40;
  kiln_rt *rt = kiln_rt_create(4);
  std::vector<std::thread::id> owners(n);
  void *args[] = {owners.data()};
  kiln_rt_parallel_for(rt, n, ownerFn, args);
  kiln_rt_destroy(rt);
  // Every index ran (by someone); the caller and the 3 workers all ran some.
  std::set<std::thread::id> distinct;
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_NE(owners[i], std::thread::id()) << i;
    distinct.insert(owners[i]);
  }
  EXPECT_EQ(distinct.size(), 4u);
  EXPECT_TRUE(distinct.count(std::this_thread::get_id()));
}

void sumFn(int64_t i, void *const *args) {
  static_cast<std::atomic<int64_t> *>(args[0])->fetch_add(i);
}

TEST(ThreadPool, ConcurrentCallers) {
  kiln_rt *rt = kiln_rt_create(3);
  constexpr int64_t n = 1000;
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int rep = 0; rep < 500; ++rep) {
        std::atomic<int64_t> sum{0};
        void *args[] = {&sum};
        kiln_rt_parallel_for(rt, n, sumFn, args);
        if (sum.load() != n * (n - 1) / 2)
          ++failures;
      }
    });
  for (auto &c : callers)
    c.join();
  kiln_rt_destroy(rt);
  EXPECT_EQ(failures.load(), 0);
}

struct Nested {
  kiln_rt *rt;
  std::atomic<int64_t> sum{0};
};

void innerFn(int64_t i, void *const *args) {
  static_cast<Nested *>(args[0])->sum.fetch_add(1);
}

void outerFn(int64_t i, void *const *args) {
  auto *n = static_cast<Nested *>(args[0]);
  void *inner[] = {n};
  kiln_rt_parallel_for(n->rt, 10, innerFn, inner); // pool busy: serial
}

TEST(ThreadPool, NestedLoopDoesNotDeadlock) {
  Nested n;
  n.rt = kiln_rt_create(4);
  void *args[] = {&n};
  kiln_rt_parallel_for(n.rt, 8, outerFn, args);
  kiln_rt_destroy(n.rt);
  EXPECT_EQ(n.sum.load(), 80);
}

TEST(ThreadPool, ManyJobsAndNoAllocation) {
  kiln_rt *rt = kiln_rt_create(4);
  std::atomic<int64_t> sum{0};
  void *args[] = {&sum};
  kiln_rt_parallel_for(rt, 100, sumFn, args);
  kiln_test_reset_allocations();
  kiln_test_count_allocations(1);
  for (int rep = 0; rep < 2000; ++rep)
    kiln_rt_parallel_for(rt, 1 + rep % 9, sumFn, args);
  kiln_test_count_allocations(0);
  EXPECT_EQ(kiln_test_allocations(), 0);
  int64_t expect = 4950;
  for (int rep = 0; rep < 2000; ++rep) {
    int64_t k = 1 + rep % 9;
    expect += k * (k - 1) / 2;
  }
  EXPECT_EQ(sum.load(), expect);
  kiln_rt_destroy(rt);
}

TEST(ThreadPool, CreateDestroyRepeatedly) {
  for (int i = 0; i < 50; ++i) {
    kiln_rt *rt = kiln_rt_create(1 + i % 5);
    ASSERT_NE(rt, nullptr);
    std::atomic<int64_t> sum{0};
    void *args[] = {&sum};
    if (i % 2)
      kiln_rt_parallel_for(rt, 50, sumFn, args);
    kiln_rt_destroy(rt);
  }
}

} // namespace
