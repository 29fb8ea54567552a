// The results store's library (docs/results.md "Results store"): schema, round trip, versions.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/sqlite.h"
#include "store/store.h"
#include "support/test_support.h"

namespace osatsim {
namespace {

using nlohmann::ordered_json;

ordered_json sample_result(double tp) {
  return ordered_json::parse(R"({
    "run": {"model": "m", "seed": 4},
    "lot_types": [{"name": "A", "product": "PA", "priority": 10, "released": 5, "completed": 4,
                   "throughput_per_day": )" + std::to_string(tp) + R"(, "wafers_out": 100, "units_out": 0,
                   "cycle_time_days": {"mean": 3.5, "p50": 3.25, "p95": 5.0}, "on_time_pct": 75.0}],
    "tool_groups": [{"name": "G", "area": "X", "tools": 2, "busy": 0.5, "setup": 0.1,
                     "down": 0.05, "pm": 0.05, "idle": 0.3, "jobs": 7, "lot_starts": 9,
                     "mean_queue_hours": 1.5}],
    "wip": {"mean_lots": 12.5, "lots_per_day": [1.0, 2.5, 4.0]}})");
}

store::RunRecord record(double tp) {
  store::RunRecord r;
  r.command = "simulate";
  r.scenario = "default";
  r.scenario_hash = store::scenario_hash("default");
  r.seed = 4;
  r.version = "test";
  r.started = store::now_utc();
  r.result = sample_result(tp);
  return r;
}

std::int64_t scalar(const std::string& db, const std::string& sql) {
  store::Db d(db, false);
  store::Stmt st(d, sql);
  return st.step() ? st.int64(0) : -1;
}

TEST(Store, SchemaCreatedWithUserVersionOne) {
  test::TempDir dir;
  const std::string db = (dir.path() / "sub" / "r.sqlite").string();
  store::record_run(db, record(2.0));
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), 1);
  for (const char* t : {"runs", "lot_type_kpis", "tool_group_kpis", "series", "tables"})
    EXPECT_EQ(scalar(db, std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '") + t + "'"), 1) << t;
  store::Db d(db, false);
  store::Stmt st(d, "PRAGMA journal_mode");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), "wal");
}

TEST(Store, TwoRunsReadBack) {
  test::TempDir dir;
  const std::string db = (dir.path() / "r.sqlite").string();
  EXPECT_EQ(store::record_run(db, record(2.0)), 1);
  EXPECT_EQ(store::record_run(db, record(3.0)), 2);
  store::Store s(db, false);
  const auto runs = s.list();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].seed, 4u);
  EXPECT_EQ(runs[1].scenario_hash, store::scenario_hash("default"));
  EXPECT_EQ(s.document(2)["lot_types"][0]["throughput_per_day"].get<double>(), 3.0);
  const store::Rows lt = s.rows("lot_type_kpis", 1);
  ASSERT_EQ(lt.rows.size(), 1u);
  EXPECT_EQ(lt.columns[1], "lot_type");
  EXPECT_EQ(lt.rows[0][1], "A");
  EXPECT_EQ(lt.rows[0][6].get<double>(), 2.0);   // throughput_per_day
  EXPECT_EQ(lt.rows[0][9].get<double>(), 3.5);   // ct_mean_days
  const store::Rows series = s.rows("series", 2);
  ASSERT_EQ(series.rows.size(), 3u);
  EXPECT_EQ(series.rows[1][2].get<double>(), 2.5);
  const store::Rows tg = s.rows("tool_group_kpis", 2);
  ASSERT_EQ(tg.rows.size(), 1u);
  EXPECT_EQ(tg.rows[0][4].get<double>(), 0.5);  // busy
  EXPECT_TRUE(s.remove(1));
  EXPECT_FALSE(s.remove(1));
  EXPECT_EQ(s.list().size(), 1u);
  EXPECT_TRUE(s.rows("lot_type_kpis", 1).rows.empty());
}

TEST(Store, NewerSchemaRefused) {
  test::TempDir dir;
  const std::string db = (dir.path() / "v99.sqlite").string();
  {
    store::Db d(db, true);
    d.exec("PRAGMA user_version = 99");
  }
  try {
    store::record_run(db, record(1.0));
    FAIL() << "a newer schema was accepted";
  } catch (const store::Error& e) {
    EXPECT_TRUE(e.bad_input());
    EXPECT_EQ(std::string(e.what()),
              db + ": results store schema version 99 is newer than this osatsim understands (1)");
  }
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master"), 0);
}

TEST(Store, ForeignDatabaseRefused) {
  test::TempDir dir;
  const std::string db = (dir.path() / "other.sqlite").string();
  {
    store::Db d(db, true);
    d.exec("CREATE TABLE t (x)");
  }
  EXPECT_THROW(store::record_run(db, record(1.0)), store::Error);
  EXPECT_THROW(store::check_writable(db), store::Error);
  EXPECT_NO_THROW(store::check_writable((dir.path() / "new" / "r.sqlite").string()));
}

TEST(Store, ScenarioHashFollowsTheBytes) {
  test::TempDir dir;
  const auto a = dir.write("a.yaml", "x: 1\n");
  const auto b = dir.write("b.yaml", "x: 2\n");
  EXPECT_NE(store::scenario_hash(a.string()), store::scenario_hash(b.string()));
  EXPECT_EQ(store::scenario_hash(a.string()), store::scenario_hash(a.string()));
  EXPECT_EQ(store::scenario_hash("default").size(), 16u);
  EXPECT_NE(store::scenario_hash("default"), store::scenario_hash("buildout"));
}

}  // namespace
}  // namespace osatsim
