// osatsim: capacity simulation and planning of AI-chip advanced packaging.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "core/version.h"

int main(int argc, char** argv) {
  using namespace osatsim::cli;
  CLI::App app{
      "osatsim: capacity simulation and planning of AI-chip advanced packaging.\n"
      "One factory model at three fidelities: plan, capacity, simulate.",
      "osatsim"};
  app.set_version_flag("--version", std::string("osatsim ") + osatsim::kVersion);
  app.require_subcommand(1);

  auto& specs = registry();
  std::stable_sort(specs.begin(), specs.end(),
                   [](const CommandSpec& a, const CommandSpec& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (const auto& spec : specs) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.description);
    runners.emplace_back(sub, spec.setup(sub));
    // Options of every subcommand (cli/progress.h).
    CommonOptions& common = common_options();
    if (sub->get_option_no_throw("--progress") == nullptr)
      sub->add_option("--progress", common.progress,
                      "progress line on standard error for long runs: auto (default: on a "
                      "terminal), always, never")
          ->check(CLI::IsMember({"auto", "always", "never"}));
    if (sub->get_option_no_throw("--quiet") == nullptr)
      sub->add_flag("--quiet", common.quiet,
                    "no progress line, and no summary on standard output where the results go "
                    "to files");
  }

  // A first word that is neither an option nor a subcommand: say so, and list the subcommands
  // (CLI11 would only say that a subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    std::vector<std::string> names;
    for (const auto& spec : specs) names.push_back(spec.name);
    if (std::find(names.begin(), names.end(), word) == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      std::fprintf(stderr, "osatsim: unknown subcommand '%s'%s (subcommands: %s; see --help)\n",
                   word.c_str(), did_you_mean(word, names).c_str(), list.c_str());
      return kExitBadInput;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ValidationError& e) {
    // A refused option value: one line, "osatsim SUBCOMMAND: --OPTION: 'VALUE' refused (allowed:
    // ...)".
    std::string cmd = "osatsim";
    for (auto& [sub, run] : runners)
      if (sub->parsed()) cmd += " " + sub->get_name();
    std::fprintf(stderr, "%s: %s\n", cmd.c_str(), e.what());
    return kExitBadInput;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  try {
    for (auto& [sub, run] : runners) {
      if (sub->parsed()) return run();
    }
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "osatsim: out of memory\n");
    return kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "osatsim: internal error: %s\n", e.what());
    return kExitFailure;
  } catch (...) {
    std::fprintf(stderr, "osatsim: internal error\n");
    return kExitFailure;
  }
  return kExitFailure;
}
