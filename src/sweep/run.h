#pragma once
// The work of a sweep: (variant, replication) items, run on threads or handed out by a
// coordinator, each item's figures journalled so that an interrupted sweep resumes where it
// stopped, and the variants compared (means, standard deviations, 95 % confidence intervals).
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/replications.h"
#include "sweep/spec.h"

namespace osatsim::sweep {

// The figures of one work item, named ("all.throughput_per_day", "LOTTYPE.ct_mean_days",
// "GROUP.utilisation", ...), in a fixed order for a given model.
using Figures = std::vector<std::pair<std::string, double>>;
Figures figures_of(const engine::Results& r);

// Runs item (variant, replication); returns false with the reason when the run failed.
using RunItem = std::function<bool(int variant, int replication, Figures& out, std::string& why)>;

struct RunSettings {
  int jobs = 1;
  std::string journal;  // path of the journal (one JSON line per finished item)
  bool resume = false;
  int stop_after = 0;   // > 0: stop the process (as a kill would) after this many new items
};

// Item k is variant k / R, replication k % R. Returns the figures of every item, in item order,
// or false with the reason (a failed run, an unreadable or foreign journal).
bool run_items(const Spec& spec, const RunItem& run, const RunSettings& settings,
               std::vector<Figures>& items, std::string& why);

// Journal lines (JSON): the header names the sweep file's hash; each item line its index and
// figures (doubles written so that they read back exactly).
std::string journal_header(const Spec& spec);
std::string journal_line(std::size_t item, const Figures& f);
// Loads the finished items of `path` into `items` (sized spec.variants * replications).
bool load_journal(const std::string& path, const Spec& spec, std::vector<Figures>& items,
                  std::vector<bool>& done, std::string& why);

// One item line of the journal (as journal_line writes it); false for anything else.
bool parse_journal_line(const std::string& line, std::size_t& item, Figures& f);
// Sizes `items`, loads the finished ones when resuming, opens the journal for appending (a fresh
// one with its header otherwise) and lists the items still to run.
bool open_journal(const Spec& spec, const RunSettings& s, std::vector<Figures>& items,
                  std::vector<std::size_t>& todo, std::FILE*& journal, std::string& why);

struct VariantResult {
  std::vector<std::string> levels;  // per factor ("" = the base model's)
  std::vector<std::pair<std::string, engine::Estimate>> kpis;
};
std::vector<VariantResult> compare(const Spec& spec, const std::vector<Figures>& items);

std::string sweep_json(const Spec& spec, const std::vector<VariantResult>& v);
std::string sweep_csv(const Spec& spec, const std::vector<VariantResult>& v);
std::string sweep_table(const Spec& spec, const std::vector<VariantResult>& v);

}  // namespace osatsim::sweep
