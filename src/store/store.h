#pragma once
// The results store (docs/results.md "Results store"): every run of simulate, capacity and plan
// kept in one SQLite file — the run's identity and options, its full result document, and its
// key figures as rows (per lot type, per tool group, daily series, generic tables) for queries.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace osatsim::store {

inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kDefaultPath = "osatsim-out/results.sqlite";

// What a command hands over when its run is complete.
struct RunRecord {
  std::string command;        // simulate, capacity, plan
  std::string scenario;       // PATH or network as given
  std::string scenario_hash;  // scenario_hash(scenario)
  std::uint64_t seed = 0;
  nlohmann::json options = nlohmann::json::object();  // the options given on the command line
  std::string version;
  std::string started;  // ISO-8601 UTC
  double wall_seconds = 0;
  std::string status = "ok";
  nlohmann::ordered_json result;  // the full result document (summary.json, capacity JSON, plan.json)
};

// One row of `runs` without the result document.
struct RunInfo {
  std::int64_t id = 0;
  std::string command, scenario, scenario_hash;
  std::uint64_t seed = 0;
  std::string options, version, started;
  double wall_seconds = 0;
  std::string status;
  std::int64_t replications = 1;
  std::string headline;  // one key figure (throughput, maximum start rate, ...)
};

// Rows of one table of one run: column names and values (numbers, strings or null).
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
};

// 64-bit FNV-1a of the scenario's bytes, as 16 hex digits: a file's bytes; a directory's
// regular files in path order (relative path, then bytes, each followed by a 0 byte); a name
// that is neither (a built-in scenario or network) the bytes of "builtin:" + name.
std::string scenario_hash(const std::string& scenario);
// Now as ISO-8601 UTC ("2026-12-04T05:00:00Z").
std::string now_utc();

class Db;

class Store {
 public:
  // create: the file (not its folder) is created when missing and the schema laid down; else a
  // missing file is an error. Throws store::Error (sqlite.h); a newer schema is bad input.
  Store(const std::string& path, bool create);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Stores the run in one transaction (BEGIN IMMEDIATE ... COMMIT); returns its id.
  std::int64_t record(const RunRecord& run);
  std::vector<RunInfo> list();
  std::optional<RunInfo> info(std::int64_t id);
  std::optional<std::int64_t> newest();
  // The stored result document; throws when the id is unknown.
  nlohmann::json document(std::int64_t id);
  // The stored result document as stored (compact JSON, keys in the command's order).
  std::string document_text(std::int64_t id);
  // The rows of lot_type_kpis, tool_group_kpis or series for one run (run_id left out).
  Rows rows(const std::string& table, std::int64_t id);
  // Deletes the run and its rows; false when the id is unknown.
  bool remove(std::int64_t id);

 private:
  std::unique_ptr<Db> db_;
};

// Checks, without creating anything, that `path` can take a run: the file is missing (then its
// folder must exist or be creatable) or is a results store of a schema this osatsim understands.
// Throws store::Error (bad input) otherwise.
void check_writable(const std::string& path);

// Opens (creating folder, file and schema as needed) and records: the one call of a command.
std::int64_t record_run(const std::string& path, const RunRecord& run);

}  // namespace osatsim::store
