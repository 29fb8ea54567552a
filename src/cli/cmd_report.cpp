// osatsim report FILE... -o report.html: one self-contained HTML page with the charts and key
// figures of plan, simulation and capacity results (docs/report.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/report_output.h"
#include "report/report.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace osatsim::cli {
namespace {

struct Options {
  std::vector<std::string> files;
  std::vector<std::string> labels;
  std::string out = "report.html";
  std::string db;                 // --db: runs from the results store
  std::vector<std::int64_t> ids;  // --run (default: the newest)
};

// The stored runs' result documents (docs/results.md "Results store"), labelled "run N: ...".
bool read_stored_runs(const Options& o, std::vector<report::Run>& runs) {
  try {
    store::Store s(o.db, false);
    std::vector<std::int64_t> ids = o.ids;
    if (ids.empty()) {
      if (auto newest = s.newest()) ids.push_back(*newest);
    }
    if (ids.empty()) {
      std::fprintf(stderr, "report: --db: %s holds no runs\n", o.db.c_str());
      return false;
    }
    for (std::int64_t id : ids) {
      const auto info = s.info(id);
      if (!info) {
        std::fprintf(stderr, "report: --run: %s: no run %lld\n", o.db.c_str(), static_cast<long long>(id));
        return false;
      }
      runs.push_back({fmt::format("run {}: {} {} (seed {})", id, info->command, info->scenario, info->seed),
                      s.document(id)});
    }
  } catch (const store::Error& e) {
    std::fprintf(stderr, "report: --db: %s\n", e.what());
    return false;
  }
  return true;
}

Runner setup(CLI::App* app) {
  auto opt = std::make_shared<Options>();
  app->add_option("files", opt->files,
                  "result files: plan.json (plan), summary.json (simulate), capacity --json output");
  app->add_option("-o,--out", opt->out, "the HTML file to write (default report.html)");
  app->add_option("--label", opt->labels, "a label per file, in order (default: the file's path)");
  CLI::Option* db = app->add_option("--db", opt->db, "results store to read runs from (docs/results.md)");
  app->add_option("--run", opt->ids, "with --db: a stored run's id (repeatable; default the newest)")
      ->needs(db);
  return [opt]() -> int {
    if (!opt->labels.empty() && opt->labels.size() != opt->files.size()) {
      std::fprintf(stderr, "report: --label: %zu label(s) for %zu file(s); give one per file or none\n",
                   opt->labels.size(), opt->files.size());
      return kExitBadInput;
    }
    std::vector<report::Run> runs;
    bool bad = false;
    for (std::size_t i = 0; i < opt->files.size(); ++i) {
      report::Run r;
      r.label = opt->labels.empty() ? opt->files[i] : opt->labels[i];
      std::string why;
      if (!read_result_document(opt->files[i], r.doc, why)) {
        std::fprintf(stderr, "report: %s\n", why.c_str());
        bad = true;
        continue;
      }
      runs.push_back(std::move(r));
    }
    if (bad) return kExitBadInput;
    if (!opt->db.empty() && !read_stored_runs(*opt, runs)) return kExitBadInput;
    if (runs.empty()) {
      std::fprintf(stderr, "report: files is required: give result files, or --db FILE [--run ID]...\n");
      return kExitBadInput;
    }
    return write_report(runs, opt->out, "report") ? kExitOk : kExitFailure;
  };
}

const Registrar reg{"report", "self-contained HTML report with charts of plan, simulation and capacity results",
                    setup, 40};

}  // namespace
}  // namespace osatsim::cli
