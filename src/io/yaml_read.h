#pragma once
// Checked reading of YAML documents, shared by the readers of scenarios (io/scenario*.cpp) and of
// planner networks (planner/network.cpp): maps whose keys are checked, scalars read with their
// range, and every problem reported as file:line:column: key: what.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "core/dist.h"
#include "core/text.h"
#include "core/time.h"
#include "io/scenario.h"
#include "model/factory.h"

namespace osatsim::io::yaml {

inline std::string trim(std::string_view s) { return std::string(core::trim(s)); }

// Parses a whole string as a finite double.
inline bool parse_number(std::string_view text, double& out) {
  const std::string s = trim(text);
  if (s.empty()) return false;
  for (char c : s) {
    // Reject hex floats, "nan", "inf" and YAML's .nan/.inf spellings.
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' ||
          c == 'e' || c == 'E' || c == '_'))
      return false;
  }
  std::string digits;
  for (char c : s) {
    if (c != '_') digits += c;
  }
  char* end = nullptr;
  const double v = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return false;
  if (!std::isfinite(v)) return false;
  out = v;
  return true;
}

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// " (did you mean 'x'?)" for the closest candidate within a small edit distance, else "".
template <typename Names>
std::string did_you_mean(std::string_view word, const Names& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::string_view cv(c);
    const std::size_t d = edit_distance(word, cv);
    if (d < best_d) {
      best_d = d;
      best = std::string(cv);
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

inline const char* node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "an undefined value";
  }
}

class Reader;

// A YAML map whose keys are checked against the allowed ones (unknown keys are errors).
class Map {
 public:
  Map(Reader& r, const YAML::Node& node, std::string path,
      std::initializer_list<std::string_view> allowed);
  bool ok() const { return ok_; }
  const YAML::Node* get(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.key == key) return &e.value;
    }
    return nullptr;
  }
  bool has(std::string_view key) const { return get(key) != nullptr; }
  std::string sub(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
  };
  std::vector<Entry> entries_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = false;
};

class Reader {
 public:
  Reader(std::string file, Diagnostics& d) : file_(std::move(file)), d_(d) {}

  void err(const YAML::Mark& m, const std::string& key, std::string msg) {
    const bool known = !m.is_null();
    d_.add(file_, known ? m.line + 1 : 0, known ? m.column + 1 : 0, key, std::move(msg));
  }
  void err(const YAML::Node& n, const std::string& key, std::string msg) {
    err(n.Mark(), key, std::move(msg));
  }
  std::size_t errors() const { return d_.size(); }
  const std::string& file() const { return file_; }
  model::SourceRef src(const YAML::Node& n) const {
    const auto m = n.Mark();
    return model::SourceRef{file_, m.is_null() ? 0 : m.line + 1};
  }

  // --- scalar readers: each reports its own problem and returns false on it ---
  bool scalar(const YAML::Node& v, const std::string& key, std::string& out) {
    if (!v.IsScalar()) {
      err(v, key, fmt::format("expected a value, got {}", node_kind(v)));
      return false;
    }
    out = v.Scalar();
    return true;
  }
  bool name(const YAML::Node& v, const std::string& key, std::string& out) {
    if (!scalar(v, key, out)) return false;
    if (trim(out).empty()) {
      err(v, key, "must not be empty");
      return false;
    }
    return true;
  }
  bool number(const YAML::Node& v, const std::string& key, double& out) {
    if (!v.IsScalar()) {
      err(v, key, fmt::format("expected a number, got {}", node_kind(v)));
      return false;
    }
    if (v.Tag() == "!" || !parse_number(v.Scalar(), out)) {
      err(v, key, fmt::format("expected a finite number, got '{}'", v.Scalar()));
      return false;
    }
    return true;
  }
  bool nonneg(const YAML::Node& v, const std::string& key, double& out) {
    if (!number(v, key, out)) return false;
    if (out < 0) {
      err(v, key, fmt::format("must be >= 0, got {}", v.Scalar()));
      return false;
    }
    return true;
  }
  bool probability(const YAML::Node& v, const std::string& key, double& out, bool open_zero) {
    if (!number(v, key, out)) return false;
    if (open_zero ? !(out > 0 && out <= 1) : !(out >= 0 && out <= 1)) {
      err(v, key,
          fmt::format("must lie in {}, got {}", open_zero ? "(0, 1]" : "[0, 1]", v.Scalar()));
      return false;
    }
    return true;
  }
  bool integer(const YAML::Node& v, const std::string& key, long long& out, long long min,
               long long max = 2'000'000'000LL) {
    double x = 0;
    if (!number(v, key, x)) return false;
    if (x != std::floor(x) || std::fabs(x) > 9e15) {
      err(v, key, fmt::format("expected a whole number, got '{}'", v.Scalar()));
      return false;
    }
    if (x < static_cast<double>(min) || x > static_cast<double>(max)) {
      err(v, key,
          max < 2'000'000'000LL && x > static_cast<double>(max)
              ? fmt::format("must lie in [{}, {}], got {}", min, max, v.Scalar())
              : fmt::format("must be >= {}, got {}", min, v.Scalar()));
      return false;
    }
    out = static_cast<long long>(x);
    return true;
  }
  bool integer(const YAML::Node& v, const std::string& key, int& out, long long min,
               long long max = 2'000'000'000LL) {
    long long x = 0;
    if (!integer(v, key, x, min, max)) return false;
    out = static_cast<int>(x);
    return true;
  }
  bool boolean(const YAML::Node& v, const std::string& key, bool& out) {
    std::string s;
    if (!v.IsScalar() || v.Tag() == "!") {
      err(v, key, "expected true or false");
      return false;
    }
    s = v.Scalar();
    if (s == "true" || s == "yes" || s == "on") {
      out = true;
    } else if (s == "false" || s == "no" || s == "off") {
      out = false;
    } else {
      err(v, key, fmt::format("expected true or false, got '{}'", s));
      return false;
    }
    return true;
  }
  bool duration(const YAML::Node& v, const std::string& key, Ticks& out) {
    double t = 0;
    if (!duration_ticks(v, key, t)) return false;
    out = round_ticks(t);
    return true;
  }
  bool duration_ticks(const YAML::Node& v, const std::string& key, double& out) {
    if (!v.IsScalar()) {
      err(v, key, fmt::format("expected a duration such as '12 min', got {}", node_kind(v)));
      return false;
    }
    if (!parse_duration(v.Scalar(), out)) {
      err(v, key,
          fmt::format("expected a duration >= 0 with its unit (ms, s, min, h, d, wk), e.g. "
                      "'12 min', got '{}'",
                      v.Scalar()));
      return false;
    }
    return true;
  }
  // A distribution of durations: a duration (constant) or a map {dist, mean, half_width | value}.
  bool dist(const YAML::Node& v, const std::string& key, Dist& out);

  // One of `words`; reports the allowed ones otherwise.
  template <typename T>
  bool word(const YAML::Node& v, const std::string& key,
            const std::vector<std::pair<std::string_view, T>>& words, T& out) {
    std::string s;
    if (!scalar(v, key, s)) return false;
    for (const auto& [w, val] : words) {
      if (s == w) {
        out = val;
        return true;
      }
    }
    std::vector<std::string> names;
    std::string list;
    for (const auto& [w, val] : words) {
      names.emplace_back(w);
      list += (list.empty() ? "" : ", ") + std::string(w);
    }
    err(v, key,
        fmt::format("unknown value '{}'; expected one of: {}{}", s, list, did_you_mean(s, names)));
    return false;
  }

  // A list node; reports and returns false otherwise.
  bool list(const YAML::Node& v, const std::string& key) {
    if (!v.IsSequence()) {
      err(v, key, fmt::format("expected a list, got {}", node_kind(v)));
      return false;
    }
    return true;
  }

 private:
  std::string file_;
  Diagnostics& d_;
};

inline Map::Map(Reader& r, const YAML::Node& node, std::string path,
                std::initializer_list<std::string_view> allowed)
    : node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    r.err(node, path_, fmt::format("expected a map of keys, got {}", node_kind(node)));
    return;
  }
  ok_ = true;
  for (const auto& kv : node) {
    const YAML::Node& k = kv.first;
    if (!k.IsScalar()) {
      r.err(k, path_, "keys must be plain words");
      continue;
    }
    const std::string key = k.Scalar();
    const std::string full = path_.empty() ? key : fmt::format("{}.{}", path_, key);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      r.err(k, full, fmt::format("unknown key{}", did_you_mean(key, allowed)));
      continue;
    }
    bool dup = false;
    for (const auto& e : entries_) dup = dup || e.key == key;
    if (dup) {
      r.err(k, full, "key given twice");
      continue;
    }
    entries_.push_back(Entry{key, kv.second});
  }
}


}  // namespace osatsim::io::yaml
