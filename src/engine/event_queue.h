#pragma once
// The engine's pending events (docs/engine.md "Event queue"): a calendar queue of small records
// popped in (time, key) order, where the key holds the event's tie class and its insertion
// sequence. Also the record pools with free lists that the engine's hot records live in.
// Internal to the engine; tests/engine/test_event_queue.cpp checks it against
// std::priority_queue.
#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "core/time.h"

namespace osatsim::engine::detail {

struct Event {
  Ticks t;
  std::uint64_t key;  // class << 56 | sequence
  std::int32_t a;
  std::int32_t b;
  bool operator>(const Event& o) const {  // one 128-bit comparison (times are >= 0)
    return ((static_cast<__uint128_t>(t) << 64) | key) >
           ((static_cast<__uint128_t>(o.t) << 64) | o.key);
  }
};

// A new record at the end of a pool (out of line: pools stop growing early in a run).
template <class T>
[[gnu::noinline]] std::int32_t grow_slot(std::vector<T>& pool) {
  pool.emplace_back();
  return static_cast<std::int32_t>(pool.size()) - 1;
}

// A record from a pool with a free list threaded through the records' `next` member (head
// -1: empty), or a new one at the end.
template <class T>
[[gnu::always_inline]] inline std::int32_t take_slot(std::vector<T>& pool, std::int32_t& head,
                                                     std::int32_t T::*next) {
  if (head >= 0) {
    const std::int32_t i = head;
    head = pool[i].*next;
    return i;
  }
  return grow_slot(pool);
}

// The pending events, popped in (time, class, sequence) order. Time is cut into quanta of
// 2^kShift ticks (about 4 s). The quanta of the next kSlots quanta (about 18.6 hours) each have
// an unsorted list in a ring (nodes in one pool, a bitmap of the non-empty slots); later events
// wait in a binary heap. The current quantum's events are kept sorted on (time, key), latest
// first, and everything at or before it goes there. When they run out, the next non-empty
// quantum (ring or later heap) becomes current: its list is sorted into them, and the later
// events that now fall within the ring's reach move into the ring. An event is thus written about
// twice, and sorted with the few other events of its quantum. Keys are unique,
// so the pop order is exactly that of any other priority queue on the same keys.
class EventQueue {
 public:
  EventQueue() : heads_(kSlots, -1), bits_(kSlots / 64, 0) {}
  bool empty() const { return n_ == 0; }
  std::size_t size() const { return n_; }
  [[gnu::always_inline]] void push(const Event& e) {
    ++n_;
    const std::int64_t q = e.t >> kShift;
    if (q > cur_ && q < cur_ + kSlots) [[likely]]
      link(e, q);
    else
      push_other(e, q);
  }
  Event pop() {  // REQUIRES: !empty()
    assert(n_ > 0);
    --n_;
    if (now_.empty()) advance();
    const Event e = now_.back();
    now_.pop_back();
    return e;
  }

 private:
  static constexpr int kShift = 12;
  static constexpr std::int64_t kSlots = std::int64_t{1} << 14;
  struct alignas(32) Node {
    Event e;
    std::int32_t next;
  };
  // Into the current quantum (kept sorted, latest first) or beyond the ring.
  [[gnu::noinline]] void push_other(const Event& e, std::int64_t q) {
    if (q <= cur_) {
      now_.insert(std::upper_bound(now_.begin(), now_.end(), e, std::greater<>{}), e);
    } else {
      later_.push_back(e);
      std::push_heap(later_.begin(), later_.end(), std::greater<>{});
    }
  }
  [[gnu::always_inline]] void link(const Event& e, std::int64_t q) {
    const std::int32_t i = take_slot(pool_, free_, &Node::next);
    const auto slot = static_cast<std::size_t>(q & (kSlots - 1));
    pool_[i].e = e;
    pool_[i].next = heads_[slot];
    heads_[slot] = i;
    bits_[slot >> 6] |= std::uint64_t{1} << (slot & 63);
    ++in_ring_;
  }
  // The quantum after cur_ with a ring event, or kNoQuantum.
  std::int64_t next_in_ring() const {
    if (in_ring_ == 0) return kNoQuantum;
    const std::int64_t words = kSlots / 64;
    const std::int64_t s0 = (cur_ + 1) & (kSlots - 1);
    std::int64_t w = s0 >> 6;
    std::uint64_t m = bits_[w] & (~std::uint64_t{0} << (s0 & 63));
    for (std::int64_t k = 0; m == 0; ++k) {  // in_ring_ > 0: ends within words + 1 steps
      w = (w + 1) & (words - 1);
      m = bits_[w];
      if (k == words) break;
    }
    const std::int64_t slot = 64 * w + __builtin_ctzll(m);
    return cur_ + 1 + ((slot - s0) & (kSlots - 1));
  }
  [[gnu::noinline]] void advance() {  // REQUIRES: now_ empty, some event pending
    std::int64_t q = next_in_ring();
    if (!later_.empty()) q = std::min(q, later_.front().t >> kShift);
    cur_ = q;
    const auto slot = static_cast<std::size_t>(q & (kSlots - 1));
    for (std::int32_t i = heads_[slot]; i >= 0;) {
      now_.push_back(pool_[i].e);
      const std::int32_t nx = pool_[i].next;
      pool_[i].next = free_;
      free_ = i;
      i = nx;
      --in_ring_;
    }
    heads_[slot] = -1;
    bits_[slot >> 6] &= ~(std::uint64_t{1} << (slot & 63));
    while (!later_.empty() && (later_.front().t >> kShift) < cur_ + kSlots) {
      std::pop_heap(later_.begin(), later_.end(), std::greater<>{});
      const Event e = later_.back();
      later_.pop_back();
      const std::int64_t eq = e.t >> kShift;
      if (eq == cur_)
        now_.push_back(e);
      else
        link(e, eq);
    }
    sort_now();
  }
  // Sorts the current quantum's events, latest first: by insertion when they are few (the
  // usual case: a handful per quantum).
  void sort_now() {
    const std::size_t n = now_.size();
    if (n > 16) {
      std::sort(now_.begin(), now_.end(), std::greater<>{});
      return;
    }
    Event* const v = now_.data();
    for (std::size_t k = 1; k < n; ++k) {
      const Event x = v[k];
      std::size_t j = k;
      for (; j > 0 && x > v[j - 1]; --j) v[j] = v[j - 1];
      v[j] = x;
    }
  }

  static constexpr std::int64_t kNoQuantum = std::numeric_limits<std::int64_t>::max();
  std::int64_t cur_ = 0;  // the current quantum
  std::size_t n_ = 0;
  std::int64_t in_ring_ = 0;
  std::vector<Event> now_;    // the current quantum's events (and any earlier), latest first
  std::vector<Event> later_;  // heap: events beyond the ring's reach
  std::vector<std::int32_t> heads_;  // per ring slot: first node, -1 = none
  std::vector<std::uint64_t> bits_;  // ring slots with a node
  std::vector<Node> pool_;
  std::int32_t free_ = -1;
};

}  // namespace osatsim::engine::detail
