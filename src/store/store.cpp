#include "store/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/sqlite.h"

namespace osatsim::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// Schema version 1 (docs/results.md "Results store").
constexpr const char* kSchema = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  scenario TEXT NOT NULL,
  scenario_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  options TEXT NOT NULL,
  version TEXT NOT NULL,
  started TEXT NOT NULL,
  wall_seconds REAL NOT NULL,
  status TEXT NOT NULL,
  replications INTEGER NOT NULL,
  headline TEXT NOT NULL,
  result TEXT NOT NULL);
CREATE TABLE lot_type_kpis (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  lot_type TEXT NOT NULL,
  product TEXT,
  priority INTEGER,
  released INTEGER,
  completed INTEGER,
  throughput_per_day REAL,
  wafers_out REAL,
  units_out REAL,
  ct_mean_days REAL,
  ct_p50_days REAL,
  ct_p95_days REAL,
  on_time_pct REAL,
  PRIMARY KEY (run_id, idx));
CREATE TABLE tool_group_kpis (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  tool_group TEXT NOT NULL,
  area TEXT,
  tools INTEGER,
  busy REAL, setup REAL, down REAL, pm REAL, idle REAL,
  jobs INTEGER,
  lot_starts INTEGER,
  mean_queue_hours REAL,
  PRIMARY KEY (run_id, idx));
CREATE TABLE series (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  day INTEGER NOT NULL,
  value REAL,
  PRIMARY KEY (run_id, name, day));
CREATE TABLE tables (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  table_name TEXT NOT NULL,
  row_index INTEGER NOT NULL,
  row TEXT NOT NULL,
  PRIMARY KEY (run_id, table_name, row_index));
CREATE INDEX runs_started ON runs(started);
)sql";

std::uint64_t fnv1a(std::uint64_t h, const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t fnv1a_file(std::uint64_t h, const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    h = fnv1a(h, buf, static_cast<std::size_t>(in.gcount()));
  }
  return h;
}

int user_version(Db& db) {
  Stmt st(db, "PRAGMA user_version");
  return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

void check_version(Db& db) {
  const int v = user_version(db);
  if (v > kSchemaVersion)
    throw Error(fmt::format("{}: results store schema version {} is newer than this osatsim "
                            "understands ({})",
                            db.path(), v, kSchemaVersion),
                true);
}

// Lays the schema down in a fresh file (user_version 0, no tables); refuses a database that is
// not a results store.
void ensure_schema(Db& db) {
  check_version(db);
  if (user_version(db) == kSchemaVersion) return;
  Transaction tx(db);
  if (user_version(db) == kSchemaVersion) return;  // another process made it meanwhile
  Stmt n(db, "SELECT count(*) FROM sqlite_master");
  if (n.step() && n.int64(0) > 0)
    throw Error(db.path() + ": an SQLite database but not an osatsim results store", true);
  db.exec(kSchema);
  db.exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
  tx.commit();
}

double num(const ojson& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string str(const ojson& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// One key figure for `runs list`.
std::string headline(const std::string& command, const ojson& doc) {
  if (doc.contains("lot_types") && doc["lot_types"].is_array()) {
    double lots = 0;
    for (const auto& t : doc["lot_types"]) lots += num(t, "throughput_per_day");
    const ojson wip = doc.value("wip", ojson::object());
    return fmt::format("{:.2f} lots/day, WIP {:.0f}", lots, num(wip, "mean_lots"));
  }
  if (command == "capacity" && doc.contains("max_lots_per_day"))
    return fmt::format("max {:.2f} lots/day, bottleneck {}", num(doc, "max_lots_per_day"),
                       str(doc, "bottleneck"));
  if (command == "plan" && doc.contains("status") && doc["status"].is_object())
    return fmt::format("{}, capex {:.1f} M, expected profit {:.1f} M", str(doc["status"], "plan"),
                       num(doc, "capex_total") / 1e6, num(doc, "expected_profit") / 1e6);
  return "";
}

void insert_lot_types(Db& db, std::int64_t id, const ojson& doc) {
  Stmt st(db,
          "INSERT INTO lot_type_kpis VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
          "?13, ?14)");
  std::int64_t i = 0;
  for (const auto& t : doc["lot_types"]) {
    const ojson ct = t.value("cycle_time_days", ojson::object());
    st.bind(1, id).bind(2, i++).bind(3, str(t, "name")).bind(4, str(t, "product"));
    st.bind(5, static_cast<std::int64_t>(num(t, "priority")));
    st.bind(6, static_cast<std::int64_t>(num(t, "released")));
    st.bind(7, static_cast<std::int64_t>(num(t, "completed")));
    st.bind(8, num(t, "throughput_per_day")).bind(9, num(t, "wafers_out"));
    st.bind(10, num(t, "units_out")).bind(11, num(ct, "mean")).bind(12, num(ct, "p50"));
    st.bind(13, num(ct, "p95")).bind(14, num(t, "on_time_pct"));
    st.run();
  }
}

void insert_tool_groups(Db& db, std::int64_t id, const ojson& doc) {
  Stmt st(db,
          "INSERT INTO tool_group_kpis VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
          "?12, ?13)");
  std::int64_t i = 0;
  for (const auto& g : doc["tool_groups"]) {
    st.bind(1, id).bind(2, i++).bind(3, str(g, "name")).bind(4, str(g, "area"));
    st.bind(5, static_cast<std::int64_t>(num(g, "tools")));
    st.bind(6, num(g, "busy")).bind(7, num(g, "setup")).bind(8, num(g, "down"));
    st.bind(9, num(g, "pm")).bind(10, num(g, "idle"));
    st.bind(11, static_cast<std::int64_t>(num(g, "jobs")));
    st.bind(12, static_cast<std::int64_t>(num(g, "lot_starts")));
    st.bind(13, num(g, "mean_queue_hours"));
    st.run();
  }
}

void insert_one_series(Stmt& st, std::int64_t id, const std::string& name, const ojson& values) {
  if (!values.is_array()) return;
  std::int64_t day = 0;
  for (const auto& v : values) {
    st.bind(1, id).bind(2, name).bind(3, day++);
    if (v.is_number()) {
      st.bind(4, v.get<double>());
    } else {
      st.bind_null(4);
    }
    st.run();
  }
}

// Daily series: wip_lots (wip.lots_per_day), starts and outs (flow_per_day).
void insert_series(Db& db, std::int64_t id, const ojson& doc) {
  Stmt st(db, "INSERT INTO series VALUES (?1, ?2, ?3, ?4)");
  const auto wip = doc.find("wip");
  if (wip != doc.end() && wip->contains("lots_per_day"))
    insert_one_series(st, id, "wip_lots", (*wip)["lots_per_day"]);
  const auto flow = doc.find("flow_per_day");
  if (flow != doc.end() && flow->is_object()) {
    for (const char* name : {"starts", "outs"})
      if (flow->contains(name)) insert_one_series(st, id, name, (*flow)[name]);
  }
}

// Capacity and plan documents: every top-level array of objects, one JSON row per element.
void insert_tables(Db& db, std::int64_t id, const ojson& doc) {
  Stmt st(db, "INSERT INTO tables VALUES (?1, ?2, ?3, ?4)");
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_array()) continue;
    std::int64_t i = 0;
    for (const auto& row : value) {
      if (!row.is_object()) break;
      st.bind(1, id).bind(2, key).bind(3, i++).bind(4, row.dump());
      st.run();
    }
  }
}

RunInfo info_of(const Stmt& st) {
  RunInfo r;
  r.id = st.int64(0);
  r.command = st.text(1);
  r.scenario = st.text(2);
  r.scenario_hash = st.text(3);
  r.seed = static_cast<std::uint64_t>(st.int64(4));
  r.options = st.text(5);
  r.version = st.text(6);
  r.started = st.text(7);
  r.wall_seconds = st.real(8);
  r.status = st.text(9);
  r.replications = st.int64(10);
  r.headline = st.text(11);
  return r;
}

constexpr const char* kInfoColumns =
    "SELECT id, command, scenario, scenario_hash, seed, options, version, started, "
    "wall_seconds, status, replications, headline FROM runs";

}  // namespace

std::string scenario_hash(const std::string& scenario) {
  constexpr std::uint64_t kOffset = 14695981039346656037ULL;
  std::uint64_t h = kOffset;
  std::error_code ec;
  if (fs::is_regular_file(scenario, ec)) {
    h = fnv1a_file(h, scenario);
  } else if (fs::is_directory(scenario, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(scenario, ec))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string rel = fs::relative(f, scenario).generic_string();
      h = fnv1a(h, rel.c_str(), rel.size() + 1);
      h = fnv1a_file(h, f);
      h = fnv1a(h, "", 1);
    }
  } else {
    const std::string name = "builtin:" + scenario;
    h = fnv1a(h, name.data(), name.size());
  }
  return fmt::format("{:016x}", h);
}

std::string now_utc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Store::Store(const std::string& path, bool create) {
  std::error_code ec;
  if (!create && !fs::exists(path, ec))
    throw Error(path + ": no such results store (a run of simulate, capacity or plan makes it)",
                true);
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory, not a results store", true);
  db_ = std::make_unique<Db>(path, create);
  check_version(*db_);
  db_->exec("PRAGMA journal_mode = WAL");
  ensure_schema(*db_);
}

Store::~Store() = default;

std::int64_t Store::record(const RunRecord& run) {
  Transaction tx(*db_);
  Stmt st(*db_,
          "INSERT INTO runs (command, scenario, scenario_hash, seed, options, version, started, "
          "wall_seconds, status, replications, headline, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
          "?7, ?8, ?9, ?10, ?11, ?12)");
  std::int64_t reps = 1;
  if (run.result.contains("replications") && run.result["replications"].is_object())
    reps = static_cast<std::int64_t>(num(run.result["replications"], "n"));
  st.bind(1, run.command).bind(2, run.scenario).bind(3, run.scenario_hash);
  st.bind(4, static_cast<std::int64_t>(run.seed)).bind(5, run.options.dump());
  st.bind(6, run.version).bind(7, run.started).bind(8, run.wall_seconds).bind(9, run.status);
  st.bind(10, reps).bind(11, headline(run.command, run.result)).bind(12, run.result.dump());
  st.run();
  const std::int64_t id = db_->last_insert_id();
  const ojson& doc = run.result;
  if (doc.contains("lot_types") && doc["lot_types"].is_array() && doc.contains("tool_groups")) {
    insert_lot_types(*db_, id, doc);
    insert_tool_groups(*db_, id, doc);
    insert_series(*db_, id, doc);
  } else {
    insert_tables(*db_, id, doc);
  }
  tx.commit();
  return id;
}

std::vector<RunInfo> Store::list() {
  std::vector<RunInfo> out;
  Stmt st(*db_, std::string(kInfoColumns) + " ORDER BY id");
  while (st.step()) out.push_back(info_of(st));
  return out;
}

std::optional<RunInfo> Store::info(std::int64_t id) {
  Stmt st(*db_, std::string(kInfoColumns) + " WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return info_of(st);
}

std::optional<std::int64_t> Store::newest() {
  Stmt st(*db_, "SELECT max(id) FROM runs");
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return st.int64(0);
}

json Store::document(std::int64_t id) { return json::parse(document_text(id)); }

std::string Store::document_text(std::int64_t id) {
  Stmt st(*db_, "SELECT result FROM runs WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) throw Error(fmt::format("{}: no run {}", db_->path(), id), true);
  return st.text(0);
}

Rows Store::rows(const std::string& table, std::int64_t id) {
  const std::vector<std::string> known{"lot_type_kpis", "tool_group_kpis", "series", "tables"};
  if (std::find(known.begin(), known.end(), table) == known.end())
    throw Error("unknown table " + table, true);
  const std::string order = table == "series" ? "name, day" : table == "tables" ? "table_name, row_index" : "idx";
  Stmt st(*db_, fmt::format("SELECT * FROM {} WHERE run_id = ?1 ORDER BY {}", table, order));
  st.bind(1, id);
  Rows out;
  Stmt cols(*db_, fmt::format("SELECT name, type FROM pragma_table_info('{}') ORDER BY cid", table));
  std::vector<std::string> types;
  while (cols.step()) {
    out.columns.push_back(cols.text(0));
    types.push_back(cols.text(1));
  }
  while (st.step()) {
    std::vector<json> row;
    for (std::size_t c = 1; c < out.columns.size(); ++c) {  // run_id left out
      const int ci = static_cast<int>(c);
      if (st.is_null(ci)) {
        row.emplace_back(nullptr);
      } else if (types[c] == "INTEGER") {
        row.emplace_back(st.int64(ci));
      } else if (types[c] == "REAL") {
        row.emplace_back(st.real(ci));
      } else {
        row.emplace_back(st.text(ci));
      }
    }
    out.rows.push_back(std::move(row));
  }
  out.columns.erase(out.columns.begin());
  return out;
}

bool Store::remove(std::int64_t id) {
  Transaction tx(*db_);
  for (const char* t : {"lot_type_kpis", "tool_group_kpis", "series", "tables"}) {
    Stmt st(*db_, fmt::format("DELETE FROM {} WHERE run_id = ?1", t));
    st.bind(1, id);
    st.run();
  }
  Stmt st(*db_, "DELETE FROM runs WHERE id = ?1");
  st.bind(1, id);
  st.run();
  const bool found = db_->changes() > 0;
  tx.commit();
  return found;
}

void check_writable(const std::string& path) {
  std::error_code ec;
  if (path.empty()) throw Error("--db: an empty file name is not allowed", true);
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory, not a results store", true);
  if (!fs::exists(path, ec)) {
    fs::path dir = fs::path(path).parent_path();
    while (!dir.empty() && !fs::exists(dir, ec)) dir = dir.parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec))
      throw Error(path + ": " + dir.string() + " is not a directory", true);
    return;
  }
  Db db(path, false);
  check_version(db);
  Stmt n(db, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'");
  if (user_version(db) == 0 && n.step() && n.int64(0) == 0) {
    Stmt any(db, "SELECT count(*) FROM sqlite_master");
    if (any.step() && any.int64(0) > 0)
      throw Error(path + ": an SQLite database but not an osatsim results store", true);
  }
}

std::int64_t record_run(const std::string& path, const RunRecord& run) {
  const fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  Store s(path, true);
  return s.record(run);
}

}  // namespace osatsim::store
