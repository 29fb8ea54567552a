// osatsim report FILE... -o report.html: one self-contained HTML page with the charts and key
// figures of plan, simulation and capacity results (docs/report.md).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/report_output.h"
#include "report/report.h"

namespace osatsim::cli {
namespace {

struct Options {
  std::vector<std::string> files;
  std::vector<std::string> labels;
  std::string out = "report.html";
};

Runner setup(CLI::App* app) {
  auto opt = std::make_shared<Options>();
  app->add_option("files", opt->files,
                  "result files: plan.json (plan), summary.json (simulate), capacity --json output")
      ->required();
  app->add_option("-o,--out", opt->out, "the HTML file to write (default report.html)");
  app->add_option("--label", opt->labels, "a label per file, in order (default: the file's path)");
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
    return write_report(runs, opt->out, "report") ? kExitOk : kExitFailure;
  };
}

const Registrar reg{"report", "self-contained HTML report with charts of plan, simulation and capacity results",
                    setup, 40};

}  // namespace
}  // namespace osatsim::cli
