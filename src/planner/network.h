#pragma once
// A planner network (docs/planner.md): line models, sites with line instances in place, under
// construction or as options, products, customers with monthly demand, demand scenarios,
// component supplies and a capex budget, over a horizon of calendar months.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "model/factory.h"

namespace osatsim::planner {

// A calendar month as year * 12 + (month - 1).
struct Month {
  int index = 0;
  int year() const { return index / 12; }
  int month() const { return index % 12 + 1; }
  std::string to_string() const;  // "2026-07"
};
// Parses "YYYY-MM"; false for anything else.
bool parse_month(std::string_view text, Month& out);

struct ToolTerms {
  bool buyable = false;
  double price = 0.0;      // US$ per tool
  int lead_months = 0;     // from order to service
  int max_per_month = -1;  // -1: no limit
};

struct LineModel {
  std::string name;
  std::string model;  // what was given (built-in name or path)
  std::shared_ptr<const model::Factory> factory;
  std::vector<ToolTerms> terms;  // per tool group of the factory
  double hours_per_month = 720.0;
  model::SourceRef src;
};

struct Product {
  std::string name;
  double margin = 0.0;  // US$ per good unit shipped
  model::SourceRef src;
};

struct DemandRow {
  int customer = -1;
  int product = -1;
  std::vector<double> units;  // good units per month of the horizon
  double penalty = 0.0;       // per unit lost, or per unit-month late with backlog
  bool backlog = false;
  double min_service = 0.0;
  model::SourceRef src;
};

struct Customer {
  std::string name;
  model::SourceRef src;
};

struct DemandScenario {
  std::string name;
  double probability = 1.0;
  double factor = 1.0;
  std::map<int, double> customer_factor;  // customer -> factor (on top of `factor`)
  model::SourceRef src;
};

struct ComponentSupply {
  std::string name;
  std::vector<double> supply;  // per month of the horizon
  double extra_price = -1.0;   // < 0: no extra purchase
  double extra_max = -1.0;     // per month; < 0: unlimited
  model::SourceRef src;
};

enum class LineStatus { InPlace, Construction, Option };
const char* to_string(LineStatus s);

struct Site {
  std::string name;
  std::string region;
  model::SourceRef src;
};

struct LineInstance {
  std::string name;
  int site = -1;
  int line = -1;
  LineStatus status = LineStatus::InPlace;
  std::vector<int> base_tools;  // per tool group of the line model
  int first_month = 0;          // construction: horizon index of first output (may be < 0)
  std::vector<double> ramp;     // share of nominal capacity per month from its first output
  double capex = 0.0;           // option
  int build_months = 0;         // option: from the decision to first output
  int earliest = 0;             // option: earliest decision month (horizon index)
  model::SourceRef src;
  // Share of the base tools' capacity in horizon month t given first output in month f.
  double ramp_at(int t, int f) const;
};

// Whole tools in service of a group with `base` tools at `share` of its ramp: rounded to the
// nearest, at least one while the share is positive (the plan and its line models agree).
int ramped_tools(int base, double share);

struct Network {
  std::string name;
  std::string source;
  Month start;
  int horizon = 0;
  double capital_rate = 0.10;
  double life_years = 7.0;
  double wip_cost = 0.0;             // US$ per wafer or unit waiting a month
  std::map<int, double> budget;      // calendar year -> capex
  std::vector<LineModel> lines;
  std::vector<Product> products;
  std::vector<Customer> customers;
  std::vector<DemandRow> demand;
  std::vector<DemandScenario> scenarios;
  std::vector<ComponentSupply> components;
  std::vector<Site> sites;
  std::vector<LineInstance> instances;

  Month month(int t) const { return Month{start.index + t}; }
  // Capital recovery factor per month: the monthly charge of one dollar of capex.
  double monthly_capital_charge() const;
  // Index of the product in the line model's factory, or kNone.
  model::ProductId line_product(int line, int product) const;
};

// Reads a network file (`.yaml`/`.yml`) or a built-in network by name. Every problem is added to
// `diags` as file:line:column: what; returns nullptr when there is any.
std::shared_ptr<const Network> load_network(const std::string& path, Diagnostics& diags);
std::shared_ptr<const Network> read_network_text(std::string_view text, const std::string& file,
                                                 const std::string& base_dir, Diagnostics& diags);

// Built-in networks (src/planner/networks/*.yaml, embedded at build time).
std::string_view builtin_network_text(std::string_view name);
std::vector<std::string> builtin_network_names();

}  // namespace osatsim::planner
