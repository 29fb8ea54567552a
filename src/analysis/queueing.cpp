#include "analysis/queueing.h"

#include <cmath>
#include <limits>

namespace osatsim::analysis::queueing {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

double wq_ggm(double ca2, double ce2, double u, int m, double te) {
  if (u <= 0.0 || te <= 0.0 || m <= 0) return 0.0;
  if (u >= 1.0) return kInf;
  const double md = static_cast<double>(m);
  const double expo = std::sqrt(2.0 * (md + 1.0)) - 1.0;
  return 0.5 * (ca2 + ce2) * std::pow(u, expo) / (md * (1.0 - u)) * te;
}

double erlang_c(double a, int m) {
  if (m <= 0) return 1.0;
  if (a >= m) return 1.0;
  // Erlang B by the stable recursion, then C = B / (1 - (a/m)(1 - B)).
  double b = 1.0;
  for (int k = 1; k <= m; ++k) b = a * b / (k + a * b);
  const double rho = a / m;
  return b / (1.0 - rho * (1.0 - b));
}

double wq_mmm_exact(double ra, double te, int m) {
  const double a = ra * te;
  if (a >= m) return kInf;
  if (a <= 0.0) return 0.0;
  return erlang_c(a, m) * te / (m - a);
}

EffectiveTime effective_time(double t0, double c02, double availability, double mr, double cr2) {
  EffectiveTime e;
  if (availability <= 0.0) return {kInf, kInf};
  e.te = t0 / availability;
  e.ce2 = c02;
  if (t0 > 0.0 && availability < 1.0 && mr > 0.0) {
    e.ce2 += (1.0 + cr2) * availability * (1.0 - availability) * mr / t0;
  }
  return e;
}

double departure_scv(double ca2, double ce2, double u, int m) {
  if (u >= 1.0) u = 1.0;
  const double u2 = u * u;
  return 1.0 + (1.0 - u2) * (ca2 - 1.0) + u2 * (ce2 - 1.0) / std::sqrt(std::max(1, m));
}

double split_scv(double c2, double p) {
  return p * c2 + 1.0 - p;
}

double superpose_scv(const std::vector<double>& rates, const std::vector<double>& scvs, double u) {
  double total = 0.0;
  for (double r : rates) total += r;
  if (total <= 0.0) return 1.0;
  double mix = 0.0, sq = 0.0;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    const double f = rates[i] / total;
    mix += f * scvs[i];
    sq += f * f;
  }
  const double nu = 1.0 / sq;
  const double uu = std::min(std::max(u, 0.0), 1.0);
  const double w = 1.0 / (1.0 + 4.0 * (1.0 - uu) * (1.0 - uu) * (nu - 1.0));
  return w * mix + 1.0 - w;
}

double wait_to_batch(double k, double ra) {
  if (k <= 1.0 || ra <= 0.0) return 0.0;
  return (k - 1.0) / (2.0 * ra);
}

double priority_wait(double wq, double u, double sigma_higher, double sigma_incl) {
  if (!std::isfinite(wq)) return wq;
  if (sigma_incl >= 1.0 || sigma_higher >= 1.0) return kInf;
  return wq * (1.0 - u) / ((1.0 - sigma_higher) * (1.0 - sigma_incl));
}

}  // namespace osatsim::analysis::queueing
