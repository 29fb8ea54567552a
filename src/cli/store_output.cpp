#include "cli/store_output.h"
#include "cli/progress.h"

#include <cstdio>

#include "cli/progress.h"
#include "core/version.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace osatsim::cli {

std::shared_ptr<DbTarget> add_db_options(CLI::App* app) {
  auto db = std::make_shared<DbTarget>();
  db->path = store::kDefaultPath;
  db->app = app;
  app->add_option("--db", db->path,
                  "results store: the run is added to this SQLite file (default "
                  "osatsim-out/results.sqlite; docs/results.md)");
  app->add_flag("--no-db", db->off, "do not store the run in the results store");
  return db;
}

bool db_check(DbTarget& db) {
  db.started = store::now_utc();
  db.t0 = std::chrono::steady_clock::now();
  if (db.off) return true;
  try {
    store::check_writable(db.path);
  } catch (const store::Error& e) {
    std::fprintf(stderr, "%s: --db: %s\n", db.app->get_name().c_str(), e.what());
    return false;
  }
  return true;
}

namespace {

// The options given on the command line, by their long name: {"--days": ["90"], ...}.
nlohmann::json given_options(const CLI::App& app) {
  nlohmann::json j = nlohmann::json::object();
  for (const CLI::Option* o : app.get_options()) {
    if (o->count() == 0 || o->get_name() == "--help") continue;
    j[o->get_name()] = o->results();
  }
  return j;
}

}  // namespace

bool db_record(const DbTarget& db, const std::string& scenario, std::uint64_t seed,
               const nlohmann::ordered_json& result) {
  if (db.off) return true;
  const std::string cmd = db.app->get_name();
  store::RunRecord r;
  r.command = cmd;
  r.scenario = scenario;
  r.scenario_hash = store::scenario_hash(scenario);
  r.seed = seed;
  r.options = given_options(*db.app);
  r.version = kVersion;
  r.started = db.started;
  r.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - db.t0).count();
  r.result = result;
  try {
    const std::int64_t id = store::record_run(db.path, r);
    if (!common_options().quiet)
      std::printf("stored run %lld in %s\n", static_cast<long long>(id), db.path.c_str());
  } catch (const store::Error& e) {
    std::fprintf(stderr, "%s: --db: %s (the run is not stored)\n", cmd.c_str(), e.what());
    return false;
  }
  return true;
}

}  // namespace osatsim::cli
