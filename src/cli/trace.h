#pragma once
// `simulate --trace GROUP[,GROUP] --trace-window A:B`: the jobs and outages of the tools of some
// tool groups over a window of simulated days, recorded through the engine's observer (never on
// the default path: without --trace the engine has no observer) and written as trace.json, which
// `osatsim report` draws as a Gantt chart (docs/results.md "trace.json", docs/report.md).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "model/factory.h"

namespace osatsim::cli {

struct TraceRequest {
  std::vector<model::ToolGroupId> groups;
  double from_day = 0, to_day = 0;
};

// Parses `--trace` (comma-separated group names) and `--trace-window` ("A:B" in days; empty: the
// first day after the warm-up) against the factory. Prints each problem prefixed with
// "simulate: --trace..." and returns false on any.
bool parse_trace(const std::string& groups, const std::string& window, const model::Factory& f,
                 double warmup_days, double days, TraceRequest& out);

class TraceRecorder : public engine::Observer {
 public:
  TraceRecorder(const model::Factory& f, const TraceRequest& req);
  void on_job_start(Ticks t, int group, int tool, int route, int step,
                    const std::vector<std::int64_t>& lots) override;
  void on_step_complete(Ticks t, std::int64_t lot, int route, int step, int tool) override;
  void on_outage(Ticks t, int tool, int kind, bool start) override;
  // trace.json: the request, the traced tools, and every job and outage that overlaps the
  // window, clipped to it (intervals still open at `end_day` end there).
  nlohmann::json to_json(double end_day) const;

 private:
  struct Open {
    Ticks start;
    int route, step;
    std::vector<std::int64_t> lots;
  };
  struct Interval {
    int tool;  // index into tools_
    double start, end;
    std::string what;  // step name, or "down" / "pm"
    int lots;
  };
  void close(int tool, Ticks start, Ticks end, std::string what, int lots, bool outage);

  const model::Factory& f_;
  TraceRequest req_;
  Ticks from_ = 0, to_ = 0;
  std::unordered_map<int, int> index_;  // global tool index -> index into tools_
  std::vector<std::string> tools_, tool_groups_;
  std::vector<std::vector<Open>> open_jobs_;
  std::vector<Ticks> outage_start_;
  std::vector<int> outage_kind_;
  std::vector<Interval> jobs_, outages_;
};

}  // namespace osatsim::cli
