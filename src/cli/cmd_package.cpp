// osatsim package: sites per wafer (explicit rectangle packing, textbook formula beside it), the
// package yield breakdown and good packages per wafer; optional JSON and SVG wafer map. The work
// is packaging::evaluate_package (src/packaging/package.h); the command parses, checks the
// output files, prints and writes.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "cli/options.h"
#include "packaging/package.h"

namespace osatsim::cli {
namespace {

namespace pk = osatsim::packaging;
using pk::kMaxAlpha;
using pk::kMaxD0;
using pk::kMaxWaferMm;

struct Options : pk::PackageOptions {
  std::string json_path;
  std::string map_path;
  CLI::Option* json_opt = nullptr;
  CLI::Option* map_opt = nullptr;
};

// Writes every (path, content) pair or none: all go to temporary files beside their targets
// first, and are renamed into place only when all were written.
bool write_all_atomically(const std::vector<std::pair<std::string, std::string>>& files,
                          std::string& error) {
  namespace fs = std::filesystem;
  std::vector<fs::path> temps;
  auto cleanup = [&] {
    std::error_code ec;
    for (const auto& t : temps) fs::remove(t, ec);
  };
  for (const auto& [path, content] : files) {
    const fs::path target(path);
    fs::path tmp = target;
    tmp += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
    temps.push_back(tmp);
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f) f.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (f) f.close();
    if (!f) {
      error = fmt::format("{}: cannot write", path);
      cleanup();
      return false;
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    fs::rename(temps[i], files[i].first, ec);
    if (ec) {
      error = fmt::format("{}: cannot write: {}", files[i].first, ec.message());
      cleanup();
      return false;
    }
  }
  return true;
}

int run(const Options& o) {
  const pk::PackageResult r = pk::evaluate_package(o);
  std::vector<std::string> problems = r.problems;
  if (!o.json_path.empty() && o.json_path == o.map_path)
    problems.push_back("--json and --map name the same file");
  // Output files are checked before any work (empty name, a directory, no folder to write in).
  if (o.json_opt && o.json_opt->count() > 0 &&
      !check_output_file("osatsim package", "--json", o.json_path))
    return kExitBadInput;
  if (o.map_opt && o.map_opt->count() > 0 &&
      !check_output_file("osatsim package", "--map", o.map_path))
    return kExitBadInput;
  if (!problems.empty()) {
    for (const auto& p : problems) std::fprintf(stderr, "osatsim package: %s\n", p.c_str());
    return kExitBadInput;
  }

  std::fputs(pk::package_text(o, r).c_str(), stdout);
  std::vector<std::pair<std::string, std::string>> files;
  if (!o.json_path.empty()) files.emplace_back(o.json_path, pk::package_json(o, r));
  if (!o.map_path.empty()) files.emplace_back(o.map_path, pk::package_map_svg(o, r));
  if (!files.empty()) {
    std::string error;
    if (!write_all_atomically(files, error)) {
      std::fprintf(stderr, "osatsim package: %s\n", error.c_str());
      return kExitFailure;
    }
  }
  return kExitOk;
}

Runner setup(CLI::App* app) {
  auto o = std::make_shared<Options>();
  app->add_option("--site", o->site,
                  "Site (interposer / module) size WIDTHxHEIGHT in mm, e.g. 52x54.5")
      ->required();
  app->add_option("--wafer", o->wafer, "Wafer diameter, mm")
      ->capture_default_str()
      ->check(finite_range(0, kMaxWaferMm, "mm", true));
  app->add_option("--edge", o->edge, "Edge exclusion, mm")
      ->capture_default_str()
      ->check(finite_range(0, kMaxWaferMm / 2, "mm"));
  app->add_option("--street", o->street, "Street (scribe) width between sites, mm")
      ->capture_default_str()
      ->check(finite_range(0, kMaxWaferMm, "mm"));
  app->add_option("--packing", o->packing,
                  "grid (straight streets; default), staggered (rows shifted independently) or "
                  "best (whichever fits more)")
      ->capture_default_str();
  app->add_option("--d0", o->d0, "Site defect density, defects per cm2 (site yield from the model)")
      ->capture_default_str()
      ->check(finite_range(0, kMaxD0, "defects per cm2"));
  app->add_option("--model", o->model, "Site yield model: poisson, murphy, negbin or seeds")
      ->capture_default_str();
  app->add_option("--alpha", o->alpha, "Negative-binomial clustering parameter")
      ->capture_default_str()
      ->check(finite_range(0, kMaxAlpha, "", true));
  app->add_option("--site-yield", o->site_yield,
                  "Site yield given directly (overrides --d0/--model)")
      ->check(finite_range(0, 1, "", true));
  app->add_option("--dies", o->dies, "Dies per package by kind, KIND=COUNT,... ('none' for none)")
      ->capture_default_str();
  app->add_option("--kgd", o->kgd, "Known-good-die quality: one value for all kinds, or KIND=Q,...")
      ->capture_default_str();
  app->add_option("--bond-yield", o->bond_yield, "Bond yield per placed die")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--module-test-yield", o->module_test_yield,
                  "CoW / module test yield (fallout not caused by bonding)")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--assembly-yield", o->assembly_yield, "On-substrate assembly yield")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--test-yield", o->test_yield, "Burn-in + final test + SLT yield")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option(
         "--ramp-months", o->ramp_months,
         "Print a yield-learning ramp reaching mature yield after this many months (0: none)")
      ->capture_default_str()
      ->check(finite_range(0, 240, "months"));
  app->add_option("--ramp-start", o->ramp_start, "Ramp start as a fraction of mature yield")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--ramp-shape", o->ramp_shape, "Ramp shape: exponential or linear")
      ->capture_default_str();
  o->json_opt = app->add_option("--json", o->json_path, "Write the results as JSON to this file");
  o->map_opt = app->add_option("--map", o->map_path, "Write an SVG wafer map to this file");
  return [o] { return run(*o); };
}

const Registrar reg{
    "package", "sites per wafer (rectangle packing), package yield and good packages per wafer",
    setup, 40};

}  // namespace
}  // namespace osatsim::cli
