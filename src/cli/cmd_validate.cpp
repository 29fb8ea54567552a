// osatsim validate PATH [--json FILE]: reads and checks a factory, prints a model summary.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "io/load.h"
#include "model/factory.h"
#include "results/factory.h"

namespace osatsim::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using model::Factory;

struct Options {
  std::string path;
  std::string json_file;
};

Runner setup(CLI::App* app) {
  auto opt = std::make_shared<Options>();
  app->add_option("path", opt->path,
                  "SMT2020 model directory, .yaml scenario file or built-in scenario name")
      ->required();
  CLI::Option* json_opt =
      app->add_option("--json", opt->json_file, "also write the summary as JSON to this file");
  return [opt, json_opt]() {
    if (json_opt->count() > 0 && !check_output_file("validate", "--json", opt->json_file))
      return kExitBadInput;
    Diagnostics diags;
    auto factory = io::load_factory(opt->path, diags);
    if (!factory) {
      for (const auto& d : diags.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      if (diags.empty()) std::fprintf(stderr, "%s: cannot load\n", opt->path.c_str());
      return kExitBadInput;
    }
    const json j = results::factory_summary_json(*factory);
    if (!opt->json_file.empty()) {
      std::string why;
      if (!write_atomically(opt->json_file, j.dump(2) + "\n", why)) {
        std::fprintf(stderr, "%s: %s\n", opt->json_file.c_str(), why.c_str());
        return kExitFailure;
      }
    }
    const std::string text = results::factory_summary_text(j);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  };
}

const Registrar reg{"validate", "read and check a factory model, print its summary", setup, 10};

}  // namespace
}  // namespace osatsim::cli
