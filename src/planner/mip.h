#pragma once
// A small mixed-integer program and the one adapter to a solver (CoinOR CBC, mip_cbc.cpp).
// The planner builds a Mip (columns, rows, objective) and calls solve(); nothing else in the
// project includes a solver header, so another solver can replace CBC by replacing one file.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace osatsim::planner {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// A linear program with integer columns. Minimisation.
class Mip {
 public:
  // Adds a column (variable) and returns its index. `integer` makes it integral.
  int add_col(std::string name, double lo, double hi, double cost, bool integer = false);
  // Adds a row lo <= sum coef * x <= hi (use -kInf / kInf for one-sided rows) and returns its index.
  // Entries with the same column are summed; zero coefficients are dropped.
  int add_row(std::string name, const std::vector<std::pair<int, double>>& entries, double lo,
              double hi);
  // Adds to a row's coefficient of a column (for rows built in several passes).
  void add_coef(int row, int col, double coef);
  void set_cost(int col, double cost) { cols_[static_cast<std::size_t>(col)].cost = cost; }
  void set_bounds(int col, double lo, double hi);
  void set_row_bounds(int row, double lo, double hi);

  struct Col {
    std::string name;
    double lo = 0, hi = kInf, cost = 0;
    bool integer = false;
  };
  struct Row {
    std::string name;
    std::vector<std::pair<int, double>> entries;  // (column, coefficient), columns unique
    double lo = -kInf, hi = kInf;
  };
  const std::vector<Col>& cols() const { return cols_; }
  const std::vector<Row>& rows() const { return rows_; }
  int n_cols() const { return static_cast<int>(cols_.size()); }
  int n_rows() const { return static_cast<int>(rows_.size()); }

  // Objective value of a point (no feasibility check).
  double objective(const std::vector<double>& x) const;
  // Largest violation of a bound or row by x (0 = feasible), for checks and tests.
  double max_violation(const std::vector<double>& x) const;

 private:
  std::vector<Col> cols_;
  std::vector<Row> rows_;
};

struct SolveOptions {
  double time_limit_seconds = 60.0;  // wall clock, not CPU
  double relative_gap = 1e-4;        // stop when (best - bound) / |best| <= gap
  int threads = 1;                   // 1: deterministic
  bool log = false;                  // the solver's own log on stderr
  std::vector<double> start;         // optional start solution (size n_cols), e.g. when re-planning
  // Progress of the search (a progress display): the best objective found so far (+inf while
  // none) and the best bound, called from the solver's thread as they change; empty: none.
  std::function<void(double incumbent, double bound)> on_progress;
};

// The solver call's status, kept apart from what the plan means (DESIGN.md: call status vs model
// status).
enum class SolveStatus : std::uint8_t {
  Optimal,     // proven optimal within the relative gap
  Feasible,    // a solution, the time limit reached before the gap
  NoSolution,  // the time limit reached without a solution
  Infeasible,  // proven infeasible
  Unbounded,
  Error,       // the solver failed (message in SolveResult::message)
};
const char* to_string(SolveStatus s);

struct SolveResult {
  SolveStatus status = SolveStatus::Error;
  std::vector<double> x;          // best solution (empty without one)
  double objective = kInf;        // of x
  double bound = -kInf;           // best bound (minimisation)
  double gap = kInf;              // (objective - bound) / max(1e-9, |objective|)
  double seconds = 0;             // wall time of the call
  std::int64_t nodes = 0;         // branch-and-bound nodes
  std::string message;
};

// Solves the MIP with the solver's standard driver (cuts and heuristics on), a wall-clock limit,
// the relative gap and the thread count of `o`. Deterministic for threads == 1.
SolveResult solve(const Mip& m, const SolveOptions& o = {});

// The LP with every integer column fixed at its value in `x` (rounded), solved to optimality:
// row duals (shadow prices, d objective / d row bound, in the minimisation's sign) and the LP
// solution. Used for the value of one more tool-hour, component unit or budget dollar.
struct LpDuals {
  bool ok = false;
  std::vector<double> x;
  std::vector<double> row_dual;    // size n_rows
  std::vector<double> reduced_cost;  // size n_cols
  double objective = kInf;
  std::string message;
};
LpDuals fixed_lp_duals(const Mip& m, const std::vector<double>& x);

// The LP relaxation of a Mip kept loaded between solves: columns are fixed or freed and the LP
// re-solved from the last basis (dual simplex, warm-started). For rounding heuristics that try
// many first-stage decisions on one model.
class LpSession {
 public:
  explicit LpSession(const Mip& m, bool log = false);
  ~LpSession();
  LpSession(const LpSession&) = delete;
  LpSession& operator=(const LpSession&) = delete;
  // Solves (first call) or re-solves from the last basis within `seconds` of wall time; true
  // when proven optimal. With a finite `cutoff`, a re-solve stops early (false) once the dual
  // simplex's objective, a lower bound on the new optimum, passes the cutoff: a change that
  // cannot make the objective better than the cutoff is rejected without solving to the end.
  // The last optimal solution (x(), objective(), reduced_cost()) is kept then.
  bool solve(double seconds = 1e9, double cutoff = kInf);
  void set_bounds(int col, double lo, double hi);
  // The last optimal solution and its objective (minimisation).
  const std::vector<double>& x() const { return x_; }
  double objective() const { return objective_; }
  // Reduced costs of the last optimal solution (d objective / d column, the bound's dual for a
  // fixed column).
  const std::vector<double>& reduced_cost() const { return reduced_cost_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<double> x_, reduced_cost_;
  double objective_ = kInf;
  int n_ = 0;
};

}  // namespace osatsim::planner
