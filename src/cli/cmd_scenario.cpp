// osatsim scenario list | export NAME: the scenarios built into the binary.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "io/scenario.h"
#include "planner/network.h"

namespace osatsim::cli {
namespace {

Runner setup(CLI::App* app) {
  app->require_subcommand(1);
  CLI::App* list = app->add_subcommand(
      "list", "List the built-in scenarios: factories (simulate, capacity) and networks (plan)");
  CLI::App* exp = app->add_subcommand(
      "export", "Write a built-in scenario as YAML to stdout (e.g. > my.yaml), to edit and reuse");
  auto name = std::make_shared<std::string>();
  exp->add_option("NAME", *name, "Built-in factory or network name (see 'scenario list')")
      ->required();
  return [list, exp, name]() -> int {
    if (list->parsed()) {
      for (const auto& n : io::builtin_scenario_names()) std::printf("%s\n", n.c_str());
      for (const auto& n : planner::builtin_network_names())
        std::printf("%s (network: osatsim plan %s)\n", n.c_str(), n.c_str());
      return kExitOk;
    }
    if (exp->parsed()) {
      std::string_view text = io::builtin_scenario_text(*name);
      if (text.empty()) text = planner::builtin_network_text(*name);
      if (text.empty()) {
        std::string names;
        for (const auto& n : io::builtin_scenario_names()) names += (names.empty() ? "" : ", ") + n;
        for (const auto& n : planner::builtin_network_names()) names += ", " + n;
        std::fprintf(stderr, "osatsim scenario export: no built-in scenario '%s' (built in: %s)\n",
                     name->c_str(), names.c_str());
        return kExitBadInput;
      }
      if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
          std::fflush(stdout) != 0) {
        std::fprintf(stderr, "osatsim scenario export: cannot write to stdout\n");
        return kExitFailure;
      }
      return kExitOk;
    }
    return kExitBadInput;
  };
}

const Registrar reg{"scenario",
                    "built-in factory scenarios and planner networks: list them, export one as YAML",
                    setup, 60};

}  // namespace
}  // namespace osatsim::cli
