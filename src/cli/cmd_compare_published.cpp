// osatsim compare-published SUMMARY.json PUBLISHED.txt: a simulation's tool-group shares beside
// the published per-group figures of the SMT2020 reference model (docs/validation.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/report_output.h"
#include "report/published.h"

namespace osatsim::cli {
namespace {

struct Options {
  std::string summary, published, json_out;
  bool check = false;
};

Runner setup(CLI::App* app) {
  auto opt = std::make_shared<Options>();
  app->add_option("summary", opt->summary, "a simulation's summary.json (osatsim simulate --out DIR)")->required();
  app->add_option("published", opt->published,
                  "published per-group figures: name avail util br pm setup, in % "
                  "(e.g. ../shared/smt2020/reference/HVLM_tool_groups.txt)")
      ->required();
  app->add_option("--json", opt->json_out, "also write the comparison as JSON to this file");
  app->add_flag("--check", opt->check,
                "exit 1 when a group is beyond the tolerances (availability, breakdown, PM 1 point; "
                "utilisation 3 points where published >= 50 %; setup 3 points where published)");
  return [opt]() -> int {
    nlohmann::json summary;
    std::string why;
    if (!read_result_document(opt->summary, summary, why)) {
      std::fprintf(stderr, "compare-published: %s\n", why.c_str());
      return kExitBadInput;
    }
    if (report::kind_of(summary) != report::Kind::Simulation) {
      std::fprintf(stderr, "compare-published: %s: not a simulation's summary.json\n", opt->summary.c_str());
      return kExitBadInput;
    }
    Diagnostics diags;
    const auto published = report::read_published(opt->published, diags);
    if (!diags.ok()) {
      for (const auto& d : diags.items()) std::fprintf(stderr, "compare-published: %s\n", d.to_string().c_str());
      return kExitBadInput;
    }
    const report::Tolerances tol;
    const report::Comparison c = report::compare_published(summary, published, tol);
    if (!opt->json_out.empty() && !write_atomically(opt->json_out, report::comparison_json(c, tol).dump(2) + "\n", why)) {
      std::fprintf(stderr, "compare-published: --json: %s: %s\n", opt->json_out.c_str(), why.c_str());
      return kExitFailure;
    }
    const std::string text = report::comparison_text(c, tol);
    std::fwrite(text.data(), 1, text.size(), stdout);
    const bool beyond = c.beyond_avail + c.beyond_br + c.beyond_pm + c.beyond_util + c.beyond_setup > 0 || !c.missing.empty();
    return opt->check && beyond ? kExitFailure : kExitOk;
  };
}

const Registrar reg{"compare-published",
                    "a simulation's tool-group shares beside published per-group figures (SMT2020 reference)", setup, 45};

}  // namespace
}  // namespace osatsim::cli
