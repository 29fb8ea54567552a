// osatsim plan NETWORK: the multi-site, multi-period capacity plan (docs/planner.md).
#include <fmt/format.h>

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/progress.h"
#include "cli/output.h"
#include "cli/store_output.h"
#include "cli/report_output.h"
#include "planner/plan.h"

namespace osatsim::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string network;
  std::string out = "osatsim-out";
  std::string objective = "profit";
  double time_limit = 20.0;
  double gap = 0.01;
  int threads = 1;
  bool no_verify = false;
  int verify_replications = 3;
  double verify_days = 300;
  double max_utilisation = 0.92;
  std::string start;
  int search_moves = 400;
  bool solver_log = false;
  bool no_report = false;
};

Runner setup(CLI::App* app) {
  auto opt = std::make_shared<Options>();
  app->add_option("network", opt->network,
                  "network YAML file (docs/planner.md) or built-in network name (buildout)")
      ->required();
  app->add_option("--out", opt->out, "directory for plan.json (default osatsim-out)");
  app->add_option("--objective", opt->objective,
                  "profit (default: margin - penalties - WIP - annualised capex) or min-capex "
                  "(meet demand with the least capital)")
      ->check(CLI::IsMember({"profit", "min-capex"}));
  app->add_option("--time-limit", opt->time_limit, "solver wall-clock limit in seconds (default 20)")
      ->check(CLI::Range(0.1, 86400.0));
  app->add_option("--gap", opt->gap, "relative MIP gap to stop at (default 0.01)")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--threads", opt->threads, "solver threads (default 1: deterministic)")
      ->check(CLI::Range(1, 64));
  app->add_flag("--no-verify", opt->no_verify, "skip the verification by simulation");
  app->add_flag("--no-report", opt->no_report, "do not write report.html (the plan's charts) beside plan.json");
  app->add_option("--verify-replications", opt->verify_replications,
                  "replications per verified line (default 3)")
      ->check(CLI::Range(1, 100));
  app->add_option("--verify-days", opt->verify_days, "simulated days per replication, the first 30 % a warm-up (default 300)")
      ->check(CLI::Range(10.0, 3650.0));
  app->add_option("--max-utilisation", opt->max_utilisation,
                  "share of its available hours a tool group may be planned to: the clearing "
                  "function's saturation (default 0.92)")
      ->check(CLI::Range(0.5, 1.0));
  app->add_option("--search-moves", opt->search_moves,
                  "moves of the start's local search (default 400; docs/planner.md \"Solving\")")
      ->check(CLI::Range(0, 100000));
  app->add_option("--start", opt->start,
                  "an earlier plan.json whose tools and buildings start the solve (re-planning)");
  app->add_flag("--solver-log", opt->solver_log, "print the solver's own log to stderr");
  auto db = add_db_options(app);
  return [opt, db]() {
    for (double v : {opt->time_limit, opt->gap, opt->verify_days, opt->max_utilisation})
      if (!std::isfinite(v)) {
        std::fprintf(stderr, "plan: options must be finite numbers\n");
        return kExitBadInput;
      }
    if (opt->out.empty()) {
      std::fprintf(stderr, "plan: --out: an empty directory name is not allowed\n");
      return kExitBadInput;
    }
    std::error_code ec;
    if (fs::exists(opt->out, ec) && !fs::is_directory(opt->out, ec)) {
      std::fprintf(stderr, "plan: --out: '%s' exists and is not a directory\n", opt->out.c_str());
      return kExitBadInput;
    }
    if (!db_check(*db)) return kExitBadInput;
    Diagnostics diags;
    const auto net = planner::load_network(opt->network, diags);
    if (!net) {
      for (const auto& d : diags.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      return kExitBadInput;
    }
    planner::PlanOptions po;
    po.objective = opt->objective == "min-capex" ? planner::Objective::MinCapex
                                                 : planner::Objective::Profit;
    po.solve.time_limit_seconds = opt->time_limit;
    po.solve.relative_gap = opt->gap;
    po.solve.threads = opt->threads;
    po.solve.log = opt->solver_log;
    po.max_utilisation = opt->max_utilisation;
    po.search_moves = opt->search_moves;
    if (!opt->start.empty() && !planner::read_plan_start(*net, opt->start, po.start, diags)) {
      for (const auto& d : diags.items()) std::fprintf(stderr, "plan: --start: %s\n", d.to_string().c_str());
      return kExitBadInput;
    }
    po.verify = !opt->no_verify;
    po.verify_replications = opt->verify_replications;
    po.verify_days = opt->verify_days;
    po.verify_warmup_days = 0.3 * opt->verify_days;
    ProgressLine progress("plan", "", 0);
    progress.set_note(fmt::format("solving, limit {:g} s", opt->time_limit));
    // The search's gap as it narrows (the rounded start against the LP bound, then CBC's).
    po.solve.on_progress = [&progress, limit = opt->time_limit](double incumbent, double bound) {
      if (!std::isfinite(incumbent) || !std::isfinite(bound)) return;
      const double gap = std::max(0.0, (incumbent - bound) / std::max(1e-9, std::abs(incumbent)));
      progress.set_note(fmt::format("gap {:.2f} % (solver limit {:g} s, then the verification)", 100 * gap, limit));
    };
    const planner::Plan plan = planner::make_plan(*net, po);
    progress.finish();
    fs::create_directories(opt->out, ec);
    if (ec) {
      std::fprintf(stderr, "plan: --out: cannot create '%s': %s\n", opt->out.c_str(),
                   ec.message().c_str());
      return kExitFailure;
    }
    std::string why;
    const std::string file = (fs::path(opt->out) / "plan.json").string();
    const nlohmann::ordered_json plan_doc = planner::plan_json(*net, plan);
    if (!write_atomically(file, plan_doc.dump(2) + "\n", why)) {
      std::fprintf(stderr, "plan: %s: %s\n", file.c_str(), why.c_str());
      return kExitFailure;
    }
    // The plan's charts beside it (docs/report.md).
    std::string report_file;
    if (!opt->no_report) {
      if (report::libraries_available()) {
        report_file = (fs::path(opt->out) / "report.html").string();
        if (!write_report({report::Run{"plan of " + opt->network, nlohmann::json(plan_doc)}}, report_file, "plan"))
          return kExitFailure;
      } else {
        std::fprintf(stderr, "plan: no report.html: this osatsim was built without the chart libraries (run scripts/setup, then rebuild)\n");
      }
    }
    if (!common_options().quiet) {
      const std::string text = planner::plan_summary_text(*net, plan);
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::printf("wrote %s\n", file.c_str());
      if (!report_file.empty()) std::printf("wrote %s\n", report_file.c_str());
    }
    const bool have_plan = plan.call == planner::SolveStatus::Optimal ||
                           plan.call == planner::SolveStatus::Feasible || !plan.conflicts.empty();
    if (have_plan && !db_record(*db, opt->network, 0, plan_doc)) return kExitFailure;
    return have_plan ? kExitOk : kExitFailure;
  };
}

const Registrar reg{"plan",
                    "multi-site, multi-period capacity plan: tools, buildings, shipments, what binds",
                    setup, 5};

}  // namespace
}  // namespace osatsim::cli
