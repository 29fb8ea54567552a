#pragma once
// The result documents of `osatsim simulate` (docs/results.md): summary.json from engine::Results,
// the replications' summary, the WIP stability record, and summary.json's text. The command
// (src/cli/cmd_simulate.cpp) only parses options, runs, and hands the results over; the store
// (src/store/) keeps these documents.
#include <nlohmann/json.hpp>

#include <string>

#include "engine/engine.h"
#include "engine/replications.h"
#include "model/whatif.h"

namespace osatsim::results {

// summary.json of one run (with the what-if edits it ran under, when they change something).
nlohmann::json simulation_json(const engine::Results& r, const model::WhatIf& what_if);

// summary.json's `replications` object (means, standard deviations, 95 % intervals).
nlohmann::json replications_json(const engine::ReplicationSummary& s);

// summary.json's `wip.trend` (engine::wip_trend, docs/results.md "Stability").
nlohmann::json stability_json(const engine::WipTrend& t);

// A sample's summary statistics as JSON (n, mean, std, percentiles, min, max).
nlohmann::json summary_json(const engine::Summary& s);

// summary.json's text: indented, except the long series (the tool-state series and the daily
// flows), each on one line, so that the file stays readable and small.
std::string summary_text(nlohmann::json out);

}  // namespace osatsim::results
