// The simulation kernel. See engine.h for the contract and docs/engine.md for the semantics.
//
// Layout: dense arrays of plain records (lots, tools, jobs, tool groups, flattened route steps);
// one calendar queue of small event records ordered by (time, class, insertion sequence); stale
// events (of paused jobs) are skipped through a per-job version number. Lots and jobs are
// recycled through free lists, so the steady state allocates nothing per event.
#include "engine/engine.h"

#include "model/flow.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>

#include "core/rng.h"

namespace osatsim::engine {

const char* to_string(DispatchRule r) {
  switch (r) {
    case DispatchRule::Model:
      return "model";
    case DispatchRule::Fifo:
      return "fifo";
    case DispatchRule::CriticalRatio:
      return "cr";
    case DispatchRule::EarliestDue:
      return "edd";
    case DispatchRule::ShortestProcessing:
      return "spt";
    case DispatchRule::PriorityFifo:
      return "priority-fifo";
  }
  return "?";
}

bool parse_dispatch_rule(const std::string& w, DispatchRule& r) {
  if (w == "model")
    r = DispatchRule::Model;
  else if (w == "fifo")
    r = DispatchRule::Fifo;
  else if (w == "cr")
    r = DispatchRule::CriticalRatio;
  else if (w == "edd")
    r = DispatchRule::EarliestDue;
  else if (w == "spt")
    r = DispatchRule::ShortestProcessing;
  else if (w == "priority-fifo")
    r = DispatchRule::PriorityFifo;
  else
    return false;
  return true;
}

namespace {

using model::kNone;

// Most lots in one job (batch); a fuller batch waits for the next decision.
constexpr std::size_t kMaxJobLots = 256;

using model::basis_quantity;

// Critical ratio of a lot due at `due` (ticks, exact in a double) whose step and later ones take
// `rem` on average: (due - now) / rem, or 1 without remaining time. Every ranking path uses
// this one formula, so that they rank alike to the last bit.
inline double critical_ratio(double due, double now, double rem) {
  return rem > 0 ? (due - now) / rem : 1.0;
}

// Event types; the value is also the tie class at equal times (lower first).
enum EvType : std::uint8_t {
  kEvRepairEnd = 0,
  kEvPmEnd,
  kEvJobDone,
  kEvEntryFree,
  kEvSetupEnd,
  kEvFailure,
  kEvPmDue,
  kEvArrive,
  kEvRelease,
  kEvSupply,
  kEvBatchTimer,
  kEvDay,
  kEvEnd,
};

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
  [[gnu::always_inline]] void push(const Event& e) {
    ++n_;
    const std::int64_t q = e.t >> kShift;
    if (q > cur_ && q < cur_ + kSlots) [[likely]]
      link(e, q);
    else
      push_other(e, q);
  }
  Event pop() {  // REQUIRES: !empty()
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

enum ToolState : std::uint8_t { kDown = 0, kPm, kSetup, kBusy, kIdle, kStates };
enum Outage : std::uint8_t { kNoOutage = 0, kOutDown, kOutPm };

// A route step as the engine sees it, with copies of the fields of model::Step (and of its tool
// group) that the hot paths read, so that none of them touches the larger model records. Laid
// out by use: the first cache line holds what moving a lot on, queueing it, starting its job and
// completing the step read; the second the processing-time draw; the third the rest (rare
// features and KPIs).
struct alignas(64) StepInfo {
  double sample_p = 1.0;
  double remaining = 0;    // mean lot time of this and every later step (ticks)
  Ticks overhead = 0;      // step->overhead
  Ticks cascade_interval = 0;
  std::int32_t group = 0;
  model::LocationId location = kNone;  // of the group
  std::int32_t bucket = -1;            // bucket of its group's queue (bucketed groups)
  model::SetupId setup = kNone;        // step->setup
  std::int32_t dedicate = kNone;       // step->dedicate_step
  std::int32_t rework_step = kNone;    // step->rework_step
  std::int32_t cqt_exit = kNone;       // step->cqt_exit_step
  bool scrap_or_transform = false;     // step->yield < 1 or step->transform_to_units
  bool cascading = false;
  bool has_kit = false;  // !step->kit.empty()
  bool overhead_per_wafer = false;

  alignas(64) Rng proc;  // processing-time draws
  double time_mean = 0;  // step->time
  double time_half_width = 0;
  Ticks load_unload = 0;  // the group's load_time + unload_time
  model::ComponentId die_component = kNone;
  DistKind time_kind = DistKind::Constant;
  model::TimeBasis basis = model::TimeBasis::PerLot;
  model::CascadeBasis cascade_basis = model::CascadeBasis::None;

  alignas(64) const model::Step* step = nullptr;
  double yield = 1.0;     // step->yield
  double rework_p = 0.0;  // step->rework_probability
  Ticks cqt_limit = 0;    // step->cqt_limit
  double mean_time = 0;   // mean lot time (ticks), 25-wafer view of the route's lots
  std::int32_t name_id = 0;
  std::int32_t route = 0;
  std::int32_t index = 0;
  bool transform = false;  // step->transform_to_units
};
static_assert(sizeof(StepInfo) == 192);

// Laid out by use: the first cache line holds what queueing, dispatching and moving a lot read;
// the second dedications, critical queue time and units; the third the rest.
struct alignas(64) Lot {
  std::int64_t serial = 0;
  Ticks queue_since = 0;
  Ticks due = 0;
  std::int32_t step = 0;
  std::int32_t first_step = 0;  // global StepInfo index of the route's step 0
  std::int32_t priority = 10;
  std::int32_t nded = 0;  // dedication records held
  std::int32_t route = 0;
  std::int32_t product = 0;
  std::int64_t wafers = 0;  // wafers (before a transform: the lot's quantity)
  std::int32_t cqt_exit = kNone;
  bool is_units = false;
  bool initial = false;

  std::int32_t ded_step[4] = {kNone, kNone, kNone, kNone};
  std::int32_t ded_tool[4] = {kNone, kNone, kNone, kNone};
  std::int64_t units = 0;  // units after a transform
  std::int32_t stream = kNone;
  std::int32_t cqt_area = 0;
  Ticks cqt_open = 0;
  Ticks cqt_limit = 0;

  Ticks release = 0;
  Ticks transformed_at = -1;
  Ticks kit_short_since = -1;
  double wafer_share = 0;  // after a transform: the wafers its units came from (split pro rata)
  std::int64_t qty() const { return is_units ? units : wafers; }
  std::int32_t dedicated_tool(std::int32_t s) const {
    for (int i = 0; i < 4; ++i)
      if (ded_step[i] == s) return ded_tool[i];
    return kNone;
  }
};

// One cache line for everything but the lots of a batch: a one-lot job keeps its lot inline.
struct alignas(64) Job {
  std::uint32_t version = 0;
  std::int32_t tool = 0;
  std::int32_t si = 0;     // global step index
  std::int32_t nlots = 0;  // lots in the job
  std::int32_t lot0 = -1;  // its lot when nlots == 1
  std::int32_t next_free = -1;
  Ticks setup_end = 0, entry_free = 0, done = 0;
  Ticks paused_at = 0;
  bool in_setup = false, occupying = false, separate_entry = false, paused = false;
  std::vector<std::int32_t> lots;  // its lots when nlots > 1
};

// The jobs inside a tool, in start order: up to four inline (in the tool's record), more in a
// vector allocated only then (28 bytes in the tool's record).
class JobList {
 public:
  const std::int32_t* begin() const { return n_ <= kInline ? in_ : more_->data(); }
  const std::int32_t* end() const { return begin() + n_; }
  void push_back(std::int32_t j) {
    if (n_ < kInline) {
      in_[n_++] = j;
      return;
    }
    if (!more_) more_ = std::make_unique<std::vector<std::int32_t>>();
    if (n_ == kInline) more_->assign(in_, in_ + kInline);
    more_->push_back(j);
    ++n_;
  }
  void erase(std::int32_t j) {  // REQUIRES: j is in the list
    if (n_ == 1) {  // the usual case: the only job inside
      n_ = 0;
      return;
    }
    if (n_ <= kInline) {
      std::int32_t* const p = std::find(in_, in_ + n_, j);
      std::copy(p + 1, in_ + n_, p);
      --n_;
      return;
    }
    more_->erase(std::find(more_->begin(), more_->end(), j));
    if (--n_ == kInline) {
      std::copy(more_->begin(), more_->end(), in_);
      more_->clear();
    }
  }

 private:
  static constexpr std::int32_t kInline = 4;
  std::int32_t n_ = 0;
  std::int32_t in_[kInline] = {};
  std::unique_ptr<std::vector<std::int32_t>> more_;
};

// Laid out by use: the first cache line holds what touch() and can_start() read, the second
// the rest of what starting and ending a job reads; the PM and failure lists follow.
struct alignas(64) Tool {
  Ticks acc_since = 0;
  Ticks acc[kStates] = {0, 0, 0, 0, 0};
  std::int32_t n_setup = 0, n_busy = 0;
  std::int32_t jobs_in = 0;
  Outage outage = kNoOutage;
  bool entry_busy = false;
  bool pm_waiting = false;  // !pending_pm.empty(), kept by add_pm() and drop_pm()

  std::int32_t group = 0;
  std::int32_t capacity = 1;       // of its group (jobs inside at once)
  std::int32_t reserved_for = -1;  // lot index (super hot reservation)
  std::int32_t idle_pos = -1;  // >= 0 while in its group's idle list
  model::SetupId setup = kNone;
  std::int32_t run_left = 0;
  std::int32_t wpm = 0;  // wafer-count PMs: (count, threshold) pairs at Sim::wpm_[wpm]
  JobList jobs;          // jobs inside

  std::int32_t index = 0;  // within the group
  std::int32_t outage_att = 0;
  std::vector<std::int32_t> pending_pm;    // PM attachment indices due (see pm_waiting)
  std::vector<std::int32_t> pending_fail;  // down attachment indices queued behind an outage
  std::vector<Ticks> pm_due;  // calendar PM: when it next falls due (kNever while due/running)
  // The only changes of pending_pm, so that pm_waiting follows it.
  void add_pm(std::int32_t att) {
    pending_pm.push_back(att);
    pm_waiting = true;
  }
  void drop_pm(std::size_t i) {
    pending_pm.erase(pending_pm.begin() + static_cast<std::ptrdiff_t>(i));
    pm_waiting = !pending_pm.empty();
  }
};
static_assert(offsetof(Tool, group) == 64 && offsetof(Tool, index) <= 128);

// A waiting lot as its group's queue sees it: everything ranking and eligibility read, so that a
// decision scans one array and reads no lot record (except on groups with kits or batches).
struct alignas(64) QEntry {
  // Rank keys. Static-order groups: the keys themselves; bucketed groups: (priority key, due);
  // other groups: the part of each criterion fixed while the lot waits (critical ratio: the
  // due date; least setup: unused).
  double k[4];
  std::int64_t serial;
  std::int32_t lot;
  // The tool of this group the lot is dedicated to at its step, or kNone: fixed while the lot
  // waits, so the sorted and bucketed paths judge dedication without reading the lot.
  std::int32_t ded;
  std::int32_t gsi;       // the lot's global step index
  model::SetupId setup;   // the setup its step needs, or kNone
  double rem;             // mean time of its step and every later one (critical ratio)
};
static_assert(sizeof(QEntry) == 64);

// The entries of a group's queue in one array with free room at both ends. Sorted queues are
// mostly taken from near the front and filled near the back, so inserting or erasing moves the
// shorter side only (a plain vector moved the whole queue at every start). Indices count from
// the first entry.
class EntryQueue {
 public:
  std::int32_t size() const { return end_ - begin_; }
  bool empty() const { return end_ == begin_; }
  QEntry& operator[](std::int32_t i) { return buf_[begin_ + i]; }
  const QEntry& operator[](std::int32_t i) const { return buf_[begin_ + i]; }
  const QEntry* begin() const { return buf_.data() + begin_; }
  const QEntry* end() const { return buf_.data() + end_; }
  QEntry& back() { return buf_[end_ - 1]; }
  void push_back(const QEntry& e) {
    if (end_ == cap()) make_room();
    buf_[end_++] = e;
  }
  void pop_back() { --end_; }
  void insert(std::int32_t i, const QEntry& e) {  // 0 <= i <= size()
    if (i == size()) {  // the usual case: the new lot sorts last
      push_back(e);
      return;
    }
    if (i < size() / 2 && begin_ > 0) {
      QEntry* const b = buf_.data();
      std::memmove(b + begin_ - 1, b + begin_, sizeof(QEntry) * i);
      --begin_;
    } else {
      if (end_ == cap()) make_room();
      QEntry* const b = buf_.data();
      std::memmove(b + begin_ + i + 1, b + begin_ + i, sizeof(QEntry) * (size() - i));
      ++end_;
    }
    buf_[begin_ + i] = e;
  }
  void erase(std::int32_t i) {  // 0 <= i < size()
    QEntry* const b = buf_.data();
    if (i == 0) {  // the usual case: the first lot is taken
      ++begin_;
    } else if (i < size() / 2) {
      std::memmove(b + begin_ + 1, b + begin_, sizeof(QEntry) * i);
      ++begin_;
    } else {
      std::memmove(b + begin_ + i, b + begin_ + i + 1, sizeof(QEntry) * (size() - i - 1));
      --end_;
    }
    if (begin_ == end_) begin_ = end_ = cap() / 4;
  }

 private:
  std::int32_t cap() const { return static_cast<std::int32_t>(buf_.size()); }
  // end_ == cap(): re-centre with a quarter of the free room in front, after growing when more
  // than half full (amortised O(1) per push).
  void make_room() {
    const std::int32_t n = size();
    if (2 * n + 2 > cap()) {
      std::vector<QEntry> bigger(static_cast<std::size_t>(4 * n + 4));
      const std::int32_t at = (static_cast<std::int32_t>(bigger.size()) - n) / 4;
      std::copy(begin(), end(), bigger.data() + at);
      buf_.swap(bigger);
      begin_ = at;
    } else {
      const std::int32_t at = (cap() - n) / 4;  // < begin_
      std::memmove(buf_.data() + at, buf_.data() + begin_, sizeof(QEntry) * n);
      begin_ = at;
    }
    end_ = begin_ + n;
  }

  std::vector<QEntry> buf_;
  std::int32_t begin_ = 0, end_ = 0;
};

// The tools of a group able to start a job: storage for every tool of the group is set aside
// once, so adding one never allocates or checks capacity. erase() keeps the others in the order
// they became idle (the longest-idle choice reads it); swap_erase() moves the last one into the
// gap, in O(1), where no choice depends on the order.
class IdleList {
 public:
  // One allocation: the list in [0, n), each tool's place in [n, 2n) (tool index - first_tool).
  void reserve(std::size_t n, std::int32_t first_tool) {
    v_.assign(2 * n, -1);
    first_ = first_tool - static_cast<std::int32_t>(n);  // pos(t) = v_[t - first_]
  }
  bool empty() const { return n_ == 0; }
  std::size_t size() const { return n_; }
  const std::int32_t* begin() const { return v_.data(); }
  const std::int32_t* end() const { return v_.data() + n_; }
  std::int32_t front() const { return v_[0]; }
  std::int32_t back() const { return v_[n_ - 1]; }
  std::int32_t operator[](std::size_t i) const { return v_[i]; }
  void push_back(std::int32_t t) {  // REQUIRES: t is not held
    v_[t - first_] = static_cast<std::int32_t>(n_);
    v_[n_++] = t;
  }
  void pop_back() { v_[v_[--n_] - first_] = -1; }
  void erase(std::int32_t t) {  // REQUIRES: t is held
    for (std::size_t i = v_[t - first_] + 1; i < n_; ++i) {
      v_[i - 1] = v_[i];
      v_[v_[i] - first_] = static_cast<std::int32_t>(i - 1);
    }
    v_[t - first_] = -1;
    --n_;
  }
  void swap_erase(std::int32_t t) {  // REQUIRES: t is held
    const std::int32_t p = v_[t - first_];
    const std::int32_t last = v_[--n_];
    v_[p] = last;
    v_[last - first_] = p;
    v_[t - first_] = -1;
  }

 private:
  std::vector<std::int32_t> v_;
  std::size_t n_ = 0;
  std::int32_t first_ = 0;  // first tool - n
};

// The first entry of a non-empty bucket of a bucketed group.
struct BucketHead {
  double k0;   // priority key
  double due;  // k[1]
  double rem;  // the bucket's remaining mean time
  std::int64_t serial;
  std::int32_t bucket;
  std::int32_t ded;
};

// Laid out by use: the first two cache lines hold what queueing, dispatching, starting and
// ending jobs read on every lot-step.
struct alignas(64) Group {
  const model::ToolGroup* g = nullptr;
  // Waiting lots. Groups whose ranking does not depend on time or tool keep it sorted by rank
  // (static_order); the others keep it unordered and rank at each decision.
  EntryQueue queue;
  std::int32_t qn = 0;      // lots waiting
  std::int32_t in_use = 0;  // jobs inside (pure delay check)
  std::int32_t max_parallel = 0;
  std::int32_t first_tool = 0;
  bool static_order = false;
  // Bucketed critical ratio: one due-sorted bucket per step (same remaining time), so the best
  // lot is the best of the buckets' first eligible lots.
  bool bucketed = false;
  bool batching = false;
  bool lssu = false;
  bool has_kit = false;
  bool bucket_prio = false;  // rank_HP before CR

  IdleList idle;                         // tools able to start a job
  std::vector<std::uint64_t> idle_bits;  // the same set by tool index within the group
  std::vector<std::int32_t> wafer_pms;   // PM attachments triggered by a wafer count
  std::int64_t jobs = 0, lot_starts = 0;
  double queue_wait = 0;

  std::vector<EntryQueue> buckets;
  std::vector<double> bucket_rem;
  // The first entry of every non-empty bucket, side by side (a decision scans these only),
  // and each bucket's place among them (-1: empty).
  std::vector<BucketHead> heads;
  std::vector<std::int32_t> head_slot;
  int nkeys = 0;
  model::RankCriterion keys[3] = {};
  std::int32_t min_run = 0;
  model::SetupGroupId setup_group = kNone;
  Ticks batch_max_wait = 0;
  bool timer_pending = false;
  Ticks timer_at = 0;
  std::int32_t pending_reservation = -1;  // lot waiting for a tool to be reserved
  std::int32_t area = 0;
  std::vector<model::RankCriterion> rank;
  // KPIs
  std::int64_t batches = 0, setups = 0;
  std::int64_t pms = 0, pms_absorbed = 0;  // PMs started / skipped by nesting, KPI window
  double batch_fill = 0;
  std::vector<std::int32_t> wafer_pm_slot;  // per PM attachment: index in wafer_pms, or -1
};

struct StreamAcc {
  std::int64_t split_children = 0;
  std::int64_t released = 0, initial = 0, completed = 0, completed_total = 0, scrapped = 0,
               in_fab = 0, on_time = 0, cqt_viol = 0, cqt_windows = 0;
  double wafers_out = 0, units_out = 0, tardiness = 0;
  std::vector<double> ct;
};

Summary summarize(std::vector<double> v) {
  Summary s;
  s.n = static_cast<std::int64_t>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / v.size();
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = v.size() > 1 ? std::sqrt(ss / (v.size() - 1)) : 0.0;
  auto pct = [&](double p) {
    // Linear interpolation between closest ranks.
    const double pos = p * (v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  };
  s.p5 = pct(0.05);
  s.p50 = pct(0.5);
  s.p90 = pct(0.9);
  s.p95 = pct(0.95);
  s.min = v.front();
  s.max = v.back();
  return s;
}

// Stream-id kinds (one Rng per purpose and source).
enum RngKind : std::uint64_t {
  kRngProc = 1,
  kRngTransport,
  kRngDown,
  kRngPm,
  kRngSample,
  kRngRework,
  kRngRelease,
  kRngYield,
  kRngTransform,
};

class Sim {
 public:
  Sim(const model::Factory& f, const Options& o) : f_(f), o_(o) {}
  Results run();

 private:
  // --- setup
  void build();
  // --- event queue (EventQueue above)
  void push(Ticks t, EvType type, std::int32_t a, std::int32_t b = 0) {
    events_q_.push(Event{t, (static_cast<std::uint64_t>(type) << 56) | seq_++, a, b});
  }
  bool events_left() const { return !events_q_.empty(); }
  Event pop() { return events_q_.pop(); }
  // --- lots
  std::int32_t new_lot();
  void release(std::int32_t stream);
  void advance(std::int32_t lot, std::int32_t next_step, model::LocationId from);
  void arrive(std::int32_t lot);
  void finish_lot(std::int32_t lot, bool scrapped);
  void enqueue(Group& g, std::int32_t lot);
  void set_head(Group& g, std::int32_t bucket);
  void dequeue_desc(Group& g, const std::int32_t* idx, int n);
  void fixed_keys(const model::RankCriterion* c, int n, const Lot& l, const StepInfo& si,
                  double* k) const;
  bool eligible(Lot& l, std::int32_t ti, const Group& g);
  // eligible() for a queue entry of a sorted or bucketed group (neither has setup runs): the
  // dedication is read from the entry; only groups with kits look at the lot.
  bool eligible_entry(const QEntry& e, std::int32_t ti, const Group& g) {
    if (g.has_kit) [[unlikely]]
      return eligible(lots_[e.lot], ti, g);
    return e.ded == kNone || e.ded == ti;
  }
  // --- tools
  bool can_start(const Tool& t) const {
    return t.outage == kNoOutage && !t.entry_busy && t.jobs_in < t.capacity && !t.pm_waiting &&
           t.reserved_for < 0;
  }
  void refresh_idle(std::int32_t tool);
  // Index within the group of its lowest-numbered idle tool. REQUIRES: !g.idle.empty().
  static std::int32_t lowest_idle(const Group& g) {
    std::size_t w = 0;
    while (g.idle_bits[w] == 0) ++w;
    return static_cast<std::int32_t>(64 * w) + __builtin_ctzll(g.idle_bits[w]);
  }
  [[gnu::noinline]] void take_reservation(std::int32_t tool);
  void touch(Tool& t);
  bool dispatch(std::int32_t tool);
  bool dispatch_best(std::int32_t tool, bool run_active, int nkeys);
  template <bool kCr>
  bool dispatch_fixed_setup(std::int32_t tool, bool run_active);
  template <class Best, class Consider>
  bool start_best(std::int32_t tool, bool run_active, const Consider& consider);
  bool dispatch_bucketed_batch(std::int32_t tool);
  // The index of the first entry of bucket b that may start on tool ti, or -1.
  std::int32_t first_eligible(const Group& g, std::int32_t b, std::int32_t ti) {
    const EntryQueue& v = g.buckets[b];
    for (std::int32_t j = 0, n = v.size(); j < n; ++j)
      if (eligible_entry(v[j], ti, g)) return j;
    return -1;
  }
  // A lot's size in its group's batch unit.
  static double batch_size(const Group& g, const Lot& l) {
    switch (g.g->batch_unit) {
      case model::BatchUnit::Lot:
        return 1.0;
      case model::BatchUnit::Unit:
        return static_cast<double>(l.qty());
      case model::BatchUnit::Wafer:
        return static_cast<double>(l.wafers);
    }
    return 1.0;
  }
  // A batch being filled from one family in rank order (its lots and queue indices in pick_
  // and pick_idx_).
  struct BatchFill {
    double total = 0;         // size in the batch unit
    Ticks oldest = kNever;    // the earliest queue entry of its lots
    bool more_waiting = false;  // a lot of the family was left out by the maximum
  };
  BatchFill begin_fill() {
    pick_.clear();
    pick_idx_.clear();
    return {};
  }
  // Takes the lot if it fits under the step's maximum (a later, smaller lot may still fit).
  void offer(BatchFill& b, const Group& g, const model::Step& st, std::int32_t lot,
             std::int32_t idx) {
    const Lot& l = lots_[lot];
    const double sz = batch_size(g, l);
    if (b.total + sz > st.batch_max + 1e-9 || pick_.size() >= kMaxJobLots) {
      b.more_waiting = true;
      return;
    }
    b.total += sz;
    b.oldest = std::min(b.oldest, l.queue_since);
    pick_.push_back(lot);
    pick_idx_.push_back(idx);
  }
  // Whether the batch starts now: it must reach the step's minimum; a partial batch waits up to
  // the group's batch_max_wait for more lots (with a timer set for group gi).
  bool batch_ready(Group& g, std::int32_t gi, const model::Step& st, const BatchFill& b) {
    const double total = b.total;
    const Ticks oldest = b.oldest;
    if (total + 1e-9 < st.batch_min || pick_.empty()) return false;
    if (g.batch_max_wait > 0 && total + 1e-9 < st.batch_max && !b.more_waiting &&
        now_ < oldest + g.batch_max_wait) {
      const Ticks at = oldest + g.batch_max_wait;
      if (!g.timer_pending || at < g.timer_at) {
        g.timer_pending = true;
        g.timer_at = at;
        push(at, kEvBatchTimer, gi);
      }
      return false;
    }
    return true;
  }
  void try_group(std::int32_t group, std::int32_t arriving_lot);
  void start_job(std::int32_t tool, std::int32_t si, const std::int32_t* lots, int n);
  void schedule_job(std::int32_t job);
  void on_setup_end(std::int32_t job);
  void on_entry_free(std::int32_t job);
  void on_job_done(std::int32_t job);
  void release_entry(Job& j);
  void complete_step(std::int32_t lot, std::int32_t tool);
  void start_down(std::int32_t tool, std::int32_t att);
  void start_pm(std::int32_t tool);
  bool pm_absorbed(const Tool& t, std::int32_t att) const;
  void pm_falls_due(std::int32_t tool, std::int32_t att);
  void pm_skip(std::int32_t tool, std::int32_t att, Ticks from);
  void next_outage(std::int32_t tool);
  void pause_jobs(Tool& t);
  void resume_jobs(Tool& t);
  void after_tool_change(std::int32_t tool);
  void offer_idle_tools(Group& g);
  // --- helpers
  // Setup time from `from` to `to` for global step gsi: the step's own time where it has one,
  // else the setup table's.
  Ticks setup_time(model::SetupId from, model::SetupId to, std::int32_t gsi) const {
    if (to == kNone || to == from) return 0;
    const Ticks own = step_setup_time_[gsi];
    if (own >= 0) return own;
    return chg_[static_cast<std::size_t>(from + 1) * n_setups_ + to];
  }
  bool kit_ok(const Lot& l, const StepInfo& si) const;
  void consume_kit(const Lot& l, const StepInfo& si);
  void wip_change(int delta);
  void account_window(Ticks from, Ticks to, double value, double& acc) const {
    const Ticks a = std::max(from, tw_), b = std::min(to, T_);
    if (b > a) acc += value * static_cast<double>(b - a);
  }
  void reserve_for(std::int32_t lot, std::int32_t group);

  const model::Factory& f_;
  const Options& o_;
  Ticks now_ = 0, tw_ = 0, T_ = 0;
  std::uint64_t seq_ = 0;
  EventQueue events_q_;

  std::vector<StepInfo> steps_;
  std::vector<Ticks> step_setup_time_;  // per global step: model::Step::setup_time
  std::vector<std::int32_t> route_first_;
  std::vector<std::int32_t> route_len_;  // steps per route
  std::vector<Group> groups_;
  std::vector<Tool> tools_;
  std::vector<Lot> lots_;
  std::vector<std::int32_t> free_lots_;
  std::vector<Job> jobs_;
  std::int32_t free_job_ = -1;
  std::vector<Ticks> chg_;
  std::vector<std::int32_t> lane_;  // [from * n_loc_ + to] -> transport lane, -1 = none
  std::size_t n_loc_ = 0;
  std::size_t n_setups_ = 0;
  bool nested_ = false;                                     // model::PmNesting::Nested
  bool first_idle_ = true;                                  // Options::idle_tool == IdleTool::First
  std::vector<std::pair<model::SetupId, int>> setup_need_;  // LssuSwitch::GroupAware scratch
  std::vector<std::int32_t> area_of_group_;
  std::vector<std::string> areas_;

  std::vector<double> wpm_;  // wafer-count PM (count, threshold) pairs of all tools
  // Wafer count since the last PM and the count at which it falls due, of wafer-count PM
  // attachment `a` of tool t.
  double& wpm_count(const Tool& t, std::int32_t a) {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a]];
  }
  double& wpm_threshold(const Tool& t, std::int32_t a) {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a] + 1];
  }
  double wpm_count(const Tool& t, std::int32_t a) const {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a]];
  }
  double wpm_threshold(const Tool& t, std::int32_t a) const {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a] + 1];
  }
  std::vector<Rng> rng_sample_, rng_rework_, rng_yield_, rng_transform_;
  std::vector<Rng> rng_transport_, rng_release_;
  std::vector<std::vector<Rng>> rng_down_, rng_pm_;  // per tool, per attachment
  std::vector<std::int64_t> stream_count_;

  // scratch
  struct Cand {
    double k[4];
    std::int64_t serial;
    std::int32_t lot;
    std::int32_t idx;
  };
  std::vector<std::int32_t> pick_idx_;
  std::vector<Cand> cands_;
  std::vector<std::int32_t> pick_;
  std::vector<std::int32_t> tried_families_;
  std::vector<std::int32_t> cand_fam_;  // batch family of cands_[i]
  struct Family {  // a bucket of a bucketed batch group, with its first eligible entry
    double k0, k1;
    std::int64_t serial;
    std::int32_t bucket, first;
  };
  std::vector<Family> families_;
  std::vector<std::int32_t> tried_tools_;

  // KPIs
  std::int64_t serial_ = 0;
  std::int64_t lots_in_fab_ = 0;
  Ticks wip_last_ = 0;
  double wip_day_area_ = 0, wip_window_area_ = 0;
  std::vector<double> wip_per_day_;
  std::vector<StreamAcc> sacc_;
  std::vector<CqtAreaKpi> cqt_area_;
  std::int64_t events_ = 0, lot_steps_ = 0, rework_ = 0, skipped_ = 0;
  std::int64_t split_children_ = 0;
  std::int64_t lots_released_ = 0, lots_completed_ = 0, lots_scrapped_ = 0, initial_ = 0;
  std::int64_t cqt_windows_ = 0, cqt_viol_ = 0;
  // packaging
  std::vector<double> stock_, delivered_, consumed_, starved_;
  std::vector<std::int64_t> stockouts_;
  std::vector<std::int64_t> supply_count_;
  std::vector<double> step_in_, step_out_;
  std::vector<double> units_out_product_, wafer_starts_product_, units_out_wafers_product_,
      units_out_traced_product_;
  std::vector<double> wafer_ct_, unit_ct_;
  double wafers_released_ = 0, wafers_scrapped_ = 0, wafers_out_ = 0, wafers_transformed_ = 0;
  double units_created_ = 0, units_scrapped_ = 0, units_out_ = 0;
  bool packaging_ = false;
  std::vector<std::int64_t> obs_serials_;
  RunStatus status_ = RunStatus::Ok;
  std::string message_;
};

// -----------------------------------------------------------------------------------------------

void Sim::build() {
  tw_ = days(o_.warmup_days);
  T_ = days(o_.days);
  const std::uint64_t seed = o_.seed;

  // Setup change table.
  n_setups_ = f_.setups.size();
  nested_ = f_.pm_nesting == model::PmNesting::Nested;
  first_idle_ = o_.idle_tool == IdleTool::First;
  chg_ = model::setup_change_matrix(f_);  // model/flow.h: one rule for every fidelity

  // Transport lanes (model/flow.h: the first lane of a pair).
  n_loc_ = f_.locations.size();
  lane_ = model::transport_lane_matrix(f_);

  // Areas.
  std::unordered_map<std::string, std::int32_t> area_ids;
  for (const auto& g : f_.tool_groups) {
    auto it = area_ids.try_emplace(g.area, static_cast<std::int32_t>(areas_.size()));
    if (it.second) areas_.push_back(g.area);
    area_of_group_.push_back(it.first->second);
  }
  cqt_area_.resize(areas_.size());
  for (std::size_t i = 0; i < areas_.size(); ++i) cqt_area_[i].area = areas_[i];

  // Groups and tools.
  groups_.resize(f_.tool_groups.size());
  for (std::size_t gi = 0; gi < f_.tool_groups.size(); ++gi) {
    const auto& mg = f_.tool_groups[gi];
    Group& g = groups_[gi];
    g.g = &mg;
    g.area = area_of_group_[gi];
    g.first_tool = static_cast<std::int32_t>(tools_.size());
    g.idle_bits.assign((static_cast<std::size_t>(mg.tools) + 63) / 64 + 1, 0);
    g.idle.reserve(static_cast<std::size_t>(mg.tools), g.first_tool);
    g.batching = mg.batch_criterion != model::BatchCriterion::None;
    g.setup_group = mg.setup_group;
    g.lssu = mg.lssu && mg.setup_group != kNone;
    g.min_run = g.lssu ? f_.setup_groups[mg.setup_group].min_run : 0;
    g.batch_max_wait = o_.batch_max_wait >= 0 ? o_.batch_max_wait : mg.batch_max_wait;
    switch (o_.dispatch) {
      case DispatchRule::Model:
        g.rank = mg.ranking;
        break;
      case DispatchRule::Fifo:
        g.rank = {model::RankCriterion::Fifo};
        break;
      case DispatchRule::CriticalRatio:
        g.rank = {model::RankCriterion::CriticalRatio};
        break;
      case DispatchRule::EarliestDue:
        g.rank = {model::RankCriterion::EarliestDue};
        break;
      case DispatchRule::ShortestProcessing:
        g.rank = {model::RankCriterion::ShortestProcessing};
        break;
      case DispatchRule::PriorityFifo:
        g.rank = {model::RankCriterion::HighPriority, model::RankCriterion::Fifo};
        break;
    }
    if (g.rank.size() > 4) g.rank.resize(4);
    g.wafer_pm_slot.assign(mg.pms.size(), -1);
    for (std::size_t a = 0; a < mg.pms.size(); ++a)
      if (f_.pm_calendars[mg.pms[a].calendar].trigger == model::PmTrigger::WaferCount) {
        g.wafer_pm_slot[a] = static_cast<std::int32_t>(g.wafer_pms.size());
        g.wafer_pms.push_back(static_cast<std::int32_t>(a));
      }
    for (int k = 0; k < mg.tools; ++k) {
      Tool t;
      t.group = static_cast<std::int32_t>(gi);
      t.index = k;
      t.capacity = mg.capacity;
      t.wpm = static_cast<std::int32_t>(wpm_.size());
      wpm_.resize(wpm_.size() + 2 * g.wafer_pms.size(), 0.0);
      t.pm_due.assign(mg.pms.size(), kNever);
      tools_.push_back(std::move(t));
    }
  }

  // Flattened steps.
  std::unordered_map<std::string, std::int32_t> name_ids;
  for (std::size_t r = 0; r < f_.routes.size(); ++r) {
    route_first_.push_back(static_cast<std::int32_t>(steps_.size()));
    route_len_.push_back(static_cast<std::int32_t>(f_.routes[r].steps.size()));
    const auto& route = f_.routes[r];
    // Representative product (for per-site/per-die means) and lot size: first stream of a
    // product on this route, else 25 wafers; the expected lot size along the route is the
    // model's (model/flow.h).
    int wafers = 25;
    const model::Product* prod = nullptr;
    for (const auto& p : f_.products)
      if (p.route == static_cast<model::RouteId>(r)) {
        prod = &p;
        break;
      }
    for (const auto& s : f_.streams)
      if (s.product != kNone && f_.products[s.product].route == static_cast<model::RouteId>(r)) {
        wafers = s.wafers_per_lot;
        break;
      }
    static const model::Product kNoProduct{};
    const model::Product& pr = prod ? *prod : kNoProduct;
    const model::StreamFlow flow = model::route_flow(f_, route, pr, wafers);
    for (std::size_t i = 0; i < route.steps.size(); ++i) {
      const auto& s = route.steps[i];
      StepInfo si;
      si.group = s.tool_group;
      si.route = static_cast<std::int32_t>(r);
      si.index = static_cast<std::int32_t>(i);
      si.step = &s;
      si.sample_p = s.sample_probability;
      si.yield = s.yield;
      si.rework_p = s.rework_probability;
      si.cqt_limit = s.cqt_limit;
      si.location = f_.tool_groups[s.tool_group].location;
      si.rework_step = s.rework_step;
      si.cqt_exit = s.cqt_exit_step;
      si.transform = s.transform_to_units;
      si.dedicate = s.dedicate_step;
      si.setup = s.setup;
      si.time_kind = s.time.kind;
      si.time_mean = s.time.mean;
      si.time_half_width = s.time.half_width;
      si.scrap_or_transform = s.yield < 1.0 || s.transform_to_units;
      si.load_unload = f_.tool_groups[s.tool_group].load_time +
                       f_.tool_groups[s.tool_group].unload_time;
      si.overhead = s.overhead;
      si.cascade_interval = s.cascade_interval;
      si.die_component = s.die_component;
      si.basis = s.basis;
      si.cascade_basis = s.cascade_basis;
      si.overhead_per_wafer = s.overhead_per_wafer;
      si.has_kit = !s.kit.empty();
      step_setup_time_.push_back(s.setup_time);
      si.name_id =
          name_ids.try_emplace(s.name, static_cast<std::int32_t>(name_ids.size())).first->second;
      si.cascading =
          f_.tool_groups[s.tool_group].capacity > 1 && s.cascade_basis != model::CascadeBasis::None;
      si.mean_time = flow.steps[i].lot_time;
      if (!s.kit.empty()) groups_[s.tool_group].has_kit = true;
      if (s.yield < 1.0 || s.transform_to_units || !s.kit.empty()) packaging_ = true;
      steps_.push_back(si);
    }
    double rem = 0;
    for (std::size_t i = route.steps.size(); i-- > 0;) {
      rem += steps_[route_first_[r] + i].mean_time;
      steps_[route_first_[r] + i].remaining = rem;
    }
  }
  if (!f_.components.empty()) packaging_ = true;

  // Static queue order: a ranking that depends neither on time nor on the tool. Setup avoidance
  // is constant (0) on groups none of whose steps needs a setup.
  {
    std::vector<char> has_setup(groups_.size(), 0);
    for (const auto& si : steps_)
      if (si.step->setup != kNone) has_setup[si.group] = 1;
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      Group& g = groups_[gi];
      bool ok = true;
      int n = 0;
      for (auto c : g.rank) {
        if (c == model::RankCriterion::CriticalRatio) ok = false;
        if (c == model::RankCriterion::LeastSetup) {
          if (has_setup[gi]) ok = false;
          continue;
        }
        if (n == 3) {
          ok = false;
          break;
        }
        g.keys[n++] = c;
      }
      g.static_order = ok && !g.lssu && o_.fast_queues;
      g.nkeys = n;
      // [CR] or [HP, CR] (setup avoidance constant): bucketed.
      std::vector<model::RankCriterion> eff;
      for (auto c : g.rank)
        if (!(c == model::RankCriterion::LeastSetup && !has_setup[gi])) eff.push_back(c);
      const bool cr = eff.size() == 1 && eff[0] == model::RankCriterion::CriticalRatio;
      const bool hp_cr = eff.size() == 2 && eff[0] == model::RankCriterion::HighPriority &&
                         eff[1] == model::RankCriterion::CriticalRatio;
      // Batch groups whose families are route steps (= buckets) too, when no kit makes
      // eligibility have side effects.
      const bool step_families =
          !g.batching || (g.g->batch_criterion == model::BatchCriterion::SameRouteStep && !g.has_kit);
      g.bucketed = (cr || hp_cr) && !g.lssu && step_families && o_.fast_queues;
      g.bucket_prio = hp_cr;
    }
    for (auto& si : steps_) {
      Group& g = groups_[si.group];
      if (!g.bucketed) continue;
      si.bucket = static_cast<std::int32_t>(g.buckets.size());
      g.buckets.emplace_back();
      g.bucket_rem.push_back(si.remaining);
      g.head_slot.push_back(-1);
    }
  }

  // Random streams.
  const std::size_t ns = steps_.size();
  rng_sample_.resize(ns);
  rng_rework_.resize(ns);
  rng_yield_.resize(ns);
  rng_transform_.resize(ns);
  for (std::size_t i = 0; i < ns; ++i) {
    steps_[i].proc = Rng(seed, stream_id(kRngProc, i));
    rng_sample_[i] = Rng(seed, stream_id(kRngSample, i));
    rng_rework_[i] = Rng(seed, stream_id(kRngRework, i));
    rng_yield_[i] = Rng(seed, stream_id(kRngYield, i));
    rng_transform_[i] = Rng(seed, stream_id(kRngTransform, i));
  }
  for (std::size_t i = 0; i < f_.transport.size(); ++i)
    rng_transport_.emplace_back(seed, stream_id(kRngTransport, i));
  for (std::size_t i = 0; i < f_.streams.size(); ++i)
    rng_release_.emplace_back(seed, stream_id(kRngRelease, i));
  rng_down_.resize(tools_.size());
  rng_pm_.resize(tools_.size());
  for (std::size_t ti = 0; ti < tools_.size(); ++ti) {
    const auto& mg = f_.tool_groups[tools_[ti].group];
    for (std::size_t a = 0; a < mg.downs.size(); ++a)
      rng_down_[ti].emplace_back(seed, stream_id(kRngDown, ti, a));
    for (std::size_t a = 0; a < mg.pms.size(); ++a)
      rng_pm_[ti].emplace_back(seed, stream_id(kRngPm, ti, a));
  }

  // KPI accumulators.
  sacc_.resize(f_.streams.size());
  stream_count_.assign(f_.streams.size(), 0);
  const std::size_t nc = f_.components.size();
  stock_.assign(nc, 0);
  delivered_.assign(nc, 0);
  consumed_.assign(nc, 0);
  starved_.assign(nc, 0);
  stockouts_.assign(nc, 0);
  for (std::size_t c = 0; c < nc; ++c) stock_[c] = f_.components[c].initial_stock;
  supply_count_.assign(f_.supplies.size(), 0);
  step_in_.assign(ns, 0);
  step_out_.assign(ns, 0);
  units_out_product_.assign(f_.products.size(), 0);
  wafer_starts_product_.assign(f_.products.size(), 0);
  units_out_wafers_product_.assign(f_.products.size(), 0);
  units_out_traced_product_.assign(f_.products.size(), 0);
  lots_.reserve(4096);
}

// -----------------------------------------------------------------------------------------------
// Lots

std::int32_t Sim::new_lot() {
  std::int32_t id;
  if (!free_lots_.empty()) {
    id = free_lots_.back();
    free_lots_.pop_back();
    lots_[id] = Lot{};
  } else {
    id = static_cast<std::int32_t>(lots_.size());
    lots_.emplace_back();
  }
  lots_[id].serial = serial_++;
  return id;
}

void Sim::wip_change(int delta) {
  const double n = static_cast<double>(lots_in_fab_);
  wip_day_area_ += n * static_cast<double>(now_ - wip_last_);
  account_window(wip_last_, now_, n, wip_window_area_);
  wip_last_ = now_;
  lots_in_fab_ += delta;
}

void Sim::release(std::int32_t s) {
  const auto& st = f_.streams[s];
  const auto& prod = f_.products[st.product];
  for (int k = 0; k < st.lots_per_release; ++k) {
    const std::int32_t id = new_lot();
    Lot& l = lots_[id];
    l.stream = s;
    l.product = st.product;
    l.route = prod.route;
    l.first_step = route_first_[prod.route];
    l.priority = st.priority;
    if (prod.starts_as_units) {
      l.is_units = true;
      l.units = st.wafers_per_lot;
      units_created_ += static_cast<double>(l.units);
    } else {
      l.wafers = st.wafers_per_lot;
    }
    l.release = now_;
    l.due = now_ + st.due_offset;
    ++sacc_[s].released;
    ++sacc_[s].in_fab;
    ++lots_released_;
    wafers_released_ += static_cast<double>(l.wafers);
    if (now_ >= tw_) wafer_starts_product_[st.product] += static_cast<double>(l.wafers);
    wip_change(+1);
    advance(id, 0, kNone);
  }
  ++stream_count_[s];
  if (st.max_releases < 0 || stream_count_[s] < st.max_releases) {
    const Ticks dt = std::max<Ticks>(1, round_ticks(st.interval.sample(rng_release_[s])));
    push(now_ + dt, kEvRelease, s);
  }
  if (o_.max_wip_lots > 0 && lots_in_fab_ > o_.max_wip_lots && status_ == RunStatus::Ok) {
    status_ = RunStatus::WipLimit;
    message_ = "more than " + std::to_string(o_.max_wip_lots) + " lots in the fab at day " +
               std::to_string(to_days(now_)) + " (--max-wip guard)";
  }
}

// The lot is done with its previous step (or new); `next` is the next route step to consider.
void Sim::advance(std::int32_t id, std::int32_t next, model::LocationId from) {
  Lot& l = lots_[id];
  const std::int32_t n = route_len_[l.route];
  while (next < n) {
    const std::int32_t gi = l.first_step + next;
    const double p = steps_[gi].sample_p;
    if (p >= 1.0 || rng_sample_[gi].bernoulli(p)) break;
    ++skipped_;
    if (o_.observer) o_.observer->on_step_skipped(now_, l.serial, l.route, next);
    ++next;
  }
  if (next >= n) {
    finish_lot(id, false);
    return;
  }
  l.step = next;
  const StepInfo& si = steps_[l.first_step + next];
  const model::LocationId to = si.location;
  Ticks mv = 0;
  if (from != kNone && to != kNone) {
    const std::int32_t lane = lane_[static_cast<std::size_t>(from) * n_loc_ + to];
    if (lane >= 0) mv = round_ticks(f_.transport[lane].time.sample(rng_transport_[lane]));
  }
  if (o_.super_hot_reservation && l.priority >= o_.super_hot_priority) reserve_for(id, si.group);
  if (mv > 0) {
    push(now_ + mv, kEvArrive, id);
  } else {
    arrive(id);
  }
}

void Sim::reserve_for(std::int32_t lot, std::int32_t gi) {
  Group& g = groups_[gi];
  if (g.g->is_delay || g.batching) return;
  const Lot& l = lots_[lot];
  const std::int32_t ded = l.dedicated_tool(l.step);
  if (ded != kNone) {
    if (can_start(tools_[ded])) {
      tools_[ded].reserved_for = lot;
      refresh_idle(ded);
    }
    return;
  }
  if (!g.idle.empty()) {
    const std::int32_t t =
        first_idle_ ? *std::min_element(g.idle.begin(), g.idle.end()) : g.idle.front();
    tools_[t].reserved_for = lot;
    refresh_idle(t);
  } else if (g.pending_reservation < 0) {
    g.pending_reservation = lot;
  }
}

void Sim::arrive(std::int32_t id) {
  Lot& l = lots_[id];
  const StepInfo& si = steps_[l.first_step + l.step];
  Group& g = groups_[si.group];
  l.queue_since = now_;
  enqueue(g, id);
  if (o_.super_hot_reservation) [[unlikely]] {
    // A reserved tool (super hot lots) takes the lot at once.
    for (std::int32_t t = g.first_tool, e = g.first_tool + g.g->tools; t < e; ++t) {
      if (tools_[t].reserved_for == id) {
        tools_[t].reserved_for = -1;
        refresh_idle(t);
        if (can_start(tools_[t]) && dispatch(t)) return;
        break;
      }
    }
    if (g.pending_reservation == id) g.pending_reservation = -1;
  }
  if (g.idle.empty()) return;
  const std::int32_t ded = l.nded > 0 ? l.dedicated_tool(l.step) : kNone;
  if (ded != kNone && tools_[ded].group == si.group) {
    if (tools_[ded].idle_pos >= 0) dispatch(ded);
    return;
  }
  try_group(si.group, id);
}

// Offers the group's idle tools a decision, in preference order, until one starts a job.
void Sim::try_group(std::int32_t gi, std::int32_t arriving) {
  Group& g = groups_[gi];
  if (g.idle.empty() || g.qn == 0) return;
  const bool wake = g.g->wake_least_setup && arriving >= 0;
  // The arriving lot's step and the setup it needs (read only by the least-setup wake rule).
  const std::int32_t agsi = wake ? lots_[arriving].first_step + lots_[arriving].step : 0;
  const model::SetupId aset = wake ? steps_[agsi].setup : kNone;
  // Tool-specific eligibility (setup runs) means one refusal does not imply all refuse.
  const bool all = g.lssu;
  const int limit = all ? static_cast<int>(g.idle.size()) : 1;
  for (int attempt = 0; attempt < limit && !g.idle.empty(); ++attempt) {
    std::int32_t best = -1;
    if (!wake && first_idle_ && attempt == 0) {
      best = g.first_tool + lowest_idle(g);  // the loop below without a scan
    } else if (!wake) {
      // Among the idle tools: the first in the group's list (IdleTool::First), or the one idle
      // the longest (the order of the idle list).
      for (std::int32_t t : g.idle) {
        if (attempt > 0 &&
            std::find(tried_tools_.begin(), tried_tools_.end(), t) != tried_tools_.end())
          continue;
        if (best < 0 || (first_idle_ && t < best)) best = t;
        if (!first_idle_) break;
      }
    } else {
      Ticks best_setup = 0;
      for (std::int32_t t : g.idle) {  // least setup; ties as above
        if (attempt > 0 &&
            std::find(tried_tools_.begin(), tried_tools_.end(), t) != tried_tools_.end())
          continue;
        const Ticks st = setup_time(tools_[t].setup, aset, agsi);
        if (best < 0 || st < best_setup || (first_idle_ && st == best_setup && t < best)) {
          best = t;
          best_setup = st;
        }
      }
    }
    if (best < 0) return;
    if (attempt == 0) tried_tools_.clear();
    tried_tools_.push_back(best);
    if (dispatch(best)) return;
  }
}

[[gnu::always_inline]] inline void Sim::refresh_idle(std::int32_t ti) {
  Tool& t = tools_[ti];
  Group& g = groups_[t.group];
  const bool ok = can_start(t);
  if (ok && t.idle_pos < 0) {
    t.idle_pos = 1;
    g.idle.push_back(ti);
    const std::int32_t k = ti - g.first_tool;
    g.idle_bits[k >> 6] |= std::uint64_t{1} << (k & 63);
    if (g.pending_reservation >= 0 && o_.super_hot_reservation) [[unlikely]]
      take_reservation(ti);
  } else if (!ok && t.idle_pos >= 0) {
    if (g.idle.back() == ti)
      g.idle.pop_back();
    else if (first_idle_)
      g.idle.swap_erase(ti);  // every choice takes the lowest index: the order is not read
    else
      g.idle.erase(ti);
    t.idle_pos = -1;
    const std::int32_t k = ti - g.first_tool;
    g.idle_bits[k >> 6] &= ~(std::uint64_t{1} << (k & 63));
  }
}

// The tool that just became idle is reserved for the group's waiting super hot lot (kept out of
// refresh_idle, which is then small enough to inline).
void Sim::take_reservation(std::int32_t ti) {
  Tool& t = tools_[ti];
  Group& g = groups_[t.group];
  const std::int32_t lot = g.pending_reservation;
  g.pending_reservation = -1;
  t.reserved_for = lot;
  refresh_idle(ti);
}

// Books the time since the last change to the tool's state (precedence of FORMAT.md §13).
void Sim::touch(Tool& t) {
  if (now_ > t.acc_since) {
    ToolState s;
    if (t.outage == kOutDown)
      s = kDown;
    else if (t.outage == kOutPm)
      s = kPm;
    else if (t.n_setup > 0)
      s = kSetup;
    else if (t.n_busy > 0)
      s = kBusy;
    else
      s = kIdle;
    const Ticks a = std::max(t.acc_since, tw_), b = std::min(now_, T_);
    if (b > a) t.acc[s] += b - a;
  }
  t.acc_since = now_;
}

bool Sim::kit_ok(const Lot& l, const StepInfo& si) const {
  const auto& p = f_.products[l.product];
  for (const auto& k : si.step->kit) {
    const double need =
        k.quantity * basis_quantity(k.basis, static_cast<double>(l.wafers),
                                 static_cast<double>(l.units), l.is_units, p, k.component);
    if (stock_[k.component] + 1e-9 < need) return false;
  }
  return true;
}

void Sim::consume_kit(const Lot& l, const StepInfo& si) {
  const auto& p = f_.products[l.product];
  for (const auto& k : si.step->kit) {
    const double need =
        k.quantity * basis_quantity(k.basis, static_cast<double>(l.wafers),
                                 static_cast<double>(l.units), l.is_units, p, k.component);
    stock_[k.component] -= need;
    consumed_[k.component] += need;
  }
}

// The part of each criterion c[0, n) that is fixed while the lot waits (smaller is better), into
// k: the key itself, or the due date (critical ratio, see critical_ratio()), or 0 (setup
// avoidance, which depends on the deciding tool). A table by criterion, not a switch per key.
[[gnu::always_inline]] inline void Sim::fixed_keys(const model::RankCriterion* c, int n,
                                                   const Lot& l, const StepInfo& si,
                                                   double* k) const {
  static_assert(static_cast<int>(model::RankCriterion::ShortestProcessing) == 5);
  const double due = static_cast<double>(l.due);
  const double v[6] = {
      static_cast<double>(-l.priority),       // HighPriority
      0.0,                                    // LeastSetup
      static_cast<double>(l.queue_since),     // Fifo
      due,                                    // CriticalRatio
      due,                                    // EarliestDue
      si.mean_time,                           // ShortestProcessing
  };
  for (int r = 0; r < n; ++r) k[r] = v[static_cast<int>(c[r])];
}

// Keeps bucket b's entry in g.heads in step with its first entry (or drops it when empty).
[[gnu::always_inline]] inline void Sim::set_head(Group& g, std::int32_t b) {
  const EntryQueue& v = g.buckets[b];
  if (v.empty()) {
    const std::int32_t slot = g.head_slot[b];
    if (slot >= 0) {
      g.heads[slot] = g.heads.back();
      g.head_slot[g.heads[slot].bucket] = slot;
      g.heads.pop_back();
      g.head_slot[b] = -1;
    }
    return;
  }
  if (g.head_slot[b] < 0) {
    g.head_slot[b] = static_cast<std::int32_t>(g.heads.size());
    g.heads.emplace_back();
  }
  const QEntry& f = v[0];
  g.heads[g.head_slot[b]] = BucketHead{f.k[0], f.k[1], g.bucket_rem[b], f.serial, b, f.ded};
}

void Sim::enqueue(Group& g, std::int32_t id) {
  const Lot& l = lots_[id];
  const std::int32_t gsi = l.first_step + l.step;
  const StepInfo& si = steps_[gsi];
  QEntry e{};
  e.serial = l.serial;
  e.lot = id;
  e.ded = kNone;
  e.gsi = gsi;
  e.setup = si.setup;
  e.rem = si.remaining;
  if (l.nded > 0) {
    const std::int32_t d = l.dedicated_tool(l.step);
    if (d != kNone && tools_[d].group == si.group) e.ded = d;
  }
  ++g.qn;
  if (g.bucketed) {
    e.k[0] = g.bucket_prio ? -l.priority : 0.0;
    e.k[1] = si.remaining > 0 ? static_cast<double>(l.due) : 0.0;
    EntryQueue& b = g.buckets[si.bucket];
    const auto less = [](const QEntry& x, const QEntry& y) {
      if (x.k[0] != y.k[0]) return x.k[0] < y.k[0];
      if (x.k[1] != y.k[1]) return x.k[1] < y.k[1];
      return x.serial < y.serial;
    };
    // Lots mostly arrive in due order: the back is where upper_bound would end up then.
    std::int32_t at = b.size();
    if (!b.empty() && less(e, b.back()))
      at = static_cast<std::int32_t>(std::upper_bound(b.begin(), b.end(), e, less) - b.begin());
    b.insert(at, e);
    if (at == 0) set_head(g, si.bucket);
    return;
  }
  if (!g.static_order) {
    // The part of each criterion that does not change while the lot waits.
    fixed_keys(g.rank.data(), static_cast<int>(g.rank.size()), l, si, e.k);
    g.queue.push_back(e);
    return;
  }
  fixed_keys(g.keys, g.nkeys, l, si, e.k);
  const int nk = g.nkeys;
  const auto less = [nk](const QEntry& a, const QEntry& b) {
    for (int r = 0; r < nk; ++r)
      if (a.k[r] != b.k[r]) return a.k[r] < b.k[r];
    return a.serial < b.serial;
  };
  // A new lot (FIFO key = now) mostly goes to the back: where upper_bound would end up then.
  if (g.queue.empty() || !less(e, g.queue.back())) {
    g.queue.push_back(e);
    return;
  }
  const QEntry* it = std::upper_bound(g.queue.begin(), g.queue.end(), e, less);
  g.queue.insert(static_cast<std::int32_t>(it - g.queue.begin()), e);
}

// Removes queue entries by index; `idx` sorted descending.
void Sim::dequeue_desc(Group& g, const std::int32_t* idx, int n) {
  g.qn -= n;
  for (int k = 0; k < n; ++k) {
    const std::int32_t i = idx[k];
    if (g.static_order) {
      g.queue.erase(i);
    } else {
      g.queue[i] = g.queue.back();
      g.queue.pop_back();
    }
  }
}

// The tool (able to start) picks its next job from the group's queue. Returns true if it started.
bool Sim::dispatch(std::int32_t ti) {
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  if (g.qn == 0) return false;
  const std::int32_t nq = static_cast<std::int32_t>(g.queue.size());

  if (g.bucketed && g.batching) return dispatch_bucketed_batch(ti);
  // Bucketed critical ratio: compare the first eligible lot of every non-empty bucket.
  if (g.bucketed) {
    std::int32_t best_b = -1, best_i = -1;
    double bk0 = std::numeric_limits<double>::infinity(), bk1 = bk0;  // any first head wins
    std::int64_t bser = 0;
    const double now = static_cast<double>(now_);
    const bool kits = g.has_kit;
    for (const BucketHead& h : g.heads) {
      double k0 = h.k0, due = h.due;
      std::int64_t ser = h.serial;
      std::int32_t i = 0;
      if (kits || (h.ded != kNone && h.ded != ti)) [[unlikely]] {
        // The first entry cannot start here: the bucket's first one that can.
        i = first_eligible(g, h.bucket, ti);
        if (i < 0) continue;
        const EntryQueue& v = g.buckets[h.bucket];
        k0 = v[i].k[0];
        due = v[i].k[1];
        ser = v[i].serial;
      }
      const double k1 = critical_ratio(due, now, h.rem);
      if (k0 < bk0 || (k0 == bk0 && (k1 < bk1 || (k1 == bk1 && ser < bser)))) {
        best_b = h.bucket;
        best_i = i;
        bk0 = k0;
        bk1 = k1;
        bser = ser;
      }
    }
    if (best_b < 0) return false;
    EntryQueue& v = g.buckets[best_b];
    const std::int32_t id = v[best_i].lot;
    const std::int32_t gsi = v[best_i].gsi;
    v.erase(best_i);
    if (best_i == 0) set_head(g, best_b);
    --g.qn;
    start_job(ti, gsi, &id, 1);
    return true;
  }

  // Fast path: static order, no batching: the first eligible lot in queue order.
  if (g.static_order && !g.batching) {
    for (std::int32_t i = 0; i < nq; ++i) {
      if (!eligible_entry(g.queue[i], ti, g)) continue;
      const std::int32_t id = g.queue[i].lot;
      const std::int32_t gsi = g.queue[i].gsi;
      dequeue_desc(g, &i, 1);
      start_job(ti, gsi, &id, 1);
      return true;
    }
    return false;
  }

  const bool run_active = g.lssu && tool.run_left > 0 && tool.setup != kNone &&
                          f_.setup_group_of[tool.setup] == g.setup_group;
  const int nr = g.static_order ? g.nkeys : static_cast<int>(g.rank.size());
  if (!g.batching && !(g.lssu && o_.lssu_switch == LssuSwitch::GroupAware) && o_.fast_queues)
    return dispatch_best(ti, run_active, nr);
  cands_.clear();
  bool has_match = false;
  for (std::int32_t i = 0; i < nq; ++i) {
    const QEntry& e = g.queue[i];
    if (!eligible_entry(e, ti, g)) continue;
    if (run_active && e.setup == tool.setup) has_match = true;
    Cand c;
    c.serial = e.serial;
    c.lot = e.lot;
    c.idx = i;
    for (int r = 0; r < 4; ++r) c.k[r] = e.k[r];
    cands_.push_back(c);
  }
  if (cands_.empty()) return false;
  if (!g.static_order) {
    // The criteria that change with time or tool, one at a time over all candidates (one
    // switch per criterion, not one per lot and criterion); the others are in the entries.
    const double now = static_cast<double>(now_);
    for (int r = 0; r < nr; ++r) {
      switch (g.rank[r]) {
        case model::RankCriterion::CriticalRatio:
          for (Cand& c : cands_) c.k[r] = critical_ratio(c.k[r], now, g.queue[c.idx].rem);
          break;
        case model::RankCriterion::LeastSetup:
          for (Cand& c : cands_) {
            const QEntry& e = g.queue[c.idx];
            c.k[r] = static_cast<double>(setup_time(tool.setup, e.setup, e.gsi));
          }
          break;
        default:
          break;
      }
    }
  }
  if (run_active && has_match) {
    // While a setup run is unfinished, lots needing another setup are not eligible.
    std::size_t w = 0;
    for (std::size_t i = 0; i < cands_.size(); ++i) {
      const model::SetupId need = g.queue[cands_[i].idx].setup;
      if (need == kNone || need == tool.setup) cands_[w++] = cands_[i];
    }
    cands_.resize(w);
  }
  if (g.lssu && o_.lssu_switch == LssuSwitch::GroupAware) {
    // A tool changes to gas S only when the tools of the group already in S (and up) cannot
    // cover the lots waiting for it with their setup runs: n_S > MINRUN x k_S.
    setup_need_.clear();
    for (const Cand& c : cands_) {
      const model::SetupId need = g.queue[c.idx].setup;
      if (need == kNone || need == tool.setup) continue;
      auto it = std::find_if(setup_need_.begin(), setup_need_.end(),
                             [need](const auto& p) { return p.first == need; });
      if (it == setup_need_.end())
        setup_need_.emplace_back(need, 1);
      else
        ++it->second;
    }
    bool refuse_any = false;
    for (auto& [need, n] : setup_need_) {
      int k = 0;
      for (std::int32_t t = g.first_tool, e = g.first_tool + g.g->tools; t < e; ++t)
        if (t != ti && tools_[t].setup == need && tools_[t].outage == kNoOutage) ++k;
      const bool refuse = k > 0 && n <= g.min_run * k;
      n = refuse ? -1 : n;
      refuse_any = refuse_any || refuse;
    }
    if (refuse_any) {
      std::size_t w = 0;
      for (std::size_t i = 0; i < cands_.size(); ++i) {
        const model::SetupId need = g.queue[cands_[i].idx].setup;
        bool keep = true;
        for (const auto& [s, n] : setup_need_)
          if (s == need && n < 0) keep = false;
        if (keep) cands_[w++] = cands_[i];
      }
      cands_.resize(w);
      if (cands_.empty()) return false;
    }
  }
  auto less = [nr](const Cand& a, const Cand& b) {
    for (int r = 0; r < nr; ++r)
      if (a.k[r] != b.k[r]) return a.k[r] < b.k[r];
    return a.serial < b.serial;
  };
  if (!g.batching) {
    const Cand* best = &cands_[0];
    for (std::size_t i = 1; i < cands_.size(); ++i)
      if (less(cands_[i], *best)) best = &cands_[i];
    const std::int32_t lot = best->lot;
    const std::int32_t idx = best->idx;
    const std::int32_t gsi = g.queue[idx].gsi;
    dequeue_desc(g, &idx, 1);
    start_job(ti, gsi, &lot, 1);
    return true;
  }
  // Batching: families in rank order of their best lot; the first family reaching its minimum
  // starts, filled in rank order up to the maximum.
  if (!g.static_order) std::sort(cands_.begin(), cands_.end(), less);
  tried_families_.clear();
  const bool by_name = g.g->batch_criterion == model::BatchCriterion::SameStepName;
  // The family of every candidate, read once.
  cand_fam_.resize(cands_.size());
  for (std::size_t i = 0; i < cands_.size(); ++i) {
    const std::int32_t gsi = g.queue[cands_[i].idx].gsi;
    cand_fam_[i] = by_name ? steps_[gsi].name_id : gsi;
  }
  for (std::size_t i = 0; i < cands_.size(); ++i) {
    const std::int32_t lead_gsi = g.queue[cands_[i].idx].gsi;
    const StepInfo& lsi = steps_[lead_gsi];
    const std::int32_t fam = cand_fam_[i];
    if (std::find(tried_families_.begin(), tried_families_.end(), fam) != tried_families_.end())
      continue;
    tried_families_.push_back(fam);
    const model::Step& st = *lsi.step;
    if (st.batch_max <= 0) {
      const std::int32_t lot = cands_[i].lot;
      const std::int32_t idx = cands_[i].idx;
      dequeue_desc(g, &idx, 1);
      start_job(ti, lead_gsi, &lot, 1);
      return true;
    }
    BatchFill fill = begin_fill();
    for (std::size_t j = i; j < cands_.size(); ++j)
      if (cand_fam_[j] == fam) offer(fill, g, st, cands_[j].lot, cands_[j].idx);
    if (!batch_ready(g, tool.group, st, fill)) continue;
    std::int32_t lots[kMaxJobLots];
    const int n = static_cast<int>(pick_.size());  // <= kMaxJobLots (see the fill loop)
    std::copy_n(pick_.begin(), n, lots);
    std::sort(pick_idx_.begin(), pick_idx_.end(), std::greater<>());
    dequeue_desc(g, pick_idx_.data(), static_cast<int>(pick_idx_.size()));
    start_job(ti, lead_gsi, lots, n);
    return true;
  }
  return false;
}

// dispatch() for a bucketed batch group (families are route steps, so each bucket is one family
// with its lots in rank order): the decision of the candidate-list path without sorting the
// queue. Families in rank order of their first eligible lot; the first reaching its minimum
// starts, filled in rank order up to the maximum.
[[gnu::noinline]] bool Sim::dispatch_bucketed_batch(std::int32_t ti) {
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  const double now = static_cast<double>(now_);
  families_.clear();
  for (const BucketHead& h : g.heads) {
    std::int32_t i = 0;
    if (h.ded != kNone && h.ded != ti) {
      i = first_eligible(g, h.bucket, ti);
      if (i < 0) continue;
    }
    const EntryQueue& v = g.buckets[h.bucket];
    const double k1 = critical_ratio(v[i].k[1], now, h.rem);
    families_.push_back(Family{v[i].k[0], k1, v[i].serial, h.bucket, i});
  }
  std::sort(families_.begin(), families_.end(), [](const Family& a, const Family& b) {
    if (a.k0 != b.k0) return a.k0 < b.k0;
    if (a.k1 != b.k1) return a.k1 < b.k1;
    return a.serial < b.serial;
  });
  for (const Family& f : families_) {
    EntryQueue& v = g.buckets[f.bucket];
    const std::int32_t lead_gsi = v[f.first].gsi;
    const model::Step& st = *steps_[lead_gsi].step;
    if (st.batch_max <= 0) {
      const std::int32_t lot = v[f.first].lot;
      v.erase(f.first);
      if (f.first == 0) set_head(g, f.bucket);
      --g.qn;
      start_job(ti, lead_gsi, &lot, 1);
      return true;
    }
    BatchFill fill = begin_fill();
    for (std::int32_t j = f.first, n = v.size(); j < n; ++j)
      if (eligible_entry(v[j], ti, g)) offer(fill, g, st, v[j].lot, j);
    if (!batch_ready(g, tool.group, st, fill)) continue;
    std::int32_t lots[kMaxJobLots];
    const int n = static_cast<int>(pick_.size());  // <= kMaxJobLots (see the fill loop)
    std::copy_n(pick_.begin(), n, lots);
    for (int k = n; k-- > 0;) v.erase(pick_idx_[k]);  // indices ascending: erase from the back
    if (pick_idx_[0] == 0) set_head(g, f.bucket);
    g.qn -= n;
    start_job(ti, lead_gsi, lots, n);
    return true;
  }
  return false;
}

// dispatch() for a group without batches whose order depends on time or tool (setup runs,
// setup avoidance): the best eligible lot in one pass over the queue, keys computed as
// needed, no candidate list. While the tool's setup run is unfinished and a lot of its setup
// waits, only lots needing no other setup count (the best of those is kept alongside).
bool Sim::dispatch_best(std::int32_t ti, bool run_active, int nr) {
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  const double now = static_cast<double>(now_);
  const model::SetupId have = tool.setup;
  model::RankCriterion crit[4];
  std::copy_n(g.rank.begin(), nr, crit);
  using model::RankCriterion;
  const auto fixed = [](RankCriterion c) {
    return c != RankCriterion::CriticalRatio && c != RankCriterion::LeastSetup;
  };
  if (nr == 3 && fixed(crit[0]) && crit[1] == RankCriterion::LeastSetup) {
    if (crit[2] == RankCriterion::CriticalRatio) return dispatch_fixed_setup<true>(ti, run_active);
    if (fixed(crit[2])) return dispatch_fixed_setup<false>(ti, run_active);
  }
  // Key r of entry e (the same values as the candidate-list path of dispatch()). The group has
  // no static order (those without batches take the fast path of dispatch()).
  const auto key = [&](const QEntry& e, int r) -> double {
    switch (crit[r]) {
      case model::RankCriterion::CriticalRatio:
        return critical_ratio(e.k[r], now, e.rem);
      case model::RankCriterion::LeastSetup:
        return static_cast<double>(setup_time(have, e.setup, e.gsi));
      default:
        return e.k[r];
    }
  };
  struct Best {
    std::int32_t i = -1;
    double k[4];
    std::int64_t serial;
  };
  // Whether e ranks before b; its keys are left in k[0, r) when it does.
  const auto beats = [&](const QEntry& e, const Best& b, double* k) {
    for (int r = 0; r < nr; ++r) {
      k[r] = key(e, r);
      if (k[r] != b.k[r]) {
        if (k[r] > b.k[r]) return false;
        for (int q = r + 1; q < nr; ++q) k[q] = key(e, q);
        return true;
      }
    }
    return e.serial < b.serial;
  };
  double k[4];
  // Entry i becomes b's best if it ranks first so far.
  const auto consider = [&](Best& b, const QEntry& e, std::int32_t i) {
    if (b.i < 0) {
      for (int r = 0; r < nr; ++r) b.k[r] = key(e, r);
    } else if (beats(e, b, k)) {
      std::copy_n(k, nr, b.k);
    } else {
      return;
    }
    b.i = i;
    b.serial = e.serial;
  };
  return start_best<Best>(ti, run_active, consider);
}

// The scan of both one-pass rankings: `consider(b, e, i)` makes entry i b's best when it ranks
// first so far (Best: a record with the index `i`, -1 while empty). Every eligible entry is
// considered for the best of all and, while a setup run is active, for the best of those that
// fit the run; that one starts if any entry needs the running setup, else the best of all.
template <class Best, class Consider>
bool Sim::start_best(std::int32_t ti, bool run_active, const Consider& consider) {
  Group& g = groups_[tools_[ti].group];
  const model::SetupId have = tools_[ti].setup;
  Best all, run;
  bool has_match = false;
  for (std::int32_t i = 0, nq = g.queue.size(); i < nq; ++i) {
    const QEntry& e = g.queue[i];
    if (!eligible_entry(e, ti, g)) continue;
    consider(all, e, i);
    if (!run_active) continue;
    if (e.setup == have) has_match = true;
    if (e.setup == kNone || e.setup == have) consider(run, e, i);
  }
  const std::int32_t idx = run_active && has_match ? run.i : all.i;
  if (idx < 0) return false;
  const std::int32_t lot = g.queue[idx].lot;
  const std::int32_t gsi = g.queue[idx].gsi;
  dequeue_desc(g, &idx, 1);
  start_job(ti, gsi, &lot, 1);
  return true;
}

// dispatch_best() for the rankings of the SMT2020 models: a fixed key, least setup, then a fixed
// key (HVLM: HP; RSETUP; FIFO) or the critical ratio (kCr; LVHM: HP; RSETUP; CR). The same
// comparisons in the same order, without a switch per key and entry.
template <bool kCr>
bool Sim::dispatch_fixed_setup(std::int32_t ti, bool run_active) {
  const double now = static_cast<double>(now_);
  const model::SetupId have = tools_[ti].setup;
  struct Best {
    std::int32_t i = -1;
    double k0 = 0, k1 = 0, k2 = 0;
    std::int64_t serial = 0;
  };
  const auto third = [&](const QEntry& e) {
    if constexpr (kCr)
      return critical_ratio(e.k[2], now, e.rem);
    else
      return e.k[2];
  };
  // Entry i becomes b's best if it ranks first so far (keys compared in order, then serial).
  const auto consider = [&](Best& b, const QEntry& e, std::int32_t i) {
    const double k0 = e.k[0];
    if (b.i >= 0 && k0 > b.k0) return;
    const double k1 = static_cast<double>(setup_time(have, e.setup, e.gsi));
    if (b.i >= 0 && k0 == b.k0) {
      if (k1 > b.k1) return;
      if (k1 == b.k1) {
        const double k2 = third(e);
        if (k2 > b.k2 || (k2 == b.k2 && !(e.serial < b.serial))) return;
        b = Best{i, k0, k1, k2, e.serial};
        return;
      }
    }
    b = Best{i, k0, k1, third(e), e.serial};
  };
  return start_best<Best>(ti, run_active, consider);
}

// Whether lot l may start on tool ti now (dedication, kit); notes kit shortages.
bool Sim::eligible(Lot& l, std::int32_t ti, const Group& g) {
  if (l.nded > 0) {
    // A record naming a tool of another group (a model whose dedication target runs elsewhere)
    // is ignored rather than blocking the lot forever.
    const std::int32_t ded = l.dedicated_tool(l.step);
    if (ded != kNone && ded != ti && tools_[ded].group == tools_[ti].group) return false;
  }
  if (g.has_kit) {
    const StepInfo& si = steps_[l.first_step + l.step];
    if (!si.step->kit.empty() && !kit_ok(l, si)) {
      if (l.kit_short_since < 0) {
        l.kit_short_since = now_;
        for (const auto& k : si.step->kit) ++stockouts_[k.component];
      }
      return false;
    }
  }
  return true;
}

void Sim::start_job(std::int32_t ti, std::int32_t gsi, const std::int32_t* lot_ids, int n) {
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  StepInfo& si = steps_[gsi];  // not const: its random stream draws
  touch(tool);

  const std::int32_t jid = take_slot(jobs_, free_job_, &Job::next_free);
  Job& job = jobs_[jid];
  job.tool = ti;
  job.si = gsi;
  job.nlots = n;
  job.lot0 = lot_ids[0];
  if (n > 1) job.lots.assign(lot_ids, lot_ids + n);
  job.paused = false;
  ++job.version;

  double wafers = 0, units = 0;
  bool is_units = false;
  const bool in_window = now_ >= tw_;
  for (int k = 0; k < n; ++k) {
    Lot& l = lots_[lot_ids[k]];
    wafers += static_cast<double>(l.wafers);
    if (l.is_units) units += static_cast<double>(l.units);  // 0 for wafer lots
    is_units = is_units || l.is_units;
    if (in_window) {
      g.queue_wait += static_cast<double>(now_ - l.queue_since);
      ++g.lot_starts;
    }
    // Critical queue time: the window closes when the job starts (setup included).
    if (l.cqt_exit == l.step) {
      const bool viol = now_ - l.cqt_open > l.cqt_limit;
      if (now_ >= tw_) {
        ++cqt_windows_;
        ++cqt_area_[l.cqt_area].windows;
        if (l.stream >= 0) ++sacc_[l.stream].cqt_windows;
        if (viol) {
          ++cqt_viol_;
          ++cqt_area_[l.cqt_area].violations;
          if (l.stream >= 0) ++sacc_[l.stream].cqt_viol;
        }
      }
      l.cqt_exit = kNone;
    }
    // Lot-to-lens dedication: consume a record for this step, create one for the target.
    if (l.nded > 0) {
      for (int d = 0; d < 4; ++d)
        if (l.ded_step[d] == l.step) {
          l.ded_step[d] = kNone;
          --l.nded;
        }
    }
    if (si.dedicate != kNone) {
      int slot = -1;
      for (int d = 0; d < 4 && slot < 0; ++d)
        if (l.ded_step[d] == si.dedicate) slot = d;
      for (int d = 0; d < 4 && slot < 0; ++d)
        if (l.ded_step[d] == kNone) {
          slot = d;
          ++l.nded;
        }
      if (slot < 0) slot = 0;  // more than four open records: the oldest slot is reused
      l.ded_step[slot] = si.dedicate;
      l.ded_tool[slot] = ti;
    }
    if (si.has_kit) {
      if (l.kit_short_since >= 0) {
        const double h = to_hours(now_ - l.kit_short_since);
        for (const auto& kk : si.step->kit) starved_[kk.component] += h;
        l.kit_short_since = -1;
      }
      consume_kit(l, si);
    }
  }
  lot_steps_ += n;

  // Setup.
  const Ticks su = setup_time(tool.setup, si.setup, gsi);
  if (si.setup != kNone && si.setup != tool.setup) {
    if (in_window) ++g.setups;
    tool.setup = si.setup;
    if (g.lssu && f_.setup_group_of[si.setup] == g.setup_group)
      tool.run_left = g.min_run;
    else
      tool.run_left = 0;
  }
  if (g.lssu && si.setup != kNone && si.setup == tool.setup && tool.run_left > 0)
    tool.run_left = std::max(0, tool.run_left - n);

  // Processing time (one draw per job).
  const double x = Dist{si.time_kind, si.time_mean, si.time_half_width}.sample(si.proc);
  Ticks lot_view, occupied;
  const Ticks LU = si.load_unload;  // load + unload
  double over = static_cast<double>(si.overhead);
  if (si.overhead_per_wafer) over *= is_units ? units : wafers;  // units once the lot counts units
  if (si.cascading) {
    const double c = static_cast<double>(si.cascade_interval);
    if (si.cascade_basis == model::CascadeBasis::PerWafer) {
      lot_view = LU + round_ticks(x + (wafers - 1) * c + over);
      occupied = round_ticks(wafers * c);
    } else {
      lot_view = LU + round_ticks(x + over);
      occupied = round_ticks(c);
    }
    occupied = std::min(occupied, lot_view);
  } else {
    const double cnt = si.basis == model::TimeBasis::PerLot
                           ? 1.0
                           : basis_quantity(si.basis, wafers, units, is_units,
                                         f_.products[lots_[lot_ids[0]].product], si.die_component);
    lot_view = LU + round_ticks(x * cnt + over);
    occupied = lot_view;
  }
  job.setup_end = now_ + su;
  job.done = job.setup_end + lot_view;
  job.entry_free = job.setup_end + occupied;
  job.separate_entry = job.entry_free < job.done;
  job.in_setup = su > 0;
  job.occupying = true;
  if (job.in_setup)
    ++tool.n_setup;
  else
    ++tool.n_busy;
  tool.entry_busy = true;
  ++tool.jobs_in;
  tool.jobs.push_back(jid);
  ++g.in_use;
  g.max_parallel = std::max(g.max_parallel, g.in_use);
  if (in_window) {
    ++g.jobs;
    if (g.batching && si.step->batch_max > 0) {
      ++g.batches;
      double sz = 0;
      for (int k = 0; k < n; ++k) sz += batch_size(g, lots_[lot_ids[k]]);
      g.batch_fill += sz / si.step->batch_max;
    }
  }

  // Wafer-count PM: the counter advances by the job's wafers; a PM falls due after this job.
  if (!g.wafer_pms.empty()) {
    double* c = &wpm_[tool.wpm];  // (count, threshold) of g.wafer_pms[j] at c[2j], c[2j + 1]
    for (const std::int32_t a : g.wafer_pms) {
      c[0] += wafers;
      if (c[0] >= c[1] &&
          std::find(tool.pending_pm.begin(), tool.pending_pm.end(), a) == tool.pending_pm.end()) {
        if (nested_ && pm_absorbed(tool, a)) {
          pm_skip(ti, a, now_);
        } else {
          tool.add_pm(a);
        }
      }
      c += 2;
    }
  }

  if (o_.observer) {
    obs_serials_.clear();
    for (int k = 0; k < n; ++k) obs_serials_.push_back(lots_[lot_ids[k]].serial);
    o_.observer->on_job_start(now_, tool.group, ti, si.route, si.index, obs_serials_);
  }
  refresh_idle(ti);
  schedule_job(jid);
}

[[gnu::always_inline]] inline void Sim::schedule_job(std::int32_t jid) {
  const Job& j = jobs_[jid];
  const auto v = static_cast<std::int32_t>(j.version);
  if (j.in_setup) push(j.setup_end, kEvSetupEnd, jid, v);
  if (j.occupying && j.separate_entry) push(j.entry_free, kEvEntryFree, jid, v);
  push(j.done, kEvJobDone, jid, v);
}

void Sim::on_setup_end(std::int32_t jid) {
  Job& j = jobs_[jid];
  Tool& t = tools_[j.tool];
  touch(t);
  j.in_setup = false;
  --t.n_setup;
  ++t.n_busy;
}

[[gnu::always_inline]] inline void Sim::release_entry(Job& j) {
  j.occupying = false;
  tools_[j.tool].entry_busy = false;
  if (o_.observer) o_.observer->on_job_release_tool(now_, tools_[j.tool].group, j.tool);
}

void Sim::on_entry_free(std::int32_t jid) {
  Job& j = jobs_[jid];
  release_entry(j);
  after_tool_change(j.tool);
}

void Sim::on_job_done(std::int32_t jid) {
  Job& j = jobs_[jid];
  const std::int32_t ti = j.tool;
  Tool& t = tools_[ti];
  touch(t);
  if (j.occupying) release_entry(j);
  --t.n_busy;
  --t.jobs_in;
  --groups_[t.group].in_use;
  t.jobs.erase(jid);
  // Move the lots on; the job record is recycled first (its lots are copied out).
  std::int32_t lots[kMaxJobLots];
  const int n = j.nlots;  // <= kMaxJobLots
  if (n == 1)
    lots[0] = j.lot0;
  else
    std::copy_n(j.lots.begin(), n, lots);
  j.next_free = free_job_;
  free_job_ = jid;
  ++j.version;
  for (int k = 0; k < n; ++k) complete_step(lots[k], ti);
  if (t.outage == kNoOutage && t.jobs_in == 0 && t.pm_waiting) {
    start_pm(ti);
    return;
  }
  after_tool_change(ti);
}

// Every idle tool of the group, in turn, may start a job while lots wait: in the group's list
// order under IdleTool::First (the order of every other choice among idle tools), else longest
// idle first. A tool that starts leaves the idle list; one that cannot start stays.
void Sim::offer_idle_tools(Group& g) {
  if (first_idle_) {
    for (std::int32_t t = g.first_tool, e = t + g.g->tools; t < e && g.qn > 0; ++t)
      if (tools_[t].idle_pos >= 0) dispatch(t);
    return;
  }
  for (std::size_t k = 0; k < g.idle.size() && g.qn > 0;)
    if (!dispatch(g.idle[k])) ++k;
}

// The tool may have become able to start: list it as idle and let it choose.
[[gnu::always_inline]] inline void Sim::after_tool_change(std::int32_t ti) {
  refresh_idle(ti);
  if (tools_[ti].idle_pos >= 0) dispatch(ti);
}

void Sim::complete_step(std::int32_t id, std::int32_t ti) {
  Lot& l = lots_[id];
  const std::int32_t gsi = l.first_step + l.step;
  const StepInfo& si = steps_[gsi];
  bool split = false;
  if (o_.observer) o_.observer->on_step_complete(now_, l.serial, l.route, l.step, ti);
  // Yield (packaging): binomial scrap of wafers or units.
  if (si.scrap_or_transform) {
    const double before = static_cast<double>(l.qty());
    if (si.yield < 1.0) {
      const std::int64_t keep = rng_yield_[gsi].binomial(l.qty(), si.yield);
      const std::int64_t lost = l.qty() - keep;
      if (l.is_units) {
        units_scrapped_ += static_cast<double>(lost);
        l.units = keep;
      } else {
        wafers_scrapped_ += static_cast<double>(lost);
        l.wafers = keep;
      }
    }
    step_in_[gsi] += before;
    step_out_[gsi] += static_cast<double>(l.qty());
    if (l.qty() == 0) {
      finish_lot(id, true);
      return;
    }
    if (si.transform && !l.is_units) {
      const auto& p = f_.products[l.product];
      const std::int64_t sites = l.wafers * p.sites_per_wafer;
      l.units = rng_transform_[gsi].binomial(sites, p.site_yield);
      l.is_units = true;
      l.transformed_at = now_;
      l.wafer_share = static_cast<double>(l.wafers);
      wafers_transformed_ += static_cast<double>(l.wafers);
      units_created_ += static_cast<double>(l.units);
      if (now_ >= tw_) wafer_ct_.push_back(to_days(now_ - l.release));
      if (l.units == 0) {
        finish_lot(id, true);
        return;
      }
      split = si.step->split_units > 0 && l.units > si.step->split_units;
    }
  }
  // Critical queue time window opens at completion.
  if (si.cqt_exit != kNone) {
    l.cqt_exit = si.cqt_exit;
    l.cqt_open = now_;
    l.cqt_limit = si.cqt_limit;
    l.cqt_area = area_of_group_[si.group];
  }
  std::int32_t next = l.step + 1;
  if (si.rework_step != kNone && si.rework_p > 0 && rng_rework_[gsi].bernoulli(si.rework_p)) {
    next = si.rework_step;
    ++rework_;
  }
  const model::LocationId here = si.location;
  if (split) {
    // Assembly lots: the fewest lots of at most split_units units, sizes differing by at most
    // one; the children copy the parent (stream, priority, release, due, open windows).
    const std::int64_t total = l.units;
    const std::int64_t cap = si.step->split_units;
    const std::int64_t n = (total + cap - 1) / cap;
    const std::int64_t base = total / n, extra = total % n;
    const double share_per_unit = l.wafer_share / static_cast<double>(total);
    l.units = base + (extra > 0 ? 1 : 0);
    l.wafer_share = share_per_unit * static_cast<double>(l.units);
    for (std::int64_t k = 1; k < n; ++k) {
      const std::int32_t cid = new_lot();  // may move lots_: no Lot& held across this
      const std::int64_t serial = lots_[cid].serial;
      lots_[cid] = lots_[id];
      lots_[cid].serial = serial;
      lots_[cid].units = base + (k < extra ? 1 : 0);
      lots_[cid].wafer_share = share_per_unit * static_cast<double>(lots_[cid].units);
      lots_[cid].step = lots_[id].step;
      if (lots_[cid].stream >= 0) {
        ++sacc_[lots_[cid].stream].split_children;
        ++sacc_[lots_[cid].stream].in_fab;
      }
      ++split_children_;
      wip_change(+1);
      advance(cid, next, here);
    }
  }
  advance(id, next, here);
}

void Sim::finish_lot(std::int32_t id, bool scrapped) {
  Lot& l = lots_[id];
  wip_change(-1);
  if (l.stream >= 0) {
    StreamAcc& a = sacc_[l.stream];
    --a.in_fab;
    if (scrapped) {
      ++a.scrapped;
    } else {
      ++a.completed_total;
      if (now_ >= tw_) {
        ++a.completed;
        const double ct = to_days(now_ - l.release);
        a.ct.push_back(ct);
        if (now_ <= l.due)
          ++a.on_time;
        else
          a.tardiness += to_days(now_ - l.due);
        if (l.is_units)
          a.units_out += static_cast<double>(l.units);
        else
          a.wafers_out += static_cast<double>(l.wafers);
      }
    }
  }
  if (scrapped) {
    ++lots_scrapped_;
  } else {
    ++lots_completed_;
    if (l.is_units) {
      units_out_ += static_cast<double>(l.units);
      if (now_ >= tw_) {
        units_out_product_[l.product] += static_cast<double>(l.units);
        if (l.wafer_share > 0) {  // not initial WIP that started as units
          units_out_wafers_product_[l.product] += l.wafer_share;
          units_out_traced_product_[l.product] += static_cast<double>(l.units);
        }
        if (l.transformed_at >= 0) unit_ct_.push_back(to_days(now_ - l.transformed_at));
      }
    } else {
      wafers_out_ += static_cast<double>(l.wafers);
    }
  }
  if (o_.observer) o_.observer->on_lot_exit(now_, l.serial, l.stream, scrapped);
  free_lots_.push_back(id);
}

// -----------------------------------------------------------------------------------------------
// Outages

void Sim::pause_jobs(Tool& t) {
  for (std::int32_t jid : t.jobs) {
    Job& j = jobs_[jid];
    j.paused = true;
    j.paused_at = now_;
    ++j.version;
  }
}

void Sim::resume_jobs(Tool& t) {
  for (std::int32_t jid : t.jobs) {
    Job& j = jobs_[jid];
    if (!j.paused) continue;
    const Ticks d = now_ - j.paused_at;
    j.paused = false;
    if (j.in_setup) j.setup_end += d;
    if (j.occupying) j.entry_free += d;
    j.done += d;
    ++j.version;
    schedule_job(jid);
  }
}

void Sim::start_down(std::int32_t ti, std::int32_t att) {
  Tool& t = tools_[ti];
  touch(t);
  t.outage = kOutDown;
  t.outage_att = att;
  pause_jobs(t);
  refresh_idle(ti);
  const auto& cal = f_.down_calendars[f_.tool_groups[t.group].downs[att].calendar];
  const Ticks rep = round_ticks(cal.time_to_repair.sample(rng_down_[ti][att]));
  if (o_.observer) o_.observer->on_outage(now_, ti, 0, true);
  push(now_ + rep, kEvRepairEnd, ti, att);
}

void Sim::start_pm(std::int32_t ti) {
  Tool& t = tools_[ti];
  touch(t);
  std::size_t pick = 0;
  if (nested_) {
    // The longest waiting PM of the front one's trigger: it does the shorter ones.
    const auto& gp = f_.tool_groups[t.group].pms;
    const auto& c0 = f_.pm_calendars[gp[t.pending_pm[0]].calendar];
    for (std::size_t i = 1; i < t.pending_pm.size(); ++i) {
      const auto& ci = f_.pm_calendars[gp[t.pending_pm[i]].calendar];
      if (ci.trigger == c0.trigger &&
          ci.interval > f_.pm_calendars[gp[t.pending_pm[pick]].calendar].interval)
        pick = i;
    }
  }
  const std::int32_t att = t.pending_pm[pick];
  t.drop_pm(pick);
  t.outage = kOutPm;
  t.outage_att = att;
  refresh_idle(ti);
  const auto& pms = f_.tool_groups[t.group].pms;
  const auto& cal = f_.pm_calendars[pms[att].calendar];
  const Ticks dur = round_ticks(cal.duration.sample(rng_pm_[ti][att]));
  if (now_ >= tw_) ++groups_[t.group].pms;
  if (o_.observer) o_.observer->on_outage(now_, ti, 1, true);
  push(now_ + dur, kEvPmEnd, ti, att);
  if (nested_) {
    // Waiting PMs that this one contains are done by it.
    for (std::size_t i = 0; i < t.pending_pm.size();) {
      const std::int32_t b = t.pending_pm[i];
      const auto& cb = f_.pm_calendars[pms[b].calendar];
      if (cb.trigger == cal.trigger && cb.interval < cal.interval) {
        t.drop_pm(i);
        pm_skip(ti, b, now_ + dur);
      } else {
        ++i;
      }
    }
  }
}

// Nested PMs: whether the PM `att` that falls due now is done by a longer PM of the same tool
// and trigger (running, waiting, or due before `att` would fall due again).
bool Sim::pm_absorbed(const Tool& t, std::int32_t att) const {
  const auto& pms = f_.tool_groups[t.group].pms;
  const auto& cb = f_.pm_calendars[pms[att].calendar];
  for (std::size_t a = 0; a < pms.size(); ++a) {
    const auto& ca = f_.pm_calendars[pms[a].calendar];
    if (static_cast<std::int32_t>(a) == att || ca.trigger != cb.trigger ||
        !(ca.interval > cb.interval))
      continue;
    if (t.outage == kOutPm && t.outage_att == static_cast<std::int32_t>(a)) return true;
    if (std::find(t.pending_pm.begin(), t.pending_pm.end(), static_cast<std::int32_t>(a)) !=
        t.pending_pm.end())
      return true;
    if (cb.trigger == model::PmTrigger::Calendar) {
      if (t.pm_due[a] != kNever && t.pm_due[a] - now_ < round_ticks(cb.interval)) return true;
    } else if (wpm_threshold(t, static_cast<std::int32_t>(a)) -
                   wpm_count(t, static_cast<std::int32_t>(a)) <
               cb.interval) {
      return true;
    }
  }
  return false;
}

// Records a PM as done without an outage (absorbed by a longer one) and restarts its calendar
// or counter as of `from` (the end of the containing PM, or now).
void Sim::pm_skip(std::int32_t ti, std::int32_t att, Ticks from) {
  Tool& t = tools_[ti];
  const auto& cal = f_.pm_calendars[f_.tool_groups[t.group].pms[att].calendar];
  if (now_ >= tw_) ++groups_[t.group].pms_absorbed;
  if (cal.trigger == model::PmTrigger::Calendar) {
    const Ticks at = from + std::max<Ticks>(1, round_ticks(cal.interval));
    t.pm_due[att] = at;
    push(at, kEvPmDue, ti, att);
  } else {
    wpm_count(t, att) = 0;
    wpm_threshold(t, att) = cal.interval;
  }
}

void Sim::next_outage(std::int32_t ti) {
  Tool& t = tools_[ti];
  if (!t.pending_fail.empty()) {
    const std::int32_t att = t.pending_fail.front();
    t.pending_fail.erase(t.pending_fail.begin());
    start_down(ti, att);
    return;
  }
  if (t.pm_waiting && t.jobs_in == 0) {
    start_pm(ti);
    return;
  }
  after_tool_change(ti);
}

// -----------------------------------------------------------------------------------------------

Results Sim::run() {
  const auto wall0 = std::chrono::steady_clock::now();
  build();

  // Initial WIP: queued at its step at t = 0 (after the sampling check).
  for (const auto& il : f_.initial_wip) {
    const std::int32_t id = new_lot();
    Lot& l = lots_[id];
    l.stream = il.stream;
    l.product = il.product;
    l.route = f_.products[il.product].route;
    l.first_step = route_first_[l.route];
    l.priority = il.priority;
    if (f_.products[il.product].starts_as_units) {
      l.is_units = true;
      l.units = il.wafers;
      units_created_ += static_cast<double>(l.units);
    } else {
      l.wafers = il.wafers;
    }
    l.release = il.virtual_release;
    l.due = il.due;
    l.initial = true;
    ++initial_;
    if (il.stream >= 0) {
      ++sacc_[il.stream].initial;
      ++sacc_[il.stream].in_fab;
    }
    wafers_released_ += static_cast<double>(l.wafers);
    wip_change(+1);
    advance(id, il.step, kNone);
  }
  for (std::size_t s = 0; s < f_.streams.size(); ++s)
    if (f_.streams[s].max_releases != 0)
      push(f_.streams[s].first_release, kEvRelease, static_cast<std::int32_t>(s));
  for (std::size_t s = 0; s < f_.supplies.size(); ++s)
    if (f_.supplies[s].count != 0)
      push(f_.supplies[s].first, kEvSupply, static_cast<std::int32_t>(s));
  // Downs and PMs of every tool.
  for (std::size_t ti = 0; ti < tools_.size(); ++ti) {
    Tool& t = tools_[ti];
    const auto& mg = f_.tool_groups[t.group];
    if (mg.is_delay) continue;
    for (std::size_t a = 0; a < mg.downs.size(); ++a) {
      const Ticks first = round_ticks(mg.downs[a].first_occurrence.sample(rng_down_[ti][a]));
      push(first, kEvFailure, static_cast<std::int32_t>(ti), static_cast<std::int32_t>(a));
    }
    // Staggered first PMs: tool k of N (k = 1..N) at FOA k/N.
    const double stagger = static_cast<double>(t.index + 1) / mg.tools;
    for (std::size_t a = 0; a < mg.pms.size(); ++a) {
      const auto& cal = f_.pm_calendars[mg.pms[a].calendar];
      const double foa = mg.pms[a].first_occurrence.sample(rng_pm_[ti][a]);
      if (cal.trigger == model::PmTrigger::Calendar) {
        t.pm_due[a] = round_ticks(foa * (o_.stagger_first_pm ? stagger : 1.0));
        push(t.pm_due[a], kEvPmDue, static_cast<std::int32_t>(ti), static_cast<std::int32_t>(a));
      } else {
        wpm_threshold(t, static_cast<std::int32_t>(a)) =
            foa * (o_.stagger_first_wafer_pm ? stagger : 1.0);
      }
    }
  }
  for (std::int32_t gi = 0; gi < static_cast<std::int32_t>(groups_.size()); ++gi)
    for (std::int32_t ti = groups_[gi].first_tool, e = ti + groups_[gi].g->tools; ti < e; ++ti)
      refresh_idle(ti);
  if (kTicksPerDay <= T_) push(kTicksPerDay, kEvDay, 0);  // the next one is pushed by each
  push(T_, kEvEnd, 0);
  // Initial WIP may start at once.
  for (std::int32_t gi = 0; gi < static_cast<std::int32_t>(groups_.size()); ++gi) {
    Group& g = groups_[gi];
    for (std::int32_t ti = g.first_tool, e = ti + g.g->tools; ti < e && g.qn > 0; ++ti)
      if (tools_[ti].idle_pos >= 0) dispatch(ti);
  }

  const double limit = o_.time_limit_seconds;
  bool stop = status_ != RunStatus::Ok;
  while (events_left() && !stop) {
    const Event ev = pop();
    now_ = ev.t;
    ++events_;
    const auto type = static_cast<EvType>(ev.key >> 56);
    switch (type) {
      case kEvRelease:
        release(ev.a);
        break;
      case kEvArrive:
        arrive(ev.a);
        break;
      case kEvSetupEnd:
        if (jobs_[ev.a].version == static_cast<std::uint32_t>(ev.b)) on_setup_end(ev.a);
        break;
      case kEvEntryFree:
        if (jobs_[ev.a].version == static_cast<std::uint32_t>(ev.b)) on_entry_free(ev.a);
        break;
      case kEvJobDone:
        if (jobs_[ev.a].version == static_cast<std::uint32_t>(ev.b)) on_job_done(ev.a);
        break;
      case kEvFailure: {
        Tool& t = tools_[ev.a];
        if (t.outage != kNoOutage)
          t.pending_fail.push_back(ev.b);
        else
          start_down(ev.a, ev.b);
        break;
      }
      case kEvRepairEnd: {
        Tool& t = tools_[ev.a];
        touch(t);
        t.outage = kNoOutage;
        if (o_.observer) o_.observer->on_outage(now_, ev.a, 0, false);
        const auto& cal = f_.down_calendars[f_.tool_groups[t.group].downs[ev.b].calendar];
        const Ticks ttf =
            std::max<Ticks>(1, round_ticks(cal.time_to_failure.sample(rng_down_[ev.a][ev.b])));
        push(now_ + ttf, kEvFailure, ev.a, ev.b);
        resume_jobs(t);
        next_outage(ev.a);
        break;
      }
      case kEvPmDue: {
        Tool& t = tools_[ev.a];
        t.pm_due[ev.b] = kNever;
        if (nested_ && pm_absorbed(t, ev.b)) {
          pm_skip(ev.a, ev.b, now_);
          break;
        }
        t.add_pm(ev.b);
        if (t.outage == kNoOutage && t.jobs_in == 0)
          start_pm(ev.a);
        else
          refresh_idle(ev.a);
        break;
      }
      case kEvPmEnd: {
        Tool& t = tools_[ev.a];
        touch(t);
        t.outage = kNoOutage;
        if (o_.observer) o_.observer->on_outage(now_, ev.a, 1, false);
        const auto& cal = f_.pm_calendars[f_.tool_groups[t.group].pms[ev.b].calendar];
        if (cal.trigger == model::PmTrigger::Calendar) {
          t.pm_due[ev.b] = now_ + std::max<Ticks>(1, round_ticks(cal.interval));
          push(t.pm_due[ev.b], kEvPmDue, ev.a, ev.b);
        } else {
          wpm_count(t, ev.b) = 0;
          wpm_threshold(t, ev.b) = cal.interval;
        }
        next_outage(ev.a);
        break;
      }
      case kEvSupply: {
        const auto& s = f_.supplies[ev.a];
        stock_[s.component] += s.quantity;
        delivered_[s.component] += s.quantity;
        ++supply_count_[ev.a];
        if ((s.count < 0 || supply_count_[ev.a] < s.count) && s.interval > 0)
          push(now_ + s.interval, kEvSupply, ev.a);
        for (std::int32_t gi = 0; gi < static_cast<std::int32_t>(groups_.size()); ++gi) {
          Group& g = groups_[gi];
          if (!g.has_kit) continue;
          offer_idle_tools(g);
        }
        break;
      }
      case kEvBatchTimer: {
        Group& g = groups_[ev.a];
        if (g.timer_pending && g.timer_at == now_) {
          g.timer_pending = false;
          offer_idle_tools(g);
        }
        break;
      }
      case kEvDay: {
        wip_change(0);
        wip_per_day_.push_back(wip_day_area_ / static_cast<double>(kTicksPerDay));
        wip_day_area_ = 0;
        if (now_ + kTicksPerDay <= T_) push(now_ + kTicksPerDay, kEvDay, 0);
        break;
      }
      case kEvEnd:
        stop = true;
        break;
    }
    if ((events_ & 0xFFFF) == 0 && limit > 0) {
      const double el =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
      if (el > limit) {
        status_ = RunStatus::TimeLimit;
        message_ = "wall-time limit of " + std::to_string(limit) + " s reached at day " +
                   std::to_string(to_days(now_)) + " (--time-limit guard)";
      }
    }
    if (status_ != RunStatus::Ok) stop = true;
  }
  const Ticks end = now_;
  wip_change(0);
  for (Tool& t : tools_) touch(t);

  // --- results
  Results r;
  r.status = status_;
  r.message = message_;
  r.model = f_.name;
  r.days = o_.days;
  r.warmup_days = o_.warmup_days;
  r.simulated_days = to_days(end);
  r.seed = o_.seed;
  r.dispatch = to_string(o_.dispatch);
  r.pm_nesting = model::to_string(f_.pm_nesting);
  r.idle_tool = first_idle_ ? "first" : "longest-idle";
  r.lssu_switch = o_.lssu_switch == LssuSwitch::GroupAware ? "group-aware" : "immediate";
  r.events = events_;
  r.lot_steps = lot_steps_;
  r.wip_per_day = wip_per_day_;
  const double window = static_cast<double>(std::min(end, T_) - std::min(tw_, std::min(end, T_)));
  const double window_days = window / kTicksPerDay;
  r.mean_wip_lots = window > 0 ? wip_window_area_ / window : 0;
  r.lots_in_fab_end = lots_in_fab_;
  r.lots_released = lots_released_;
  r.lots_completed = lots_completed_;
  r.lots_scrapped = lots_scrapped_;
  r.initial_wip_lots = initial_;
  r.lots_split_children = split_children_;
  r.cqt_windows = cqt_windows_;
  r.cqt_violations = cqt_viol_;
  for (const auto& a : cqt_area_)
    if (a.windows > 0) r.cqt_by_area.push_back(a);
  r.rework_passes = rework_;
  r.skipped_steps = skipped_;

  for (std::size_t s = 0; s < f_.streams.size(); ++s) {
    const auto& ms = f_.streams[s];
    StreamAcc& a = sacc_[s];
    LotTypeKpi k;
    k.name = ms.name;
    k.product = f_.products[ms.product].name;
    k.priority = ms.priority;
    k.release_rate_per_day = model::lots_per_day(ms);
    k.released = a.released;
    k.initial_wip = a.initial;
    k.completed = a.completed;
    k.completed_total = a.completed_total;
    k.scrapped_total = a.scrapped;
    k.split_children = a.split_children;
    k.in_fab_end = a.in_fab;
    k.throughput_per_day = window_days > 0 ? a.completed / window_days : 0;
    k.wafers_out = a.wafers_out;
    k.units_out = a.units_out;
    k.cycle_time_days = summarize(std::move(a.ct));
    k.rpt_days = raw_process_time(f_, ms, false) / kTicksPerDay;
    k.rpt_sampled_days = raw_process_time(f_, ms, true) / kTicksPerDay;
    const WipImpliedCt wi = wip_implied_cycle_time(f_, static_cast<model::StreamId>(s));
    k.wip_implied_lots = wi.lots;
    k.wip_implied_ct_days = wi.ct_days;
    k.ct_factor = k.rpt_days > 0 ? k.cycle_time_days.mean / k.rpt_days : 0;
    k.on_time_pct = a.completed > 0 ? 100.0 * a.on_time / a.completed : 0;
    k.mean_tardiness_days = a.completed > 0 ? a.tardiness / a.completed : 0;
    k.cqt_violations = a.cqt_viol;
    k.cqt_windows = a.cqt_windows;
    r.lot_types.push_back(std::move(k));
  }

  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    const Group& g = groups_[gi];
    ToolGroupKpi k;
    k.name = g.g->name;
    k.area = g.g->area;
    k.tools = g.g->tools;
    Ticks acc[kStates] = {0, 0, 0, 0, 0};
    for (std::int32_t ti = g.first_tool, e = ti + g.g->tools; ti < e; ++ti)
      for (int s = 0; s < kStates; ++s) acc[s] += tools_[ti].acc[s];
    Ticks tot = 0;
    for (Ticks v : acc) tot += v;
    if (tot > 0) {
      const double d = static_cast<double>(tot);
      k.down = acc[kDown] / d;
      k.pm = acc[kPm] / d;
      k.setup = acc[kSetup] / d;
      k.busy = acc[kBusy] / d;
      k.idle = acc[kIdle] / d;
    }
    k.jobs = g.jobs;
    k.batches = g.batches;
    k.mean_batch_fill = g.batches > 0 ? g.batch_fill / g.batches : 0;
    k.setups = g.setups;
    k.pms = g.pms;
    k.pms_absorbed = g.pms_absorbed;
    k.lot_starts = g.lot_starts;
    k.mean_queue_hours =
        g.lot_starts > 0 ? g.queue_wait / static_cast<double>(g.lot_starts) / kTicksPerHour : 0;
    k.max_parallel = g.max_parallel;
    r.tool_groups.push_back(std::move(k));
  }

  PackagingKpi& p = r.packaging;
  p.present = packaging_;
  p.wafers_released = wafers_released_;
  p.wafers_scrapped = wafers_scrapped_;
  p.wafers_out = wafers_out_;
  p.wafers_transformed = wafers_transformed_;
  p.units_created = units_created_;
  p.units_scrapped = units_scrapped_;
  p.units_out = units_out_;
  {
    std::vector<char> free_mask(lots_.size(), 0);
    for (std::int32_t id : free_lots_) free_mask[id] = 1;
    for (std::size_t i = 0; i < lots_.size(); ++i) {
      if (free_mask[i]) continue;
      if (lots_[i].is_units)
        p.units_in_fab += static_cast<double>(lots_[i].units);
      else
        p.wafers_in_fab += static_cast<double>(lots_[i].wafers);
    }
  }
  if (packaging_) {
    for (std::size_t pi = 0; pi < f_.products.size(); ++pi) {
      p.units_out_per_month.emplace_back(
          f_.products[pi].name, window_days > 0 ? units_out_product_[pi] * 30.0 / window_days : 0);
      p.wafer_starts.emplace_back(f_.products[pi].name, wafer_starts_product_[pi]);
      p.units_out_wafers.emplace_back(f_.products[pi].name, units_out_wafers_product_[pi]);
      p.units_per_wafer.emplace_back(
          f_.products[pi].name, units_out_wafers_product_[pi] > 0
                                    ? units_out_traced_product_[pi] / units_out_wafers_product_[pi]
                                    : 0.0);
    }
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      const model::Step& st = *steps_[i].step;
      if (st.yield < 1.0 || st.transform_to_units)
        p.step_yields.push_back(
            StepYieldKpi{f_.routes[steps_[i].route].name, st.name, step_in_[i], step_out_[i]});
    }
    for (std::size_t c = 0; c < f_.components.size(); ++c) {
      ComponentKpi ck;
      ck.name = f_.components[c].name;
      ck.initial_stock = f_.components[c].initial_stock;
      ck.delivered = delivered_[c];
      ck.consumed = consumed_[c];
      ck.final_stock = stock_[c];
      ck.stockouts = stockouts_[c];
      ck.starved_lot_hours = starved_[c];
      p.components.push_back(std::move(ck));
    }
    p.wafer_part_ct_days = summarize(wafer_ct_);
    p.unit_part_ct_days = summarize(unit_ct_);
  }

  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) r.peak_rss_kb = ru.ru_maxrss;
  return r;
}

}  // namespace

namespace {
// Raw process time before each step of a lot type's route (size steps + 1; the last entry is the
// total), following the model's expected lot size (model/flow.h). With `sampled`, each step is
// weighted by its sampling probability.
std::vector<double> route_time_prefix(const model::Factory& f, const model::ReleaseStream& st,
                                      bool sampled) {
  const model::StreamFlow flow = model::product_flow(f, st.product, st.wafers_per_lot);
  const auto& steps = f.routes[f.products[st.product].route].steps;
  std::vector<double> before(steps.size() + 1, 0.0);
  for (std::size_t i = 0; i < steps.size(); ++i)
    before[i + 1] =
        before[i] + flow.steps[i].lot_time * (sampled ? steps[i].sample_probability : 1.0);
  return before;
}
}  // namespace

double raw_process_time(const model::Factory& f, const model::ReleaseStream& st, bool sampled) {
  return route_time_prefix(f, st, sampled).back();
}

WipImpliedCt wip_implied_cycle_time(const model::Factory& f, model::StreamId sid) {
  WipImpliedCt out;
  const std::vector<double> before = route_time_prefix(f, f.streams[sid], true);
  const std::size_t n_steps = before.size() - 1;
  const double total = before.back();
  if (!(total > 0)) return out;
  double sxy = 0, sxx = 0;
  for (const auto& l : f.initial_wip) {
    if (l.stream != sid || l.step < 0 || static_cast<std::size_t>(l.step) >= n_steps) continue;
    const double x = before[static_cast<std::size_t>(l.step)] / total;
    if (!(x > 0)) continue;
    const double age = -static_cast<double>(l.virtual_release) / kTicksPerDay;
    sxy += x * age;
    sxx += x * x;
    ++out.lots;
  }
  if (out.lots > 0) out.ct_days = sxy / sxx;
  return out;
}

Results simulate(const model::Factory& factory, const Options& options) {
  Sim sim(factory, options);
  return sim.run();
}

}  // namespace osatsim::engine
