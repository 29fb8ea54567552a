#include "cli/model_options.h"
#include "core/text.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace osatsim::cli {

bool parse_pm_nesting(const std::string& word, const char* cmd, bool& override_it,
                      model::PmNesting& value) {
  override_it = word != "model";
  if (word == "model") return true;
  if (const auto v = parse_choice(model::kPmNestings, word)) {
    value = *v;
    return true;
  }
  std::fprintf(stderr, "%s: --pm-nesting: unknown value '%s' (model, %s)\n", cmd, word.c_str(),
               choice_list(model::kPmNestings).c_str());
  return false;
}

std::shared_ptr<const model::Factory> with_pm_nesting(std::shared_ptr<const model::Factory> f,
                                                      bool override_it, model::PmNesting value) {
  if (!f || !override_it || f->pm_nesting == value) return f;
  auto copy = std::make_shared<model::Factory>(*f);
  copy->pm_nesting = value;
  return copy;
}

namespace {

std::string trim(const std::string& s) { return std::string(core::trim(s)); }

// A whole finite number, or false.
bool parse_number(const std::string& text, double& v) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  char* end = nullptr;
  v = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(v);
}

}  // namespace

bool parse_what_if(const std::vector<std::string>& scales, const std::vector<std::string>& tools,
                   const char* cmd, model::WhatIf& w) {
  bool ok = true;
  const auto bad = [&](const char* option, const std::string& what) {
    std::fprintf(stderr, "%s: %s: %s\n", cmd, option, what.c_str());
    ok = false;
  };
  const std::string range = fmt::format("a finite number in [{:g}, {:g}]", model::kWhatIfMinScale,
                                        model::kWhatIfMaxScale);
  bool global_given = false;
  std::set<std::string> products, groups;
  for (const std::string& value : scales) {
    const auto eq = value.find('=');
    const std::string name = eq == std::string::npos ? std::string() : trim(value.substr(0, eq));
    const std::string number = trim(eq == std::string::npos ? value : value.substr(eq + 1));
    double f = 0;
    if (eq != std::string::npos && name.empty()) {
      bad("--scale", fmt::format("'{}': no product before '=' (allowed: F or PRODUCT=F)", value));
      continue;
    }
    if (!parse_number(number, f)) {
      bad("--scale",
          fmt::format("'{}': not a factor (allowed: F or PRODUCT=F, F {})", value, range));
      continue;
    }
    if (!(f >= model::kWhatIfMinScale && f <= model::kWhatIfMaxScale)) {
      bad("--scale", fmt::format("'{}': factor outside [{:g}, {:g}]", value, model::kWhatIfMinScale,
                                 model::kWhatIfMaxScale));
      continue;
    }
    if (name.empty()) {
      if (global_given) {
        bad("--scale", "the global factor F given twice (give one; PRODUCT=F for one product)");
        continue;
      }
      global_given = true;
      w.scale = f;
    } else {
      if (!products.insert(name).second) {
        bad("--scale", fmt::format("product '{}' given twice", name));
        continue;
      }
      w.product_scales.push_back({name, f});
    }
  }
  for (const std::string& value : tools) {
    const auto eq = value.find('=');
    if (eq == std::string::npos) {
      bad("--tools",
          fmt::format("'{}': missing '=' (allowed: GROUP=N sets, GROUP=+N adds)", value));
      continue;
    }
    const std::string name = trim(value.substr(0, eq));
    std::string count = trim(value.substr(eq + 1));
    if (name.empty()) {
      bad("--tools",
          fmt::format("'{}': no tool group before '=' (allowed: GROUP=N, GROUP=+N)", value));
      continue;
    }
    if (!count.empty() && count.front() == '-') {
      bad("--tools", fmt::format("'{}': negative count (allowed: GROUP=N sets, GROUP=+N adds, "
                                 "N in 0..{})",
                                 value, model::kWhatIfMaxTools));
      continue;
    }
    const bool add = !count.empty() && count.front() == '+';
    if (add) count.erase(0, 1);
    long long n = -1;
    const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (count.empty() || ec == std::errc::invalid_argument || end != count.data() + count.size()) {
      bad("--tools", fmt::format("'{}': not a whole number of tools (allowed: GROUP=N sets, "
                                 "GROUP=+N adds, N in 0..{})",
                                 value, model::kWhatIfMaxTools));
      continue;
    }
    if (ec == std::errc::result_out_of_range || n > model::kWhatIfMaxTools) {
      bad("--tools", fmt::format("'{}': more than {} tools", value, model::kWhatIfMaxTools));
      continue;
    }
    if (!groups.insert(name).second) {
      bad("--tools", fmt::format("tool group '{}' given twice", name));
      continue;
    }
    w.tools.push_back({name, add, static_cast<int>(n)});
  }
  return ok;
}

std::shared_ptr<const model::Factory> with_what_if(std::shared_ptr<const model::Factory> f,
                                                   const model::WhatIf& w, const char* cmd) {
  if (!f || !w.any()) return f;
  const auto problems = model::check(w, *f);
  for (const auto& p : problems)
    std::fprintf(stderr, "%s: %s: %s\n", cmd, p.tools ? "--tools" : "--scale", p.what.c_str());
  if (!problems.empty()) return nullptr;
  auto copy = std::make_shared<model::Factory>(model::apply(*f, w));
  // The edited model must still hold (e.g. a group set to 0 tools that a lot needs).
  const Diagnostics d = copy->validate();
  for (const auto& item : d.items())
    std::fprintf(stderr, "%s: %s: %s\n", cmd, w.tools.empty() ? "--scale" : "--tools",
                 item.message.c_str());
  if (!d.ok()) return nullptr;
  return copy;
}

}  // namespace osatsim::cli
