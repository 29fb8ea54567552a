#include "cli/sizing_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "results/sizing.h"
#include "engine/engine.h"
#include "engine/replications.h"

namespace osatsim::cli {
namespace {

using nlohmann::json;

json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

bool parse_days(const std::string& text, double& v) {
  std::size_t used = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    return false;
  }
  return used == text.size() && std::isfinite(v) && v > 0 && v <= 1e5;
}

struct ProductCheck {
  std::string name;
  engine::Estimate ct, throughput;  // throughput: good pieces (wafers or units) per day
  double predicted_ct = 0, release_per_day = 0;  // release_per_day: expected good pieces/day
};

struct Verification {
  int replications = 0;
  double days = 0, warmup_days = 0;
  std::vector<ProductCheck> products;
  std::string busiest;
  engine::Estimate busiest_util;  // of available time
  double busiest_predicted = 0;
  double wall_seconds = 0;
};

// Simulates the sized line at the analysed load (release intervals divided by `scale`).
Verification verify(const model::Factory& line, double scale, const analysis::SizingResult& r,
                    const SizingCliOptions& o) {
  model::Factory sized = line;
  if (scale != 1.0) {
    for (auto& s : sized.streams) s.interval = s.interval.scaled(1.0 / scale);
  }
  engine::Options eo;
  eo.days = o.verify_days;
  eo.warmup_days = o.verify_warmup_days;
  eo.seed = o.verify_seed;
  const int hw = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const auto runs =
      engine::simulate_replications(sized, eo, o.verify_replications,
                                    std::min(hw, o.verify_replications));
  Verification v;
  v.replications = o.verify_replications;
  v.days = o.verify_days;
  v.warmup_days = o.verify_warmup_days;
  for (const auto& p : r.products) {
    ProductCheck c;
    c.name = p.name;
    c.predicted_ct = p.cycle_time_after;
    for (std::size_t i = 0; i < sized.streams.size(); ++i) {
      if (sized.streams[i].product != p.id) continue;
      c.release_per_day +=
          model::lots_per_day(sized.streams[i]) *
          analysis::expected_good_pieces_per_lot(sized, static_cast<model::StreamId>(i));
    }
    std::vector<double> ct, tp;
    const double window = o.verify_days - o.verify_warmup_days;
    for (const auto& run : runs) {
      double n = 0, sum = 0, pieces = 0;
      for (std::size_t i = 0; i < run.lot_types.size(); ++i) {
        if (sized.streams[i].product != p.id) continue;
        const auto& lt = run.lot_types[i];
        n += lt.throughput_per_day;
        sum += lt.throughput_per_day * lt.cycle_time_days.mean;
        pieces += lt.wafers_out + lt.units_out;
      }
      tp.push_back(pieces / window);
      ct.push_back(n > 0 ? sum / n : 0.0);
    }
    c.ct = engine::estimate(ct);
    c.throughput = engine::estimate(tp);
    v.products.push_back(std::move(c));
  }
  // Busiest group: the highest mean share of available time busy or in setup.
  double best = -1;
  for (std::size_t g = 0; g < sized.tool_groups.size(); ++g) {
    if (sized.tool_groups[g].is_delay) continue;
    std::vector<double> u;
    for (const auto& run : runs) {
      const auto& k = run.tool_groups[g];
      const double avail = 1.0 - k.down - k.pm;
      u.push_back(avail > 0 ? (k.busy + k.setup) / avail : 0.0);
    }
    const auto e = engine::estimate(u);
    if (e.mean > best) {
      best = e.mean;
      v.busiest = sized.tool_groups[g].name;
      v.busiest_util = e;
      v.busiest_predicted = r.groups[g].utilisation_after;
    }
  }
  for (const auto& run : runs) v.wall_seconds += run.wall_seconds;
  return v;
}

std::string format_verification(const Verification& v) {
  std::string s = fmt::format(
      "\nVerification: {} replication(s) of {:g} d ({:g} d warm-up) of the sized line, "
      "{:.1f} s simulated wall time\n",
      v.replications, v.days, v.warmup_days, v.wall_seconds);
  s += fmt::format("{:<18} {:>10} {:>16} {:>9} {:>10} {:>16} {:>8}\n", "product", "CT pred d",
                   "CT sim d (±95%)", "sim/pred", "out/d plan", "out/d sim", "sim/plan");
  for (const auto& p : v.products) {
    s += fmt::format("{:<18} {:>10.2f} {:>16} {:>9.3f} {:>10.1f} {:>16} {:>8.3f}\n", p.name,
                     p.predicted_ct, fmt::format("{:.2f} ± {:.2f}", p.ct.mean, p.ct.ci95),
                     p.predicted_ct > 0 ? p.ct.mean / p.predicted_ct : 0.0, p.release_per_day,
                     fmt::format("{:.1f} ± {:.1f}", p.throughput.mean, p.throughput.ci95),
                     p.release_per_day > 0 ? p.throughput.mean / p.release_per_day : 0.0);
  }
  s += "(out/d: good wafers or units per day; plan: release rate x expected good pieces per lot)\n";
  s += fmt::format(
      "busiest simulated group: {} at {:.1f}% ± {:.1f} of available time (predicted {:.1f}%)\n",
      v.busiest, 100 * v.busiest_util.mean, 100 * v.busiest_util.ci95,
      100 * v.busiest_predicted);
  if (v.busiest_util.mean >= 0.98) {
    s += fmt::format(
        "WARNING: {} is saturated in the simulation: the sized line is not stable there (the "
        "analysis predicted {:.1f}%; see docs/capacity.md §7.5)\n",
        v.busiest, 100 * v.busiest_predicted);
  }
  return s;
}

json verification_json(const Verification& v) {
  json j;
  j["replications"] = v.replications;
  j["days"] = v.days;
  j["warmup_days"] = v.warmup_days;
  json ps = json::array();
  for (const auto& p : v.products) {
    ps.push_back({{"name", p.name},
                  {"cycle_time_predicted_days", num(p.predicted_ct)},
                  {"cycle_time_simulated_days", num(p.ct.mean)},
                  {"cycle_time_simulated_ci95", num(p.ct.ci95)},
                  {"output_per_day_planned", num(p.release_per_day)},
                  {"output_per_day_simulated", num(p.throughput.mean)},
                  {"output_per_day_simulated_ci95", num(p.throughput.ci95)}});
  }
  j["products"] = std::move(ps);
  j["busiest_group"] = v.busiest;
  j["busiest_utilisation_of_available"] = num(v.busiest_util.mean);
  j["busiest_utilisation_of_available_ci95"] = num(v.busiest_util.ci95);
  j["busiest_utilisation_predicted"] = num(v.busiest_predicted);
  return j;
}

}  // namespace

void add_sizing_options(CLI::App* app, SizingCliOptions& o) {
  app->add_flag("--size", o.size,
                "add the least-cost tools so that every product meets its target cycle time");
  app->add_option("--target-ct", o.target_ct,
                  "with --size: target mean cycle time in days, D for every product or "
                  "PRODUCT=D (repeatable; default 1.5 x each product's raw process time)");
  app->add_flag("--verify", o.verify,
                "with --size: simulate the sized line and compare with the prediction");
  o.verify_days_opt = app->add_option("--verify-days", o.verify_days,
                                      "with --verify: simulated days per replication (120)")
                          ->check(finite_range(0, 1e5, "days", true));
  o.verify_warmup_opt = app->add_option("--verify-warmup-days", o.verify_warmup_days,
                                        "with --verify: warm-up days (40)")
                            ->check(finite_range(0, 1e5, "days"));
  o.verify_reps_opt = app->add_option("--verify-replications", o.verify_replications,
                                      "with --verify: replications (3)")
                          ->check(whole_range(1, 1000));
  o.verify_seed_opt =
      app->add_option("--verify-seed", o.verify_seed, "with --verify: first seed (1)")
          ->check(seed_value());
}

bool check_sizing_options(const SizingCliOptions& o, analysis::SizingOptions& out) {
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "%s\n", m.c_str());
    return false;
  };
  if (!o.size) {
    if (!o.target_ct.empty()) return fail("--target-ct: needs --size");
    if (o.verify) return fail("--verify: needs --size");
  }
  if (!o.verify) {
    for (const auto* opt : {o.verify_days_opt, o.verify_warmup_opt, o.verify_reps_opt,
                            o.verify_seed_opt}) {
      if (opt && opt->count() > 0) return fail(fmt::format("{}: needs --verify", opt->get_name()));
    }
  }
  if (o.verify) {
    if (!(o.verify_days > 0) || !std::isfinite(o.verify_days))
      return fail("--verify-days: must be a positive number of days");
    if (!(o.verify_warmup_days >= 0) || !(o.verify_warmup_days < o.verify_days))
      return fail("--verify-warmup-days: must be >= 0 and below --verify-days");
    if (o.verify_replications < 1 || o.verify_replications > 1000)
      return fail("--verify-replications: must be in 1..1000");
  }
  for (const auto& t : o.target_ct) {
    const auto eq = t.rfind('=');
    double v = 0;
    if (eq == std::string::npos) {
      if (!parse_days(t, v))
        return fail(fmt::format("--target-ct: '{}' is not a number of days in (0, 100000]", t));
      out.target_ct_days = v;
    } else {
      const std::string name = t.substr(0, eq);
      if (name.empty()) return fail(fmt::format("--target-ct: '{}' has no product name", t));
      if (!parse_days(t.substr(eq + 1), v))
        return fail(
            fmt::format("--target-ct: '{}' is not PRODUCT=D with D in (0, 100000] days", t));
      out.product_targets[name] = v;
    }
  }
  return true;
}

int run_sizing(const model::Factory& factory, const analysis::CapacityOptions& copt,
               const analysis::CapacityResult& capacity, const SizingCliOptions& o,
               const analysis::SizingOptions& so, const std::string& json_file,
               const std::string& table, int top) {
  const analysis::SizingResult r = analysis::size_line(factory, copt, so);
  if (!r.error.empty()) {
    std::fprintf(stderr, "--target-ct: %s\n", r.error.c_str());
    return kExitBadInput;
  }
  std::string text = table + "\n" + results::format_sizing(r, top);
  json extra;
  if (o.verify) {
    const model::Factory sized = analysis::sized_factory(factory, r);
    const Verification v = verify(sized, copt.scale, r, o);
    text += format_verification(v);
    extra = verification_json(v);
  }
  if (!json_file.empty()) {
    std::string doc = results::to_json_text(capacity, r);
    if (o.verify) {
      json j = json::parse(doc);
      j["sizing"]["verification"] = extra;
      doc = j.dump(2) + "\n";
    }
    std::string why;
    if (!write_atomically(json_file, doc, why)) {
      std::fprintf(stderr, "%s: %s\n", json_file.c_str(), why.c_str());
      return kExitFailure;
    }
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace osatsim::cli
