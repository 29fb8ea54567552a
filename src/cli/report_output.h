#pragma once
// Reading result documents and writing HTML reports, shared by `report` and the commands that
// write a report of their own run (plan's main job).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "report/report.h"

namespace osatsim::cli {

// Reads a result document (plan.json, summary.json, capacity JSON); false with `why` naming the
// file and what is wrong (unreadable, not JSON with line and column, not an osatsim result).
bool read_result_document(const std::string& file, nlohmann::json& doc, std::string& why);

// Renders the runs and writes `out` atomically; on failure prints "<command>: <out>: why" and
// returns false (nothing written).
bool write_report(const std::vector<report::Run>& runs, const std::string& out, const char* command);

}  // namespace osatsim::cli
