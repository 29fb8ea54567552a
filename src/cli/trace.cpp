#include "cli/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/text.h"

namespace osatsim::cli {

bool parse_trace(const std::string& groups, const std::string& window, const model::Factory& f,
                 double warmup_days, double days, TraceRequest& out) {
  bool ok = true;
  std::stringstream ss(groups);
  std::string name;
  while (std::getline(ss, name, ',')) {
    name = std::string(core::trim(name));
    model::ToolGroupId id = -1;
    for (std::size_t g = 0; g < f.tool_groups.size(); ++g)
      if (f.tool_groups[g].name == name) id = static_cast<model::ToolGroupId>(g);
    if (id < 0) {
      std::fprintf(stderr, "simulate: --trace: unknown tool group '%s'\n", name.c_str());
      ok = false;
    } else if (std::find(out.groups.begin(), out.groups.end(), id) == out.groups.end()) {
      out.groups.push_back(id);
    }
  }
  if (out.groups.empty() && ok) {
    std::fprintf(stderr, "simulate: --trace: no tool group named\n");
    ok = false;
  }
  out.from_day = warmup_days;
  out.to_day = std::min(days, warmup_days + 1);
  if (!window.empty()) {
    const auto colon = window.find(':');
    double a = 0, b = 0;
    char tail = 0;
    if (colon == std::string::npos ||
        std::sscanf(window.substr(0, colon).c_str(), "%lf%c", &a, &tail) != 1 ||
        std::sscanf(window.substr(colon + 1).c_str(), "%lf%c", &b, &tail) != 1 || !(a >= 0) ||
        !(b > a) || !(b <= days)) {
      std::fprintf(stderr,
                   "simulate: --trace-window: '%s' is not A:B, days with 0 <= A < B <= --days "
                   "(%g)\n",
                   window.c_str(), days);
      return false;
    }
    out.from_day = a;
    out.to_day = b;
  }
  return ok;
}

TraceRecorder::TraceRecorder(const model::Factory& f, const TraceRequest& req)
    : f_(f), req_(req), from_(days(req.from_day)), to_(days(req.to_day)) {
  // Tools are numbered group by group in the factory's order (the engine's global index).
  int global = 0;
  for (std::size_t g = 0; g < f.tool_groups.size(); ++g) {
    const bool traced = std::find(req.groups.begin(), req.groups.end(),
                                  static_cast<model::ToolGroupId>(g)) != req.groups.end();
    for (int k = 0; k < f.tool_groups[g].tools; ++k, ++global) {
      if (!traced) continue;
      index_[global] = static_cast<int>(tools_.size());
      tools_.push_back(fmt::format("{} #{}", f.tool_groups[g].name, k + 1));
      tool_groups_.push_back(f.tool_groups[g].name);
    }
  }
  open_jobs_.resize(tools_.size());
  outage_start_.assign(tools_.size(), -1);
  outage_kind_.assign(tools_.size(), 0);
}

void TraceRecorder::on_job_start(Ticks t, int /*group*/, int tool, int route, int step,
                                 const std::vector<std::int64_t>& lots) {
  const auto it = index_.find(tool);
  if (it == index_.end() || t > to_) return;
  open_jobs_[it->second].push_back(Open{t, route, step, lots});
}

void TraceRecorder::on_step_complete(Ticks t, std::int64_t lot, int /*route*/, int /*step*/,
                                     int tool) {
  const auto it = index_.find(tool);
  if (it == index_.end()) return;
  auto& open = open_jobs_[it->second];
  for (std::size_t i = 0; i < open.size(); ++i) {
    if (std::find(open[i].lots.begin(), open[i].lots.end(), lot) == open[i].lots.end()) continue;
    const Open o = open[i];
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
    const auto& st = f_.routes[o.route].steps[o.step];
    close(it->second, o.start, t, st.name, static_cast<int>(o.lots.size()), false);
    return;
  }
}

void TraceRecorder::on_outage(Ticks t, int tool, int kind, bool start) {
  const auto it = index_.find(tool);
  if (it == index_.end()) return;
  const int k = it->second;
  if (start) {
    outage_start_[k] = t;
    outage_kind_[k] = kind;
  } else if (outage_start_[k] >= 0) {
    close(k, outage_start_[k], t, kind == 0 ? "down" : "pm", 0, true);
    outage_start_[k] = -1;
  }
}

void TraceRecorder::close(int tool, Ticks start, Ticks end, std::string what, int lots,
                          bool outage) {
  if (end < from_ || start > to_) return;
  Interval v{tool, to_days(std::max(start, from_)), to_days(std::min(end, to_)), std::move(what),
             lots};
  (outage ? outages_ : jobs_).push_back(std::move(v));
}

nlohmann::json TraceRecorder::to_json(double end_day) const {
  using nlohmann::json;
  // Intervals still open at the end of the run (or of the window).
  std::vector<Interval> jobs = jobs_, outages = outages_;
  const double stop = std::min(end_day, req_.to_day);
  for (std::size_t k = 0; k < tools_.size(); ++k) {
    for (const Open& o : open_jobs_[k]) {
      const double s = std::max(to_days(o.start), req_.from_day);
      if (s < stop)
        jobs.push_back({static_cast<int>(k), s, stop, f_.routes[o.route].steps[o.step].name,
                        static_cast<int>(o.lots.size())});
    }
    if (outage_start_[k] >= 0 && to_days(outage_start_[k]) < stop)
      outages.push_back({static_cast<int>(k), std::max(to_days(outage_start_[k]), req_.from_day),
                         stop, outage_kind_[k] == 0 ? "down" : "pm", 0});
  }
  const auto rows = [&](const std::vector<Interval>& v, bool with_lots) {
    json a = json::array();
    for (const auto& x : v) {
      json r = {{"tool", tools_[x.tool]}, {"start_day", x.start}, {"end_day", x.end}, {"what", x.what}};
      if (with_lots) r["lots"] = x.lots;
      a.push_back(std::move(r));
    }
    return a;
  };
  json groups = json::array();
  for (auto g : req_.groups) groups.push_back(f_.tool_groups[g].name);
  json tools = json::array();
  for (std::size_t k = 0; k < tools_.size(); ++k)
    tools.push_back({{"name", tools_[k]}, {"group", tool_groups_[k]}});
  return {{"trace", {{"model", f_.name}, {"groups", groups}, {"window_days", {req_.from_day, req_.to_day}}}},
          {"tools", tools},
          {"jobs", rows(jobs, true)},
          {"outages", rows(outages, false)}};
}

}  // namespace osatsim::cli
