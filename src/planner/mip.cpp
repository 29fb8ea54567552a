// The solver-independent half of the MIP: building it, evaluating a point, status names.
#include "planner/mip.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace osatsim::planner {

namespace {

void check_col(const std::vector<Mip::Col>& cols, int col) {
  if (col < 0 || static_cast<std::size_t>(col) >= cols.size()) {
    throw std::out_of_range("Mip: column index out of range");
  }
}

// Adds coef to the entry of `col` in `entries` (keeping columns unique, dropping zeros).
void accumulate(std::vector<std::pair<int, double>>& entries, int col, double coef) {
  auto it = std::find_if(entries.begin(), entries.end(),
                         [col](const auto& e) { return e.first == col; });
  if (it == entries.end()) {
    if (coef != 0.0) entries.emplace_back(col, coef);
    return;
  }
  it->second += coef;
  if (it->second == 0.0) entries.erase(it);
}

}  // namespace

int Mip::add_col(std::string name, double lo, double hi, double cost, bool integer) {
  cols_.push_back(Col{std::move(name), lo, hi, cost, integer});
  return n_cols() - 1;
}

int Mip::add_row(std::string name, const std::vector<std::pair<int, double>>& entries, double lo,
                 double hi) {
  Row row{std::move(name), {}, lo, hi};
  row.entries.reserve(entries.size());
  for (const auto& [col, coef] : entries) {
    check_col(cols_, col);
    accumulate(row.entries, col, coef);
  }
  rows_.push_back(std::move(row));
  return n_rows() - 1;
}

void Mip::add_coef(int row, int col, double coef) {
  if (row < 0 || row >= n_rows()) throw std::out_of_range("Mip: row index out of range");
  check_col(cols_, col);
  accumulate(rows_[static_cast<std::size_t>(row)].entries, col, coef);
}

void Mip::set_bounds(int col, double lo, double hi) {
  check_col(cols_, col);
  auto& c = cols_[static_cast<std::size_t>(col)];
  c.lo = lo;
  c.hi = hi;
}

void Mip::set_row_bounds(int row, double lo, double hi) {
  if (row < 0 || row >= n_rows()) throw std::out_of_range("Mip: row index out of range");
  auto& r = rows_[static_cast<std::size_t>(row)];
  r.lo = lo;
  r.hi = hi;
}

double Mip::objective(const std::vector<double>& x) const {
  double obj = 0;
  const std::size_t n = std::min(x.size(), cols_.size());
  for (std::size_t j = 0; j < n; ++j) obj += cols_[j].cost * x[j];
  return obj;
}

double Mip::max_violation(const std::vector<double>& x) const {
  if (x.size() != cols_.size()) return kInf;
  double worst = 0;
  for (std::size_t j = 0; j < cols_.size(); ++j) {
    const auto& c = cols_[j];
    const double v = x[j];
    if (!std::isfinite(v)) return kInf;
    worst = std::max({worst, c.lo - v, v - c.hi});
    if (c.integer) worst = std::max(worst, std::abs(v - std::round(v)));
  }
  for (const auto& r : rows_) {
    double activity = 0;
    for (const auto& [col, coef] : r.entries) activity += coef * x[static_cast<std::size_t>(col)];
    worst = std::max({worst, r.lo - activity, activity - r.hi});
  }
  return worst;
}

const char* to_string(SolveStatus s) {
  switch (s) {
    case SolveStatus::Optimal: return "optimal";
    case SolveStatus::Feasible: return "feasible";
    case SolveStatus::NoSolution: return "no-solution";
    case SolveStatus::Infeasible: return "infeasible";
    case SolveStatus::Unbounded: return "unbounded";
    case SolveStatus::Error: return "error";
  }
  return "unknown";
}

}  // namespace osatsim::planner
