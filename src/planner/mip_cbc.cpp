// The one adapter to a solver: CoinOR CBC 2.10 (branch and cut) and CLP (LPs, fixed-integer
// duals). The only file of the project that includes CBC, CLP or OSI headers.
//
// Statuses (SolveStatus from CBC's state after CbcMain1):
//   isProvenOptimal() with a solution           -> Optimal (within -ratioGap)
//   a solution, stopped (time limit)            -> Feasible
//   isContinuousUnbounded() / secondaryStatus() 7 -> Unbounded (the LP relaxation is unbounded)
//   isProvenInfeasible()                        -> Infeasible; but past the time limit only when
//                                                  the LP relaxation is infeasible too, else
//                                                  NoSolution (CBC 2.10 may say "infeasible" when
//                                                  the limit stops its preprocessing)
//   no solution, stopped on time                -> NoSolution
//   anything else (abandoned, numerical trouble) -> Error
// A problem without integer columns is solved by CLP's simplex directly (exact LP statuses, the
// unbounded case included, no branch and bound), with the same wall-clock limit.
// Integer columns of a returned solution are rounded to exact integers (CBC's values are within its
// integer tolerance, 1e-6). With log == false nothing is printed; with log == true CBC's and
// CLP's message handlers write to stderr. CbcMain1 keeps some global state (its command reader),
// so solve() is not meant to be called from several threads at once.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <string>
#include <vector>

#include "planner/mip.h"

#include <CbcEventHandler.hpp>
#include <CbcModel.hpp>
#include <CbcSolver.hpp>
#include <ClpSimplex.hpp>
#include <CoinMessageHandler.hpp>
#include <CoinPackedMatrix.hpp>
#include <OsiClpSolverInterface.hpp>

namespace osatsim::planner {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Solver infinity for +-kInf (and anything beyond 1e30, which CLP treats as infinite anyway).
double to_solver(double v, double inf) {
  if (v >= 1e30) return inf;
  if (v <= -1e30) return -inf;
  return v;
}

// Loads the Mip into `solver` (column-major) and marks integer columns; `fix` (optional) fixes
// every integer column at round(fix[j]).
void load(const Mip& m, OsiClpSolverInterface& solver, const std::vector<double>* fix = nullptr) {
  const int nc = m.n_cols();
  const int nr = m.n_rows();
  const double inf = solver.getInfinity();
  std::vector<int> count(static_cast<std::size_t>(nc) + 1, 0);
  for (const auto& r : m.rows()) {
    for (const auto& e : r.entries) ++count[static_cast<std::size_t>(e.first) + 1];
  }
  std::vector<CoinBigIndex> start(static_cast<std::size_t>(nc) + 1, 0);
  for (int j = 0; j < nc; ++j) {
    start[static_cast<std::size_t>(j) + 1] =
        start[static_cast<std::size_t>(j)] + count[static_cast<std::size_t>(j) + 1];
  }
  std::vector<int> index(static_cast<std::size_t>(start.back()));
  std::vector<double> value(static_cast<std::size_t>(start.back()));
  std::vector<CoinBigIndex> next(start.begin(), start.end() - 1);
  for (int i = 0; i < nr; ++i) {
    for (const auto& [col, coef] : m.rows()[static_cast<std::size_t>(i)].entries) {
      const auto k = static_cast<std::size_t>(next[static_cast<std::size_t>(col)]++);
      index[k] = i;
      value[k] = coef;
    }
  }
  std::vector<double> collb(static_cast<std::size_t>(nc)), colub(static_cast<std::size_t>(nc)),
      obj(static_cast<std::size_t>(nc)), rowlb(static_cast<std::size_t>(nr)),
      rowub(static_cast<std::size_t>(nr));
  for (int j = 0; j < nc; ++j) {
    const auto& c = m.cols()[static_cast<std::size_t>(j)];
    const auto u = static_cast<std::size_t>(j);
    collb[u] = to_solver(c.lo, inf);
    colub[u] = to_solver(c.hi, inf);
    obj[u] = c.cost;
    if (fix != nullptr && c.integer) {
      const double v = std::round((*fix)[u]);
      collb[u] = v;
      colub[u] = v;
    }
  }
  for (int i = 0; i < nr; ++i) {
    const auto& r = m.rows()[static_cast<std::size_t>(i)];
    rowlb[static_cast<std::size_t>(i)] = to_solver(r.lo, inf);
    rowub[static_cast<std::size_t>(i)] = to_solver(r.hi, inf);
  }
  CoinPackedMatrix matrix(true, nr, nc, start.back(), value.data(), index.data(), start.data(),
                          nullptr);
  solver.loadProblem(matrix, collb.data(), colub.data(), obj.data(), rowlb.data(), rowub.data());
  solver.setObjSense(1.0);
  if (fix == nullptr) {
    for (int j = 0; j < nc; ++j) {
      if (m.cols()[static_cast<std::size_t>(j)].integer) solver.setInteger(j);
    }
  }
}

// Silences (log == false) or routes to stderr (log == true) the solver's message handler and
// CLP's own log.
void set_logging(OsiClpSolverInterface& solver, CoinMessageHandler& handler, bool log) {
  handler.setFilePointer(stderr);
  handler.setLogLevel(log ? 1 : 0);
  solver.passInMessageHandler(&handler);
  solver.getModelPtr()->passInMessageHandler(&handler);
  solver.getModelPtr()->setLogLevel(log ? 1 : 0);
  solver.messageHandler()->setLogLevel(log ? 1 : 0);
}

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void fill_gap(SolveResult& r) {
  if (r.x.empty() || !std::isfinite(r.objective) || !std::isfinite(r.bound)) return;
  r.gap = std::max(0.0, (r.objective - r.bound) / std::max(1e-9, std::abs(r.objective)));
}

// No columns: feasible iff every row admits activity 0.
SolveResult solve_empty(const Mip& m) {
  SolveResult r;
  for (const auto& row : m.rows()) {
    if (row.lo > 0 || row.hi < 0) {
      r.status = SolveStatus::Infeasible;
      return r;
    }
  }
  r.status = SolveStatus::Optimal;
  r.objective = r.bound = r.gap = 0;
  return r;
}

// A problem without integer columns: CLP's simplex.
SolveResult solve_lp(const Mip& m, const SolveOptions& o) {
  SolveResult r;
  CoinMessageHandler handler;  // outlives the solver that points to it
  OsiClpSolverInterface solver;
  set_logging(solver, handler, o.log);
  load(m, solver);
  solver.getModelPtr()->setMaximumWallSeconds(o.time_limit_seconds);
  solver.initialSolve();
  if (solver.isProvenOptimal()) {
    r.status = SolveStatus::Optimal;
    const double* x = solver.getColSolution();
    r.x.assign(x, x + m.n_cols());
    r.objective = m.objective(r.x);
    r.bound = solver.getObjValue();
    fill_gap(r);
  } else if (solver.isProvenPrimalInfeasible()) {
    r.status = SolveStatus::Infeasible;
  } else if (solver.isProvenDualInfeasible()) {
    r.status = SolveStatus::Unbounded;
  } else if (solver.isIterationLimitReached() || solver.getModelPtr()->hitMaximumIterations()) {
    r.status = SolveStatus::NoSolution;
    r.message = "the LP stopped on the time limit";
  } else {
    r.status = SolveStatus::Error;
    r.message = "the LP solver stopped (status " +
                std::to_string(solver.getModelPtr()->status()) + ")";
  }
  return r;
}

// Whether the LP relaxation of m is proven infeasible (CLP, no time limit: it is an LP).
bool relaxation_infeasible(const Mip& m) {
  CoinMessageHandler handler;
  OsiClpSolverInterface solver;
  set_logging(solver, handler, false);
  load(m, solver);
  for (int j = 0; j < m.n_cols(); ++j) solver.setContinuous(j);
  solver.initialSolve();
  return solver.isProvenPrimalInfeasible();
}

int no_callback(CbcModel* /*model*/, int /*where_from*/) { return 0; }

// Reports the search's incumbent and bound (SolveOptions::on_progress) at CBC's events. CBC
// clones it into the model it searches with, so it holds the callback by pointer.
class ProgressEvents : public CbcEventHandler {
 public:
  explicit ProgressEvents(const std::function<void(double, double)>* fn) : fn_(fn) {}
  CbcAction event(CbcEvent e) override {
    if (e == node || e == solution || e == heuristicSolution || e == endSearch) {
      const double inc = model_->bestSolution() != nullptr ? model_->getMinimizationObjValue()
                                                           : std::numeric_limits<double>::infinity();
      (*fn_)(inc, model_->getBestPossibleObjValue());
    }
    return noAction;
  }
  CbcEventHandler* clone() const override { return new ProgressEvents(*this); }

 private:
  const std::function<void(double, double)>* fn_;
};

SolveResult solve_mip(const Mip& m, const SolveOptions& o, Clock::time_point t0) {
  SolveResult r;
  // The handlers outlive the solvers and the model that point to them.
  CoinMessageHandler solver_handler;
  CoinMessageHandler model_handler;
  CoinMessageHandler model_solver_handler;
  OsiClpSolverInterface solver;
  set_logging(solver, solver_handler, o.log);
  load(m, solver);

  CbcModel model(solver);  // clones the solver
  CbcSolverUsefulData data;
  CbcMain0(model, data);  // the driver's defaults (cuts, heuristics, preprocessing)
  data.noPrinting_ = !o.log;
  data.useSignalHandler_ = false;
  // CbcMain0 sets log levels to 1; set them after it.
  model_handler.setFilePointer(stderr);
  model_handler.setLogLevel(o.log ? 1 : 0);
  model.passInMessageHandler(&model_handler);
  model.setLogLevel(o.log ? 1 : 0);
  auto* clp = dynamic_cast<OsiClpSolverInterface*>(model.solver());
  model_solver_handler.setFilePointer(stderr);
  model_solver_handler.setLogLevel(o.log ? 1 : 0);
  if (clp != nullptr) {
    clp->passInMessageHandler(&model_solver_handler);
    clp->getModelPtr()->passInMessageHandler(&model_solver_handler);
    clp->getModelPtr()->setLogLevel(o.log ? 1 : 0);
  }
  model.solver()->messageHandler()->setLogLevel(o.log ? 1 : 0);
  if (o.on_progress) {
    ProgressEvents events(&o.on_progress);
    model.passInEventHandler(&events);  // cloned
  }

  if (!o.start.empty()) {
    // The driver reads a start by column name (CbcModel::setMIPStart); the names are CLP's default
    // ones of this solver, so they match whatever the Mip's names are.
    std::vector<std::pair<std::string, double>> start;
    const std::size_t n = std::min(o.start.size(), static_cast<std::size_t>(m.n_cols()));
    start.reserve(n);
    for (std::size_t j = 0; j < n; ++j) {
      start.emplace_back(model.solver()->getColName(static_cast<int>(j)), o.start[j]);
    }
    model.setMIPStart(start);
  }

  const std::string seconds = format_number(std::max(0.0, o.time_limit_seconds));
  const std::string gap = format_number(std::max(0.0, o.relative_gap));
  const std::string threads = std::to_string(o.threads);
  std::vector<const char*> argv = {"osatsim", "-seconds", seconds.c_str(), "-ratioGap",
                                   gap.c_str(), "-timeMode", "elapsed", "-log",
                                   o.log ? "1" : "0"};
  // "-threads 0" (the default) is CBC's serial, deterministic search; more threads are asked for
  // only when wanted.
  if (o.threads > 1) {
    argv.push_back("-threads");
    argv.push_back(threads.c_str());
  }
  // With a start, CBC 2.10's preprocessing drops the start's solution after a time-limit stop
  // and its postProcess step may crash (seen on the built-in network); the start is kept
  // without it.
  if (!o.start.empty()) {
    argv.push_back("-preprocess");
    argv.push_back("off");
  }
  argv.push_back("-solve");
  argv.push_back("-quit");
  const int rc =
      CbcMain1(static_cast<int>(argv.size()), argv.data(), model, no_callback, data);

  r.nodes = model.getNodeCount();
  const bool has_solution = model.bestSolution() != nullptr;
  if (has_solution) {
    const double* x = model.bestSolution();
    r.x.assign(x, x + m.n_cols());
    // Integers exactly integral: CBC's values are within its integer tolerance.
    for (int j = 0; j < m.n_cols(); ++j) {
      if (m.cols()[static_cast<std::size_t>(j)].integer) {
        r.x[static_cast<std::size_t>(j)] = std::round(r.x[static_cast<std::size_t>(j)]);
      }
    }
    r.objective = m.objective(r.x);
  }
  const double bound = model.getBestPossibleObjValue();
  if (std::abs(bound) < 1e50) r.bound = bound;

  if (model.isProvenOptimal() && has_solution) {
    r.status = SolveStatus::Optimal;
    if (!std::isfinite(r.bound) || r.bound > r.objective) r.bound = r.objective;
  } else if (model.isContinuousUnbounded() || model.secondaryStatus() == 7) {
    r.status = SolveStatus::Unbounded;
  } else if (model.isProvenInfeasible()) {
    r.status = SolveStatus::Infeasible;
    // CBC 2.10 can report "infeasible" (status 0, secondary 1) when the time limit cuts its
    // preprocessing short. Past the limit, infeasibility is only believed when the LP relaxation
    // proves it; otherwise the call ran out of time without a solution.
    if (seconds_since(t0) >= o.time_limit_seconds && !relaxation_infeasible(m)) {
      r.status = SolveStatus::NoSolution;
      r.message = "the time limit was reached without a solution (CBC reported infeasible, the "
                  "LP relaxation is feasible)";
    }
  } else if (has_solution) {
    r.status = SolveStatus::Feasible;
  } else if (model.isSecondsLimitReached() || model.secondaryStatus() == 4 ||
             model.status() == 1) {
    r.status = SolveStatus::NoSolution;
  } else {
    r.status = SolveStatus::Error;
    r.message = "CBC stopped without a result (CbcMain1 returned " + std::to_string(rc) +
                ", status " + std::to_string(model.status()) + ", secondary status " +
                std::to_string(model.secondaryStatus()) + ")";
  }
  if (r.status != SolveStatus::Optimal && r.message.empty()) {
    r.message = "CBC status " + std::to_string(model.status()) + ", secondary status " +
                std::to_string(model.secondaryStatus());
  }
  if (r.status == SolveStatus::Unbounded || r.status == SolveStatus::Infeasible) {
    r.x.clear();
    r.objective = kInf;
    r.bound = r.status == SolveStatus::Infeasible ? kInf : -kInf;
  }
  fill_gap(r);
  return r;
}

}  // namespace

SolveResult solve(const Mip& m, const SolveOptions& o) {
  const auto t0 = Clock::now();
  SolveResult r;
  try {
    if (m.n_cols() == 0) {
      r = solve_empty(m);
    } else if (std::none_of(m.cols().begin(), m.cols().end(),
                            [](const Mip::Col& c) { return c.integer; })) {
      r = solve_lp(m, o);
    } else {
      r = solve_mip(m, o, t0);
    }
  } catch (const CoinError& e) {
    r = SolveResult{};
    r.status = SolveStatus::Error;
    r.message = "CBC: " + e.message() + " (" + e.methodName() + ")";
  }
  r.seconds = seconds_since(t0);
  return r;
}

LpDuals fixed_lp_duals(const Mip& m, const std::vector<double>& x) {
  LpDuals d;
  if (x.size() != static_cast<std::size_t>(m.n_cols())) {
    d.message = "fixed_lp_duals: x has " + std::to_string(x.size()) + " values for " +
                std::to_string(m.n_cols()) + " columns";
    return d;
  }
  try {
    CoinMessageHandler handler;
    OsiClpSolverInterface solver;
    set_logging(solver, handler, false);
    load(m, solver, &x);
    solver.initialSolve();
    if (!solver.isProvenOptimal()) {
      d.message = solver.isProvenPrimalInfeasible()
                      ? "the LP with the integer columns fixed is infeasible"
                  : solver.isProvenDualInfeasible()
                      ? "the LP with the integer columns fixed is unbounded"
                      : "the LP with the integer columns fixed was not solved to optimality";
      return d;
    }
    const int nc = m.n_cols();
    const int nr = m.n_rows();
    const double* sol = solver.getColSolution();
    const double* rc = solver.getReducedCost();
    const double* duals = solver.getRowPrice();
    d.x.assign(sol, sol + nc);
    d.reduced_cost.assign(rc, rc + nc);
    d.row_dual.assign(duals, duals + nr);
    d.objective = solver.getObjValue();
    d.ok = true;
  } catch (const CoinError& e) {
    d.message = "CLP: " + e.message() + " (" + e.methodName() + ")";
  }
  return d;
}

struct LpSession::Impl {
  CoinMessageHandler handler;  // outlives the solver that points to it
  OsiClpSolverInterface solver;
  bool solved = false;
};

LpSession::LpSession(const Mip& m, bool log) : impl_(std::make_unique<Impl>()), n_(m.n_cols()) {
  set_logging(impl_->solver, impl_->handler, log);
  load(m, impl_->solver);
  for (int j = 0; j < n_; ++j) impl_->solver.setContinuous(j);
}

LpSession::~LpSession() = default;

void LpSession::set_bounds(int col, double lo, double hi) {
  const double inf = impl_->solver.getInfinity();
  impl_->solver.setColBounds(col, to_solver(lo, inf), to_solver(hi, inf));
}

bool LpSession::solve(double seconds, double cutoff) {
  try {
    impl_->solver.getModelPtr()->setMaximumWallSeconds(seconds);
    // The dual simplex stops once its objective (dual feasible: a lower bound on the optimum)
    // passes the limit; CLP's own default is no limit.
    impl_->solver.setDblParam(OsiDualObjectiveLimit, std::isfinite(cutoff) ? cutoff : COIN_DBL_MAX);
    if (impl_->solved) {
      impl_->solver.resolve();
    } else {
      impl_->solver.initialSolve();
      impl_->solved = true;
    }
  } catch (const CoinError&) {
    return false;
  }
  if (!impl_->solver.isProvenOptimal()) return false;
  const double* x = impl_->solver.getColSolution();
  x_.assign(x, x + n_);
  const double* rc = impl_->solver.getReducedCost();
  reduced_cost_.assign(rc, rc + n_);
  objective_ = impl_->solver.getObjValue();
  return true;
}

}  // namespace osatsim::planner
