// The engine's small containers (engine/records.h) on their own, against std::vector doing the
// same operations: a group's queue (free room at both ends), its idle tools (order kept by
// erase(), not by swap_erase()) and a tool's jobs (inline, then spilled to a vector).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/records.h"

namespace osatsim::engine::test {
namespace {

using detail::EntryQueue;
using detail::IdleList;
using detail::JobList;
using detail::QEntry;

QEntry entry(std::int64_t serial) {
  QEntry e{};
  e.serial = serial;
  e.lot = static_cast<std::int32_t>(serial);
  return e;
}

std::vector<std::int64_t> serials(const EntryQueue& q) {
  std::vector<std::int64_t> out;
  for (const QEntry* p = q.begin(); p != q.end(); ++p) out.push_back(p->serial);
  return out;
}

TEST(EntryQueue, InsertAndEraseAnywhereMatchAVector) {
  std::mt19937_64 rng(11);
  EntryQueue q;
  std::vector<std::int64_t> ref;
  std::int64_t next = 0;
  for (int step = 0; step < 20000; ++step) {
    const int op = std::uniform_int_distribution<int>(0, 9)(rng);
    if (op < 5 || ref.empty()) {  // insert: mostly at the back, as the engine does
      std::int32_t at = static_cast<std::int32_t>(ref.size());
      if (op < 2) at = std::uniform_int_distribution<std::int32_t>(0, at)(rng);
      q.insert(at, entry(next));
      ref.insert(ref.begin() + at, next++);
    } else {  // erase: mostly the front
      std::int32_t at = 0;
      if (op > 7)
        at = std::uniform_int_distribution<std::int32_t>(0, static_cast<std::int32_t>(ref.size()) - 1)(rng);
      q.erase(at);
      ref.erase(ref.begin() + at);
    }
    ASSERT_EQ(q.size(), static_cast<std::int32_t>(ref.size()));
    if (step % 97 == 0) {
      ASSERT_EQ(serials(q), ref) << "step " << step;
    }
  }
  EXPECT_EQ(serials(q), ref);
}

TEST(IdleList, EraseKeepsOrderAndSwapEraseKeepsTheSet) {
  std::mt19937_64 rng(5);
  const std::int32_t first = 40, n = 30;
  IdleList idle;
  idle.reserve(n, first);
  std::vector<std::int32_t> ref;
  for (int step = 0; step < 5000; ++step) {
    const std::int32_t t = first + std::uniform_int_distribution<std::int32_t>(0, n - 1)(rng);
    const auto it = std::find(ref.begin(), ref.end(), t);
    if (it == ref.end()) {
      idle.push_back(t);
      ref.push_back(t);
    } else if (step % 3 == 0) {
      idle.swap_erase(t);
      ref.erase(it);
    } else {
      idle.erase(t);
      ref.erase(it);
    }
    ASSERT_EQ(idle.size(), ref.size());
    std::vector<std::int32_t> a(idle.begin(), idle.end()), b = ref;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    ASSERT_EQ(a, b) << "step " << step;
  }
  // With erase() and push_back() only, the order is that of becoming idle.
  IdleList ordered;
  ordered.reserve(n, first);
  std::vector<std::int32_t> order;
  for (int step = 0; step < 3000; ++step) {
    const std::int32_t t = first + std::uniform_int_distribution<std::int32_t>(0, n - 1)(rng);
    const auto it = std::find(order.begin(), order.end(), t);
    if (it == order.end()) {
      ordered.push_back(t);
      order.push_back(t);
    } else {
      ordered.erase(t);
      order.erase(it);
    }
    ASSERT_EQ(std::vector<std::int32_t>(ordered.begin(), ordered.end()), order) << step;
  }
}

TEST(JobList, SpillsPastFourAndComesBack) {
  JobList jobs;
  std::vector<std::int32_t> ref;
  for (std::int32_t j = 0; j < 9; ++j) {
    jobs.push_back(j);
    ref.push_back(j);
    ASSERT_EQ(std::vector<std::int32_t>(jobs.begin(), jobs.end()), ref);
  }
  for (std::int32_t j : {4, 0, 8, 2, 7, 1, 3, 6, 5}) {
    jobs.erase(j);
    ref.erase(std::find(ref.begin(), ref.end(), j));
    ASSERT_EQ(std::vector<std::int32_t>(jobs.begin(), jobs.end()), ref) << "after erasing " << j;
  }
  EXPECT_EQ(jobs.begin(), jobs.end());
}

}  // namespace
}  // namespace osatsim::engine::test
