#pragma once
// --db FILE / --no-db of the commands whose runs go into the results store (simulate, capacity,
// plan; docs/results.md "Results store"). A command adds the options in its setup, checks them
// before any work (db_check) and hands its complete result over in one call (db_record).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace osatsim::cli {

struct DbTarget {
  std::string path;
  bool off = false;
  CLI::App* app = nullptr;
  std::string started;  // set by db_check
  std::chrono::steady_clock::time_point t0;
};

std::shared_ptr<DbTarget> add_db_options(CLI::App* app);

// Before the run: the store is usable (missing, or a store of a schema this osatsim reads). On
// a problem prints "CMD: --db: FILE: why" and returns false (exit 2). Starts the run's clock.
bool db_check(DbTarget& db);

// After the run: stores it in one transaction. Prints "CMD: stored run N in FILE" and returns
// true; on failure prints the reason and returns false (exit 1). Nothing with --no-db.
bool db_record(const DbTarget& db, const std::string& scenario, std::uint64_t seed,
               const nlohmann::ordered_json& result);

}  // namespace osatsim::cli
