#include "sweep/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace osatsim::sweep {

using json = nlohmann::ordered_json;

Figures figures_of(const engine::Results& r) {
  Figures f;
  double lots = 0, ct_weighted = 0, done = 0, on_time_weighted = 0;
  for (const auto& t : r.lot_types) {
    lots += t.throughput_per_day;
    const auto n = static_cast<double>(t.completed);
    done += n;
    ct_weighted += n * t.cycle_time_days.mean;
    on_time_weighted += n * t.on_time_pct;
  }
  f.emplace_back("all.throughput_per_day", lots);
  f.emplace_back("all.ct_mean_days", done > 0 ? ct_weighted / done : 0.0);
  f.emplace_back("all.on_time_pct", done > 0 ? on_time_weighted / done : 0.0);
  f.emplace_back("wip_mean_lots", r.mean_wip_lots);
  for (const auto& t : r.lot_types) {
    f.emplace_back(t.name + ".throughput_per_day", t.throughput_per_day);
    f.emplace_back(t.name + ".ct_mean_days", t.cycle_time_days.mean);
    f.emplace_back(t.name + ".on_time_pct", t.on_time_pct);
  }
  if (r.packaging.present)
    for (const auto& [name, units] : r.packaging.units_out_per_month)
      f.emplace_back(name + ".good_units_per_month", units);
  for (const auto& g : r.tool_groups) f.emplace_back(g.name + ".utilisation", g.busy + g.setup);
  return f;
}

std::string journal_header(const Spec& spec) {
  return json{{"sweep_hash", spec.hash},
              {"items", spec.variants.size() * static_cast<std::size_t>(spec.replications)}}
      .dump();
}

std::string journal_line(std::size_t item, const Figures& f) {
  json x = json::array();
  for (const auto& [k, v] : f) x.push_back(json::array({k, v}));  // shortest exact form
  return json{{"item", item}, {"figures", x}}.dump();
}

bool load_journal(const std::string& path, const Spec& spec, std::vector<Figures>& items,
                  std::vector<bool>& done, std::string& why) {
  std::ifstream in(path);
  if (!in) return true;  // nothing finished yet
  std::string line;
  if (!std::getline(in, line)) return true;
  try {
    const json h = json::parse(line);
    if (h.value("sweep_hash", std::string()) != spec.hash) {
      why = fmt::format("{}: written for another sweep file (hash {}, this file {}); remove it "
                        "or run without --resume",
                        path, h.value("sweep_hash", std::string("?")), spec.hash);
      return false;
    }
  } catch (const json::exception&) {
    why = fmt::format("{}:1: not a sweep journal", path);
    return false;
  }
  while (std::getline(in, line)) {
    std::size_t k = 0;
    Figures f;
    if (!parse_journal_line(line, k, f)) break;  // a line cut by a kill: that item is rerun
    if (k >= items.size()) continue;
    items[k] = std::move(f);
    done[k] = true;
  }
  return true;
}

bool parse_journal_line(const std::string& line, std::size_t& item, Figures& f) {
  try {
    const json j = json::parse(line);
    item = j.at("item").get<std::size_t>();
    f.clear();
    for (const auto& p : j.at("figures"))
      f.emplace_back(p.at(0).get<std::string>(), p.at(1).get<double>());
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

bool open_journal(const Spec& spec, const RunSettings& s, std::vector<Figures>& items,
                  std::vector<std::size_t>& todo, std::FILE*& journal, std::string& why) {
  const std::size_t n = spec.variants.size() * static_cast<std::size_t>(spec.replications);
  items.assign(n, {});
  std::vector<bool> done(n, false);
  if (s.resume && !load_journal(s.journal, spec, items, done, why)) return false;
  const bool fresh = std::none_of(done.begin(), done.end(), [](bool b) { return b; });
  journal = std::fopen(s.journal.c_str(), fresh ? "w" : "a");
  if (!journal) {
    why = fmt::format("{}: cannot write the journal", s.journal);
    return false;
  }
  if (fresh) {
    std::fputs((journal_header(spec) + "\n").c_str(), journal);
    std::fflush(journal);
  }
  todo.clear();
  for (std::size_t k = 0; k < n; ++k)
    if (!done[k]) todo.push_back(k);
  return true;
}

bool run_items(const Spec& spec, const RunItem& run, const RunSettings& s,
               std::vector<Figures>& items, std::string& why) {
  std::vector<std::size_t> todo;
  std::FILE* journal = nullptr;
  if (!open_journal(spec, s, items, todo, journal, why)) return false;
  std::atomic<std::size_t> next{0};
  int finished = 0;
  bool failed = false;
  std::mutex m;  // guards the journal, `finished`, `failed` and `why`
  const auto worker = [&] {
    for (std::size_t i = next++; i < todo.size(); i = next++) {
      const std::size_t k = todo[i];
      const int R = spec.replications;
      std::string w;
      Figures f;
      const bool ok = run(static_cast<int>(k) / R, static_cast<int>(k) % R, f, w);
      std::lock_guard<std::mutex> lock(m);
      if (failed) return;
      if (!ok) {
        failed = true;
        why = w;
        return;
      }
      std::fputs((journal_line(k, f) + "\n").c_str(), journal);
      std::fflush(journal);
      items[k] = std::move(f);
      if (s.stop_after > 0 && ++finished >= s.stop_after) std::_Exit(137);  // as if killed
    }
  };
  const int threads = std::max(1, std::min<int>(s.jobs, static_cast<int>(todo.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  std::fclose(journal);
  return !failed;
}

std::vector<VariantResult> compare(const Spec& spec, const std::vector<Figures>& items) {
  std::vector<VariantResult> out;
  const auto R = static_cast<std::size_t>(spec.replications);
  for (std::size_t v = 0; v < spec.variants.size(); ++v) {
    VariantResult vr;
    for (const auto& s : spec.variants[v].settings) vr.levels.push_back(s.value);
    const Figures& first = items[v * R];
    for (std::size_t k = 0; k < first.size(); ++k) {
      std::vector<double> x;
      for (std::size_t r = 0; r < R; ++r) x.push_back(items[v * R + r][k].second);
      vr.kpis.emplace_back(first[k].first, engine::estimate(x));
    }
    out.push_back(std::move(vr));
  }
  return out;
}

std::string sweep_json(const Spec& spec, const std::vector<VariantResult>& vs) {
  json variants = json::array();
  for (std::size_t v = 0; v < vs.size(); ++v) {
    json levels = json::object();
    for (std::size_t f = 0; f < spec.factors.size(); ++f)
      levels[spec.factors[f]] = vs[v].levels[f].empty() ? json(nullptr) : json(vs[v].levels[f]);
    json kpis = json::object();
    for (const auto& [name, e] : vs[v].kpis)
      kpis[name] = {{"mean", e.mean}, {"std", e.std}, {"ci95", e.ci95},
                    {"ci95_low", e.mean - e.ci95}, {"ci95_high", e.mean + e.ci95},
                    {"min", e.min}, {"max", e.max}};
    variants.push_back({{"variant", v}, {"factors", levels}, {"kpis", kpis}});
  }
  json seeds = json::array();
  for (int r = 0; r < spec.replications; ++r) seeds.push_back(spec.seed + static_cast<std::uint64_t>(r));
  json j{{"sweep", {{"file_hash", spec.hash},
                    {"model", spec.model},
                    {"days", spec.days},
                    {"warmup_days", spec.warmup_days},
                    {"replications", spec.replications},
                    {"seeds", seeds},
                    {"common_random_numbers",
                     "replication i of every variant uses seed base + i"},
                    {"factors", spec.factors}}},
         {"variants", variants}};
  return j.dump(2) + "\n";
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

std::string sweep_csv(const Spec& spec, const std::vector<VariantResult>& vs) {
  std::string out = "variant";
  for (const auto& f : spec.factors) {
    out += ',';
    out += csv_field(f);
  }
  if (!vs.empty())
    for (const auto& [name, e] : vs.front().kpis)
      out += fmt::format(",{0}.mean,{0}.std,{0}.ci95", csv_field(name));
  out += "\n";
  for (std::size_t v = 0; v < vs.size(); ++v) {
    out += std::to_string(v);
    for (const auto& l : vs[v].levels) {
      out += ',';
      out += csv_field(l);
    }
    for (const auto& [name, e] : vs[v].kpis)
      out += fmt::format(",{:.17g},{:.17g},{:.17g}", e.mean, e.std, e.ci95);
    out += "\n";
  }
  return out;
}

std::string sweep_table(const Spec& spec, const std::vector<VariantResult>& vs) {
  std::string out = fmt::format(
      "{} | {:g} days (warm-up {:g}) | {} variants x {} replications | common random numbers: "
      "replication i of every variant uses seed {}+i | mean ± 95 % CI half-width\n",
      spec.model, spec.days, spec.warmup_days, vs.size(), spec.replications, spec.seed);
  out += fmt::format("{:>3}", "#");
  for (const auto& f : spec.factors) out += fmt::format(" {:>16}", f);
  out += fmt::format(" {:>17} {:>17} {:>15} {:>15} {:>24}\n", "lots/day", "CT mean days",
                     "on-time %", "WIP lots", "busiest group util %");
  for (std::size_t v = 0; v < vs.size(); ++v) {
    out += fmt::format("{:>3}", v);
    for (const auto& l : vs[v].levels) out += fmt::format(" {:>16}", l.empty() ? "-" : l);
    const auto& k = vs[v].kpis;
    for (std::size_t i = 0; i < 4 && i < k.size(); ++i)
      out += i < 2 ? fmt::format(" {:>8.3f} ± {:<6.3f}", k[i].second.mean, k[i].second.ci95)
                   : fmt::format(" {:>6.1f} ± {:<6.1f}", k[i].second.mean, k[i].second.ci95);
    const std::pair<std::string, engine::Estimate>* top = nullptr;
    for (const auto& p : k)
      if (p.first.ends_with(".utilisation") && (!top || p.second.mean > top->second.mean)) top = &p;
    if (top)
      out += fmt::format(" {:>15} {:>5.1f}", top->first.substr(0, top->first.size() - 12),
                         100 * top->second.mean);
    out += "\n";
  }
  return out;
}

}  // namespace osatsim::sweep
