#pragma once
// Command-line overrides of model-level settings, shared by the subcommands that take them.
#include <CLI/CLI.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/choice.h"

#include "model/factory.h"
#include "model/whatif.h"

namespace osatsim::cli {

// `--pm-nesting`: "model" keeps the factory's own setting; "independent" or "nested" replaces it.
// Returns false (and prints why, prefixed with `cmd`) for any other word.
bool parse_pm_nesting(const std::string& word, const char* cmd, bool& override_it,
                      model::PmNesting& value);

// The factory with the override applied (a copy only when it changes something).
std::shared_ptr<const model::Factory> with_pm_nesting(std::shared_ptr<const model::Factory> f,
                                                      bool override_it, model::PmNesting value);

inline const std::string kPmNestingHelp =
    "PM calendars of one tool: model (the factory's own; SMT2020: independent), " +
    choice_help(model::kPmNestings);

// A reading of the model as an option (model/factory.h: LssuSwitch, SetupState, WakeRule,
// CascadeSetup, IdleTool, WaferPmStart): "model" (the default) keeps the model's own, a word of
// `table` replaces it.
// `what` says what the reading decides; `smt2020` and `yaml` name the models' own readings.
template <class E, std::size_t N>
CLI::Option* add_reading_option(CLI::App* app, const std::string& name, std::string& var,
                                const Choice<E> (&table)[N], const std::string& what,
                                const std::string& smt2020, const std::string& yaml) {
  return app
      ->add_option(name, var,
                   what + ": model (default: the model's reading; SMT2020: " + smt2020 +
                       ", YAML scenarios: " + yaml + "), " + choice_help(table))
      ->check(CLI::IsMember(with_model(choice_words(table))));
}

// What-if options (`--scale F`, `--scale PRODUCT=F`, `--tools GROUP=N`, `--tools GROUP=+N`, each
// repeatable): parses the values into `w` (names are checked later against the factory). Prints
// one line per problem, prefixed with `cmd` and the option, and returns false on any. The global
// factor is given at most once; a product or group at most once.
bool parse_what_if(const std::vector<std::string>& scales, const std::vector<std::string>& tools,
                   const char* cmd, model::WhatIf& w);

// The factory with the what-if applied (the same pointer when it changes nothing). Problems
// against the factory (unknown or repeated names, a count that leaves a needed group without
// tools) are printed, prefixed with `cmd` and the option, and give nullptr.
std::shared_ptr<const model::Factory> with_what_if(std::shared_ptr<const model::Factory> f,
                                                   const model::WhatIf& w, const char* cmd);

inline constexpr const char* kScaleHelp =
    "what-if release rate: F multiplies every release stream, PRODUCT=F the streams of one "
    "product (repeatable; factors multiply; F in [1e-6, 1e6])";
inline constexpr const char* kToolsHelp =
    "what-if tool count: GROUP=N sets the tools of a tool group, GROUP=+N adds N (repeatable; "
    "N in 0..100000)";

}  // namespace osatsim::cli
