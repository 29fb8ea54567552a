#pragma once
// The engine's hot records (docs/engine.md "Layout"): route steps as the engine sees them, lots,
// jobs, tools, queue entries and tool groups, each laid out by use in cache lines, and the small
// containers they hold (a tool's jobs, a group's queue and idle tools). Plain data with inline
// members, held by value in the engine's arrays. Internal to the engine.
#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/dist.h"
#include "core/rng.h"
#include "core/time.h"
#include "model/factory.h"
#include "model/flow.h"

namespace osatsim::engine::detail {

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
    assert(std::find(begin(), end(), j) != end());
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
  std::int32_t refusals = 0;  // LssuSwitch::Refuse: lots of another gas refused since its last job
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
  void insert(std::int32_t i, const QEntry& e) {  // REQUIRES: 0 <= i <= size()
    assert(i >= 0 && i <= size());
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
  void erase(std::int32_t i) {  // REQUIRES: 0 <= i < size()
    assert(i >= 0 && i < size());
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
    assert(v_[t - first_] < 0);
    v_[t - first_] = static_cast<std::int32_t>(n_);
    v_[n_++] = t;
  }
  void pop_back() { v_[v_[--n_] - first_] = -1; }
  void erase(std::int32_t t) {  // REQUIRES: t is held
    assert(v_[t - first_] >= 0);
    for (std::size_t i = v_[t - first_] + 1; i < n_; ++i) {
      v_[i - 1] = v_[i];
      v_[v_[i] - first_] = static_cast<std::int32_t>(i - 1);
    }
    v_[t - first_] = -1;
    --n_;
  }
  [[gnu::always_inline]] void swap_erase(std::int32_t t) {  // REQUIRES: t is held
    assert(v_[t - first_] >= 0);
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
  kRngIdleTool,
};

}  // namespace osatsim::engine::detail
