#pragma once
// Command-line overrides of model-level settings, shared by the subcommands that take them.
#include <memory>
#include <string>

#include "model/factory.h"

namespace osatsim::cli {

// `--pm-nesting`: "model" keeps the factory's own setting; "independent" or "nested" replaces it.
// Returns false (and prints why, prefixed with `cmd`) for any other word.
bool parse_pm_nesting(const std::string& word, const char* cmd, bool& override_it,
                      model::PmNesting& value);

// The factory with the override applied (a copy only when it changes something).
std::shared_ptr<const model::Factory> with_pm_nesting(std::shared_ptr<const model::Factory> f,
                                                      bool override_it, model::PmNesting value);

inline constexpr const char* kPmNestingHelp =
    "PM calendars of one tool: model (the factory's own; SMT2020: nested), independent (every "
    "PM performed), nested (a longer PM of the same tool does the shorter ones due meanwhile)";

}  // namespace osatsim::cli
