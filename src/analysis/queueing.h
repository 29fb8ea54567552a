#pragma once
// Closed-form queueing approximations used by the capacity analysis (docs/capacity.md §3).
// All times in one consistent unit (the analysis uses hours); rates per that unit.
#include <vector>

namespace osatsim::analysis::queueing {

// Sakasegawa (1977) / Hopp & Spearman (2008, eq. 8.10) approximation of the mean waiting time in
// queue of a G/G/m station ("Kingman for m servers"):
//   Wq = (ca2 + ce2) / 2 * u^(sqrt(2(m+1)) - 1) / (m (1 - u)) * te,   u = ra te / m.
// Returns +inf when u >= 1, 0 when u <= 0 or te <= 0.
double wq_ggm(double ca2, double ce2, double u, int m, double te);

// Exact mean waiting time in queue of M/M/m (Erlang C) for arrival rate `ra`, mean service `te`.
// +inf when ra te >= m. Used as a reference in tests and docs.
double wq_mmm_exact(double ra, double te, int m);
// Erlang C probability of waiting, P(W > 0), for offered load a = ra te on m servers (a < m).
double erlang_c(double a, int m);

// Effective process time with preemptive outages (Hopp & Spearman 2008, eqs. 8.4-8.6):
//   te = t0 / A,  ce2 = c02 + (1 + cr2) A (1 - A) mr / t0.
// t0, c02: natural process time and SCV; A availability in (0, 1]; mr, cr2: mean and SCV of the
// outage (repair) time.
struct EffectiveTime {
  double te = 0.0;
  double ce2 = 0.0;
};
EffectiveTime effective_time(double t0, double c02, double availability, double mr, double cr2);

// Linking equation for the departure SCV of a G/G/m station (Hopp & Spearman 2008, eq. 8.11;
// Whitt 1993): cd2 = 1 + (1 - u^2)(ca2 - 1) + u^2 (ce2 - 1) / sqrt(m).
double departure_scv(double ca2, double ce2, double u, int m);

// SCV of a Bernoulli thinning (random split with probability p) of a flow with SCV c2
// (Whitt 1983, QNA): p c2 + 1 - p.
double split_scv(double c2, double p);

// Superposition of flows (Whitt 1983, QNA hybrid approximation): for flows with rates lambda_i and
// SCVs c2_i into a station with utilisation u,
//   ca2 = w sum(lambda_i / lambda c2_i) + 1 - w,  w = 1 / (1 + 4 (1 - u)^2 (nu - 1)),
//   nu = 1 / sum (lambda_i / lambda)^2.
// `rates` and `scvs` have the same length; returns 1 when the total rate is 0.
double superpose_scv(const std::vector<double>& rates, const std::vector<double>& scvs, double u);

// Parallel batching (Hopp & Spearman 2008, §9.4): lots arriving at rate ra wait on average
// (k - 1) / (2 ra) for a batch of k lots to form.
double wait_to_batch(double k, double ra);

// Non-preemptive priority correction (Cobham 1954; Hopp & Spearman 2008, §9.x): given the FCFS
// waiting time wq at utilisation u, the wait of a class whose strictly-higher classes load the
// station by sigma_higher and whose own-or-higher classes load it by sigma_incl:
//   Wq_k = wq (1 - u) / ((1 - sigma_higher)(1 - sigma_incl)).
// The rate-weighted mean over classes with equal service times equals wq.
double priority_wait(double wq, double u, double sigma_higher, double sigma_incl);

}  // namespace osatsim::analysis::queueing
