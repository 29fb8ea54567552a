// osatsim sweep: runs the variants of a sweep file (docs/sweep.md), each with its replications
// (common random numbers), on threads; resumable; writes DIR/sweep.json and DIR/sweep.csv.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/model_options.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/store_output.h"
#include "engine/engine.h"
#include "engine/options.h"
#include "io/load.h"
#include "sweep/mpi.h"
#include "sweep/run.h"
#include "sweep/spec.h"

namespace osatsim::cli {
namespace {

struct SweepArgs {
  std::string file;
  std::string out = "osatsim-out/sweep";
  int jobs = 1;
  bool resume = false;
  int stop_after = 0;
};

// A variant ready to run: its options (seed set per replication) and its model.
struct Prepared {
  engine::Options options;
  std::shared_ptr<const model::Factory> factory;
};

// One engine option of a setting; false (with a file:line message) for a bad level.
bool apply_option(const sweep::Setting& s, const std::string& where, engine::Options& o,
                  bool& nest_override, model::PmNesting& nesting) {
  const auto bad = [&](const char* allowed) {
    std::fprintf(stderr, "%s: %s: unknown level '%s' (%s)\n", where.c_str(), s.key.c_str(),
                 s.value.c_str(), allowed);
    return false;
  };
  if (s.key == "dispatch") {
    return engine::parse_dispatch_rule(s.value, o.dispatch) ||
           bad(choice_list(engine::kDispatchRules).c_str());
  }
  // A reading of the model (model/factory.h): "model" leaves it to the model.
  const auto reading = [&](const auto& table, auto& out) {
    const auto v = parse_choice(table, s.value);
    if (!v && s.value != "model") return bad(("model, " + choice_list(table)).c_str());
    out = v;
    return true;
  };
  if (s.key == "lssu-switch") return reading(engine::kLssuSwitches, o.lssu_switch);
  if (s.key == "setup-state") return reading(engine::kSetupStates, o.setup_state);
  if (s.key == "wake") return reading(engine::kWakeRules, o.wake);
  if (s.key == "cascade-setup") return reading(engine::kCascadeSetups, o.cascade_setup);
  if (s.key == "idle-tool") return reading(engine::kIdleTools, o.idle_tool);
  if (s.key == "wafer-pm-start") return reading(engine::kWaferPmStarts, o.wafer_pm_start);
  if (s.key == "pm-nesting") return parse_pm_nesting(s.value, where.c_str(), nest_override, nesting);
  if (s.key == "batch-max-wait") {
    char* end = nullptr;
    const double v = std::strtod(s.value.c_str(), &end);
    if (end != s.value.c_str() + s.value.size() || !(v >= 0 && v <= 1e6))
      return bad("minutes in [0, 1e6]");
    o.batch_max_wait = minutes(v);
    return true;
  }
  return false;
}

// The what-if text of a model-field setting: scale F, scale.PRODUCT=F, tools.GROUP=N.
void what_if_text(const sweep::Setting& s, std::vector<std::string>& scales,
                  std::vector<std::string>& tools) {
  if (s.key == "scale") scales.push_back(s.value);
  else if (s.key.starts_with("scale.")) scales.push_back(s.key.substr(6) + "=" + s.value);
  else if (s.key.starts_with("tools.")) tools.push_back(s.key.substr(6) + "=" + s.value);
}

// A model edit that is no what-if: yield.STEP (the yield of every route step of that name, in
// (0, 1]) or rule.GROUP (a tool group's own dispatching rule, a word of simulate --dispatch).
// False, with a file:line message, for an unknown step or group or a bad level.
bool apply_model_edit(const sweep::Setting& s, const std::string& where, model::Factory& f) {
  const std::string name = s.key.substr(s.key.find('.') + 1);
  if (s.key.starts_with("yield.")) {
    char* end = nullptr;
    const double y = std::strtod(s.value.c_str(), &end);
    if (end != s.value.c_str() + s.value.size() || !(y > 0 && y <= 1)) {
      std::fprintf(stderr, "%s: %s: '%s' is not a yield in (0, 1]\n", where.c_str(), s.key.c_str(),
                   s.value.c_str());
      return false;
    }
    int n = 0;
    for (auto& route : f.routes)
      for (auto& st : route.steps)
        if (st.name == name) {
          st.yield = y;
          ++n;
        }
    if (n == 0) std::fprintf(stderr, "%s: %s: no route step named '%s'\n", where.c_str(), s.key.c_str(), name.c_str());
    return n > 0;
  }
  engine::DispatchRule rule{};
  if (!engine::parse_dispatch_rule(s.value, rule)) {
    std::fprintf(stderr, "%s: %s: unknown level '%s' (%s)\n", where.c_str(), s.key.c_str(),
                 s.value.c_str(), choice_list(engine::kDispatchRules).c_str());
    return false;
  }
  for (auto& g : f.tool_groups)
    if (g.name == name) {
      g.ranking = engine::ranking_of(rule, g.ranking);
      return true;
    }
  std::fprintf(stderr, "%s: %s: no tool group named '%s'\n", where.c_str(), s.key.c_str(), name.c_str());
  return false;
}

// Every variant checked and built before any run: a bad level gives file:line and nullptr.
bool prepare(const sweep::Spec& spec, const std::shared_ptr<const model::Factory>& base,
             std::vector<Prepared>& out) {
  bool ok = true;
  for (const auto& v : spec.variants) {
    Prepared p;
    p.options.days = spec.days;
    p.options.warmup_days = spec.warmup_days;
    bool nest_override = false;
    model::PmNesting nesting = model::PmNesting::Independent;
    model::WhatIf all;
    std::string what_if_where;
    bool variant_ok = true;
    std::vector<std::pair<const sweep::Setting*, std::string>> edits;  // yield., rule.
    for (const auto& s : v.settings) {
      if (s.value.empty()) continue;  // the base model's own
      const std::string where = fmt::format("{}:{}", spec.file, s.line);
      if (s.key.starts_with("yield.") || s.key.starts_with("rule.")) {
        edits.emplace_back(&s, where);
        continue;
      }
      const bool model_field = s.key == "scale" || s.key.starts_with("scale.") ||
                               s.key.starts_with("tools.");
      if (!model_field) {
        if (!apply_option(s, where, p.options, nest_override, nesting)) variant_ok = false;
        continue;
      }
      std::vector<std::string> scales, tools;
      what_if_text(s, scales, tools);
      model::WhatIf one;
      if (!parse_what_if(scales, tools, where.c_str(), one) ||
          !with_what_if(base, one, where.c_str())) {
        variant_ok = false;
        continue;
      }
      if (one.scale != 1.0) all.scale = one.scale;
      for (const auto& x : one.product_scales) all.product_scales.push_back(x);
      for (const auto& x : one.tools) all.tools.push_back(x);
      if (what_if_where.empty()) what_if_where = where;
    }
    if (variant_ok) {
      p.factory = with_what_if(with_pm_nesting(base, nest_override, nesting), all,
                               what_if_where.empty() ? spec.file.c_str() : what_if_where.c_str());
      if (!p.factory) variant_ok = false;
    }
    if (variant_ok && !edits.empty()) {
      auto edited = std::make_shared<model::Factory>(*p.factory);
      for (const auto& [s, where] : edits)
        if (!apply_model_edit(*s, where, *edited)) variant_ok = false;
      p.factory = edited;
    }
    ok = ok && variant_ok;
    out.push_back(std::move(p));
  }
  return ok;
}

int run_sweep(const SweepArgs& a, sweep::MpiSession& mpi, DbTarget& db) {
  sweep::Spec spec;
  std::vector<std::string> errors;
  if (!sweep::read_spec(a.file, spec, errors)) {
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitBadInput;
  }
  if (!check_output_dir("sweep", "--out", a.out)) return kExitBadInput;
  if (mpi.rank() == 0 && !db_check(db)) return kExitBadInput;
  Diagnostics diags;
  // A relative model path is read relative to the sweep file's folder when it is there.
  namespace fs = std::filesystem;
  std::string model_path = spec.model;
  const fs::path beside = fs::path(a.file).parent_path() / spec.model;
  if (fs::path(spec.model).is_relative() && fs::exists(beside)) model_path = beside.string();
  const auto base = io::load_factory(model_path, diags);
  if (!base) {
    for (const auto& d : diags.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::fprintf(stderr, "%s:%d: model: cannot load '%s'\n", a.file.c_str(), spec.model_line,
                 spec.model.c_str());
    return kExitBadInput;
  }
  std::vector<Prepared> variants;
  if (!prepare(spec, base, variants)) return kExitBadInput;

  const std::string journal = (fs::path(a.out) / "sweep.journal").string();
  if (a.resume && mpi.rank() == 0) {  // a journal of another sweep file is bad input: refused before any run
    const std::size_t n = spec.variants.size() * static_cast<std::size_t>(spec.replications);
    std::vector<sweep::Figures> items(n);
    std::vector<bool> done(n, false);
    std::string why;
    if (!sweep::load_journal(journal, spec, items, done, why)) {
      std::fprintf(stderr, "sweep: --resume: %s\n", why.c_str());
      return kExitBadInput;
    }
  }
  std::error_code ec;
  if (mpi.rank() == 0) fs::create_directories(a.out, ec);
  // Progress: the work items this process runs (on rank 0 under MPI, its own share).
  ProgressLine progress("sweep", "runs",
                        static_cast<double>(spec.variants.size()) * spec.replications);
  const sweep::RunItem item = [&](int v, int r, sweep::Figures& f, std::string& why) {
    engine::Options o = variants[static_cast<std::size_t>(v)].options;
    o.seed = spec.seed + static_cast<std::uint64_t>(r);  // common random numbers
    const engine::Results res = engine::simulate(*variants[static_cast<std::size_t>(v)].factory, o);
    if (res.status != engine::RunStatus::Ok) {
      why = fmt::format("variant {} replication {} (seed {}): {}", v, r, o.seed, res.message);
      return false;
    }
    f = sweep::figures_of(res);
    progress.add(1);
    return true;
  };
  sweep::RunSettings rs{a.jobs, journal, a.resume, a.stop_after};
  std::vector<sweep::Figures> items;
  std::string why;
  const bool ok = mpi.active() ? sweep::run_items_mpi(mpi, spec, item, rs, items, why)
                                : sweep::run_items(spec, item, rs, items, why);
  if (!ok) {
    std::fprintf(stderr, "sweep: %s\n", why.c_str());
    return kExitFailure;
  }
  progress.finish();
  if (mpi.rank() != 0) return kExitOk;  // rank 0 writes
  const auto results = sweep::compare(spec, items);
  const bool quiet = common_options().quiet;
  if (!quiet) fmt::print("{}", sweep::sweep_table(spec, results));
  for (const auto& [name, text] :
       {std::pair{"sweep.json", sweep::sweep_json(spec, results)},
        std::pair{"sweep.csv", sweep::sweep_csv(spec, results)}}) {
    const std::string path = (fs::path(a.out) / name).string();
    if (!write_atomically(path, text, why)) {
      std::fprintf(stderr, "sweep: %s\n", why.c_str());
      return kExitFailure;
    }
    if (!quiet) fmt::print("wrote {}\n", path);
  }
  // The results store keeps the sweep's comparison as one run (docs/results.md).
  if (!db_record(db, spec.model, spec.seed, nlohmann::json::parse(sweep::sweep_json(spec, results))))
    return kExitFailure;
  return kExitOk;
}

Runner setup(CLI::App* app) {
  auto a = std::make_shared<SweepArgs>();
  app->add_option("file", a->file, "sweep file (YAML, docs/sweep.md)")->required();
  app->add_option("--out", a->out,
                  "directory for sweep.json, sweep.csv and the journal (default osatsim-out/sweep)");
  app->add_option("--jobs", a->jobs, "work items run at once, 1..1024 (default 1)")
      ->check(whole_range(1, 1024));
  app->add_flag("--resume", a->resume,
                "keep the finished items of the journal in DIR and run only the others");
  // Testing aid: ends the process abruptly after N new items, as a kill would.
  app->add_option("--stop-after", a->stop_after)->group("")->check(whole_range(0, 1000000));
  auto db = add_db_options(app);
  return [a, db] {
    sweep::MpiSession mpi;  // MPI only when started by mpirun/srun with several processes
    if (mpi.rank() != 0) {  // workers stay quiet; rank 0 reports
      if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr))
        return kExitFailure;
    }
    const int code = run_sweep(*a, mpi, *db);
    mpi.abort_if_failed(code);
    return code;
  };
}

const Registrar reg{"sweep", "variants x replications of a simulation, compared (resumable)",
                    setup, 35};

}  // namespace
}  // namespace osatsim::cli
