// The engine's event queue (engine/event_queue.h) on its own: random schedules, with many ties
// in time and class, pop in exactly the order of std::priority_queue on the same (time, key)
// order, the documented tie-break: time, then the event's class, then insertion order.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "engine/event_queue.h"

namespace osatsim::engine::test {
namespace {

using detail::Event;
using detail::EventQueue;

struct Schedule {
  std::uint64_t seed;
  Ticks spread;        // times drawn up to now + spread
  int classes;         // tie classes in use
  double far_share;    // share of events far beyond the ring (days ahead)
  int pushes_per_pop;  // pushes between two pops (on average)
};

// Runs a schedule against both queues; every pop must agree. Events are pushed at or after the
// time of the last pop, as the engine does, and sometimes exactly at it.
void check(const Schedule& s) {
  std::mt19937_64 rng(s.seed);
  EventQueue q;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> ref;
  std::uint64_t seq = 0;
  Ticks now = 0;
  const auto push = [&] {
    Ticks t = now;
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    if (u < s.far_share)
      t += std::uniform_int_distribution<Ticks>(days(1), days(30))(rng);
    else if (u < s.far_share + 0.2)
      t += 0;  // at the current time
    else
      t += std::uniform_int_distribution<Ticks>(0, s.spread)(rng);
    const auto cls = std::uniform_int_distribution<std::uint64_t>(0, s.classes - 1)(rng);
    const Event e{t, (cls << 56) | seq++, static_cast<std::int32_t>(seq), 0};
    q.push(e);
    ref.push(e);
  };
  for (int k = 0; k < 50; ++k) push();
  std::int64_t pops = 0;
  while (!ref.empty()) {
    ASSERT_FALSE(q.empty());
    ASSERT_EQ(q.size(), ref.size());
    const Event a = q.pop();
    const Event b = ref.top();
    ref.pop();
    ASSERT_EQ(a.t, b.t) << "pop " << pops;
    ASSERT_EQ(a.key, b.key) << "pop " << pops;
    ASSERT_EQ(a.a, b.a) << "pop " << pops;
    ASSERT_GE(a.t, now) << "time went backwards at pop " << pops;
    now = a.t;
    ++pops;
    if (seq < 200000) {
      const int n = std::uniform_int_distribution<int>(0, 2 * s.pushes_per_pop)(rng);
      for (int k = 0; k < n; ++k) push();
    }
  }
  EXPECT_TRUE(q.empty());
  EXPECT_GT(pops, 1000);
}

TEST(EventQueue, PopsInTimeClassSequenceOrderLikeAPriorityQueue) {
  check({1, minutes(30), 13, 0.01, 1});
}

TEST(EventQueue, ManyTiesInOneQuantumUseTheSortedPath) {
  // Spread of a few ticks: dozens of events per 4-second quantum (more than the insertion sort's
  // 16), mostly equal in time and class.
  check({2, 3, 2, 0.0, 1});
}

TEST(EventQueue, EventsBeyondTheRingComeBackInOrder) {
  // Half the events days ahead: they wait in the heap and move into the ring as time passes.
  check({3, hours(30), 5, 0.5, 1});
}

TEST(EventQueue, GrowingAndDrainingSchedules) {
  check({4, hours(2), 13, 0.05, 3});
  check({5, minutes(1.0 / 3), 13, 0.02, 1});
}

TEST(EventQueue, EventsAtTheSameTimeAsTheLastPopComeBeforeLaterOnes) {
  EventQueue q;
  q.push(Event{100, (std::uint64_t{3} << 56) | 0, 1, 0});
  q.push(Event{5000, (std::uint64_t{0} << 56) | 1, 2, 0});
  EXPECT_EQ(q.pop().a, 1);
  // Pushed at the time just popped, with a lower class than anything pending: next out.
  q.push(Event{100, (std::uint64_t{1} << 56) | 2, 3, 0});
  q.push(Event{100, (std::uint64_t{0} << 56) | 3, 4, 0});
  EXPECT_EQ(q.pop().a, 4);
  EXPECT_EQ(q.pop().a, 3);
  EXPECT_EQ(q.pop().a, 2);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace osatsim::engine::test
