#pragma once
// Subcommand registry of the osatsim executable. A cmd_<name>.cpp file defines
//   static const osatsim::cli::Registrar reg{"name", "one-line description", setup};
// where setup(CLI::App*) declares the options and returns the function that runs the command.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace osatsim::cli {

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the run itself failed (resource limit, I/O, ...)
inline constexpr int kExitBadInput = 2;  // malformed or inconsistent input, or bad options

using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App*)>;

struct CommandSpec {
  std::string name;
  std::string description;
  Setup setup;
  int order = 100;  // position in --help
};

std::vector<CommandSpec>& registry();

struct Registrar {
  Registrar(std::string name, std::string description, Setup setup, int order = 100) {
    registry().push_back(CommandSpec{std::move(name), std::move(description), std::move(setup), order});
  }
};

}  // namespace osatsim::cli
