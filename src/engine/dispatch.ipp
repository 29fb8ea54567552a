// Dispatching: group queues (sorted, bucketed or unordered), idle tools and which of them takes
// an arriving lot, super hot reservations, the decision paths of a tool (the reference ranking
// path and the fast paths that give the same decisions), batch forming and eligibility.
// Part of the engine's one translation unit (engine.cpp, sim.h).

namespace osatsim::engine {
namespace {

// Offers the group's idle tools a decision, in preference order, until one starts a job.
void Sim::try_group(std::int32_t gi, std::int32_t arriving) {
  Group& g = groups_[gi];
  if (g.idle.empty() || g.qn == 0) return;
  const bool wake = g.g->wake_least_setup && wake_ == WakeRule::LeastSetup && arriving >= 0;
  // The arriving lot's step and the setup it needs (read only by the least-setup wake rule).
  const std::int32_t agsi = wake ? lots_[arriving].first_step + lots_[arriving].step : 0;
  const model::SetupId aset = wake ? steps_[agsi].setup : kNone;
  // Tool-specific eligibility (setup runs) means one refusal does not imply all refuse.
  const bool all = g.lssu;
  const int limit = all ? static_cast<int>(g.idle.size()) : 1;
  const bool empty_first = idle_tool_ == IdleTool::EmptyFirst;
  const bool random = idle_tool_ == IdleTool::Random;
  for (int attempt = 0; attempt < limit && !g.idle.empty(); ++attempt) {
    std::int32_t best = -1;
    // IdleTool::EmptyFirst: a tool with no job inside before one that holds a job (cascading).
    const auto before = [this, empty_first](std::int32_t a, std::int32_t b) {
      if (empty_first && (tools_[a].jobs_in == 0) != (tools_[b].jobs_in == 0))
        return tools_[a].jobs_in == 0;
      return a < b;
    };
    if (!wake && random) {
      // IdleTool::Random: one of the idle tools not yet asked, drawn from the group's stream.
      if (attempt == 0) {
        best = draw_tool(gi, g.idle);
      } else {
        idle_pick_.clear();
        for (std::int32_t t : g.idle)
          if (std::find(tried_tools_.begin(), tried_tools_.end(), t) == tried_tools_.end())
            idle_pick_.push_back(t);
        if (!idle_pick_.empty()) best = draw_tool(gi, idle_pick_);
      }
    } else if (!wake && first_idle_ && !empty_first && attempt == 0) {
      best = g.first_tool + lowest_idle(g);  // the loop below without a scan
    } else if (!wake) {
      // Among the idle tools: the first in the group's list (IdleTool::First, EmptyFirst), or
      // the one idle the longest (the order of the idle list).
      for (std::int32_t t : g.idle) {
        if (attempt > 0 &&
            std::find(tried_tools_.begin(), tried_tools_.end(), t) != tried_tools_.end())
          continue;
        if (best < 0 || (first_idle_ && before(t, best))) best = t;
        if (!first_idle_) break;
      }
    } else {
      Ticks best_setup = 0;
      idle_pick_.clear();              // IdleTool::Random: the tools tied at the least setup
      for (std::int32_t t : g.idle) {  // least setup; ties as above
        if (attempt > 0 &&
            std::find(tried_tools_.begin(), tried_tools_.end(), t) != tried_tools_.end())
          continue;
        const Ticks st = setup_time(tools_[t].setup, aset, agsi);
        if (best < 0 || st < best_setup) {
          best = t;
          best_setup = st;
          idle_pick_.clear();
        } else if (first_idle_ && st == best_setup && before(t, best)) {
          best = t;
        }
        if (random && st == best_setup) idle_pick_.push_back(t);
      }
      if (random && idle_pick_.size() > 1) best = draw_tool(gi, idle_pick_);
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
      g.idle.swap_erase(ti);  // choices take the lowest index or a draw: the order is not kept
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
        idle_tool_ == IdleTool::Random ? draw_tool(gi, g.idle)
        : first_idle_                  ? *std::min_element(g.idle.begin(), g.idle.end())
                                       : g.idle.front();
    tools_[t].reserved_for = lot;
    refresh_idle(t);
  } else if (g.pending_reservation < 0) {
    g.pending_reservation = lot;
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
// The path follows the group's queue kind (docs/engine.md "Dispatching"): bucketed, sorted, the
// one-pass ranking, or the reference path that ranks a candidate list.
bool Sim::dispatch(std::int32_t ti) {
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  if (g.qn == 0) return false;
  if (g.bucketed && g.batching) return dispatch_bucketed_batch(ti);
  if (g.bucketed) return dispatch_bucketed(ti);
  if (g.static_order && !g.batching) return dispatch_sorted(ti);
  const bool run_active = g.lssu && tool.run_left > 0 && tool.setup != kNone &&
                          f_.setup_group_of[tool.setup] == g.setup_group;
  const int nr = g.static_order ? g.nkeys : static_cast<int>(g.rank.size());
  if (!g.batching && !(g.lssu && lssu_ != LssuSwitch::Immediate) && o_.fast_queues)
    return dispatch_best(ti, run_active, nr);
  return dispatch_ranked(ti, run_active, nr);
}

// Bucketed critical ratio: compare the first eligible lot of every non-empty bucket.
[[gnu::always_inline]] inline bool Sim::dispatch_bucketed(std::int32_t ti) {
  Group& g = groups_[tools_[ti].group];
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

// Static order, no batching: the first eligible lot in queue order.
[[gnu::always_inline]] inline bool Sim::dispatch_sorted(std::int32_t ti) {
  Group& g = groups_[tools_[ti].group];
  const std::int32_t nq = g.queue.size();
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

// The reference path: every eligible lot becomes a candidate with its keys, the candidates are
// filtered (setup runs, the group-aware switch) and ranked; the best starts, or the first batch
// family that reaches its minimum.
bool Sim::dispatch_ranked(std::int32_t ti, bool run_active, int nr) {
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  const std::int32_t nq = g.queue.size();
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
  if (g.lssu && lssu_ != LssuSwitch::Immediate && !keep_group_aware(ti))
    return false;
  const auto less = cand_less(nr);
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
  return start_batch(ti, nr);
}

// LssuSwitch::GroupAware and ClearTime: a tool changes to gas S only when the tools of the group
// already in S cannot cover the lots waiting for it: with their setup runs (GroupAware:
// n_S > cover x MINRUN x k_S) or within the time the change would take (ClearTime: the mean lot
// times of the waiting lots of S, shared by the k_S tools, > cover x the setup time). The other
// candidates needing S are dropped. False when no candidate is left.
bool Sim::keep_group_aware(std::int32_t ti) {
  Tool& tool = tools_[ti];
  const Group& g = groups_[tool.group];
  if (lssu_ == LssuSwitch::Refuse) {
    if (tool.setup == kNone || tool.refusals >= o_.lssu_refusals) return !cands_.empty();
    std::size_t w = 0;
    for (std::size_t i = 0; i < cands_.size(); ++i) {
      const model::SetupId need = g.queue[cands_[i].idx].setup;
      if (need == kNone || need == tool.setup) cands_[w++] = cands_[i];
    }
    if (w < cands_.size()) ++tool.refusals;
    cands_.resize(w);
    return w > 0;
  }
  setup_need_.clear();
  for (const Cand& c : cands_) {
    const QEntry& e = g.queue[c.idx];
    const model::SetupId need = e.setup;
    if (need == kNone || need == tool.setup) continue;
    const double work = steps_[e.gsi].mean_time;
    auto it = std::find_if(setup_need_.begin(), setup_need_.end(),
                           [need](const SetupNeed& p) { return p.setup == need; });
    if (it == setup_need_.end())
      setup_need_.push_back({need, 1, work, e.gsi, false});
    else {
      ++it->n;
      it->work += work;
    }
  }
  const bool by_time = lssu_ == LssuSwitch::ClearTime;
  bool refuse_any = false;
  for (SetupNeed& s : setup_need_) {
    int k = 0;
    for (std::int32_t t = g.first_tool, e = g.first_tool + g.g->tools; t < e; ++t)
      if (t != ti && tools_[t].setup == s.setup && tools_[t].outage == kNoOutage) ++k;
    if (k == 0) continue;
    s.refuse = by_time ? s.work / k <= o_.lssu_cover *
                                           static_cast<double>(setup_time(tool.setup, s.setup, s.gsi))
                       : s.n <= o_.lssu_cover * g.min_run * k;
    refuse_any = refuse_any || s.refuse;
  }
  if (refuse_any) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < cands_.size(); ++i) {
      const model::SetupId need = g.queue[cands_[i].idx].setup;
      bool keep = true;
      for (const SetupNeed& s : setup_need_)
        if (s.setup == need && s.refuse) keep = false;
      if (keep) cands_[w++] = cands_[i];
    }
    cands_.resize(w);
  }
  return !cands_.empty();
}

// The reference path's batching: families in rank order of their best lot; the first family
// reaching its minimum starts, filled in rank order up to the maximum.
bool Sim::start_batch(std::int32_t ti, int nr) {
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  const auto less = cand_less(nr);
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
// Every idle tool of the group, in turn, may start a job while lots wait: in the group's list
// order under IdleTool::First (the order of every other choice among idle tools), in a drawn
// order under Random, else longest idle first. A tool that starts leaves the idle list; one that
// cannot start stays.
void Sim::offer_idle_tools(Group& g) {
  if (idle_tool_ == IdleTool::Random) {  // in an order drawn from the group's stream (rare: timers, kit arrivals)
    Rng& rng = rng_idle_[static_cast<std::size_t>(&g - groups_.data())];
    std::vector<std::int32_t> left(g.idle.begin(), g.idle.end());
    std::sort(left.begin(), left.end());  // the draws do not depend on the idle list's order
    while (!left.empty() && g.qn > 0) {
      const auto k = static_cast<std::size_t>(rng.below(left.size()));
      const std::int32_t t = left[k];
      left.erase(left.begin() + static_cast<std::ptrdiff_t>(k));
      if (tools_[t].idle_pos >= 0) dispatch(t);
    }
    return;
  }
  if (idle_tool_ == IdleTool::EmptyFirst) {  // the empty tools in list order, then the others
    for (int pass = 0; pass < 2; ++pass)
      for (std::int32_t t = g.first_tool, e = t + g.g->tools; t < e && g.qn > 0; ++t)
        if (tools_[t].idle_pos >= 0 && (tools_[t].jobs_in == 0) == (pass == 0)) dispatch(t);
    return;
  }
  if (first_idle_) {
    for (std::int32_t t = g.first_tool, e = t + g.g->tools; t < e && g.qn > 0; ++t)
      if (tools_[t].idle_pos >= 0) dispatch(t);
    return;
  }
  for (std::size_t k = 0; k < g.idle.size() && g.qn > 0;)
    if (!dispatch(g.idle[k])) ++k;
}

// A partial batch of group gi waited its longest: its idle tools decide again.
void Sim::on_batch_timer(std::int32_t gi) {
  Group& g = groups_[gi];
  if (g.timer_pending && g.timer_at == now_) {
    g.timer_pending = false;
    offer_idle_tools(g);
  }
}

}  // namespace
}  // namespace osatsim::engine
