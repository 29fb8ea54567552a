#include "model/flow.h"

#include <algorithm>
#include <cmath>

namespace osatsim::model {
namespace {

// Probabilities of Binomial(n, p) on [lo, lo + size): the range holding all but ~1e-15 of the
// mass (the whole support for small n).
struct Pmf {
  std::int64_t lo = 0;
  std::vector<double> p;
};

Pmf binomial_pmf(std::int64_t n, double p) {
  Pmf out;
  if (n <= 0 || p <= 0.0) {
    out.p = {1.0};
    return out;
  }
  if (p >= 1.0) {
    out.lo = n;
    out.p = {1.0};
    return out;
  }
  const double mean = static_cast<double>(n) * p;
  const double sd = std::sqrt(mean * (1.0 - p));
  const auto lo = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(mean - 12 * sd - 2)));
  const auto hi = std::min<std::int64_t>(n, static_cast<std::int64_t>(std::ceil(mean + 12 * sd + 2)));
  out.lo = lo;
  out.p.resize(static_cast<std::size_t>(hi - lo + 1));
  const double lp = std::log(p), lq = std::log1p(-p);
  const double lnf = std::lgamma(static_cast<double>(n) + 1.0);
  double sum = 0.0;
  for (std::int64_t k = lo; k <= hi; ++k) {
    const double kk = static_cast<double>(k);
    const double v = std::exp(lnf - std::lgamma(kk + 1.0) -
                              std::lgamma(static_cast<double>(n) - kk + 1.0) + kk * lp +
                              (static_cast<double>(n) - kk) * lq);
    out.p[static_cast<std::size_t>(k - lo)] = v;
    sum += v;
  }
  if (sum > 0)
    for (double& v : out.p) v /= sum;
  return out;
}

// Expected survival factor of one piece over a step passed a geometric number of times with mean
// `passes` (>= 1), each pass performed with probability `sample` and keeping the piece with
// probability `yield`.
double survival(double sample, double yield, double passes) {
  const double a = 1.0 - sample * (1.0 - yield);
  if (passes <= 1.0 + 1e-12) return a;
  const double q = 1.0 - 1.0 / passes;  // probability of one more pass
  return (1.0 - q) * a / (1.0 - q * a);
}

// Lots and units per lot after a transform of a lot of (random) Binomial(w0, wafer_survival)
// wafers into Binomial(wafers x sites, site_yield) units, split into the fewest lots of at most
// `cap` units (0: no split). Returns {expected lots (0 when no unit survives), expected units}.
std::pair<double, double> transform_split(double w0, double wafer_survival, int sites,
                                          double site_yield, int cap) {
  const auto n0 = static_cast<std::int64_t>(std::llround(w0));
  const Pmf wafers = binomial_pmf(n0, wafer_survival);
  double lots = 0.0, units = 0.0;
  for (std::size_t i = 0; i < wafers.p.size(); ++i) {
    const double pw = wafers.p[i];
    if (pw < 1e-15) continue;
    const std::int64_t w = wafers.lo + static_cast<std::int64_t>(i);
    const std::int64_t n = w * std::max(sites, 0);
    const Pmf u = binomial_pmf(n, site_yield);
    for (std::size_t j = 0; j < u.p.size(); ++j) {
      const std::int64_t k = u.lo + static_cast<std::int64_t>(j);
      if (k <= 0) continue;
      const double pk = pw * u.p[j];
      const std::int64_t children = cap > 0 && k > cap ? (k + cap - 1) / cap : 1;
      lots += pk * static_cast<double>(children);
      units += pk * static_cast<double>(k);
    }
  }
  return {lots, units};
}

}  // namespace

StreamFlow route_flow(const Factory& f, const Route& route, const Product& p, double lot_size) {
  StreamFlow out;
  out.starts_as_units = p.starts_as_units;
  out.wafers_per_lot = p.starts_as_units ? 0.0 : lot_size;
  out.units_per_lot = p.starts_as_units ? lot_size : 0.0;
  const std::vector<double> passes = rework_passes(route);
  double lots = 1.0;
  double wafers = out.wafers_per_lot, units = out.units_per_lot;
  bool in_units = p.starts_as_units;
  double wafer_survival = 1.0;  // of a released wafer up to here (wafer stage)
  out.steps.reserve(route.steps.size());
  for (std::size_t j = 0; j < route.steps.size(); ++j) {
    const Step& s = route.steps[j];
    StepFlow sf;
    sf.lots = lots;
    sf.visits = passes[j] * s.sample_probability;
    sf.load_visits = sf.lots * sf.visits;
    sf.in_units = in_units;
    sf.wafers = wafers;
    sf.units = units;
    sf.quantity = basis_quantity(s.basis, wafers, units, in_units, p, s.die_component);
    sf.lot_time = mean_lot_time(f, s, wafers, units, in_units, p);
    sf.pm_pieces = wafers;
    for (const auto& k : s.kit)
      sf.kit.emplace_back(k.component,
                          k.quantity * basis_quantity(k.basis, wafers, units, in_units, p,
                                                      k.component));
    out.raw_process += sf.lot_time;
    out.raw_process_sampled += sf.lot_time * s.sample_probability;
    out.steps.push_back(std::move(sf));

    // After the step: yield on the pieces, then the transform (and split) of a wafer lot.
    const double a = survival(s.sample_probability, s.yield, passes[j]);
    if (in_units) {
      const double before = units;
      units *= a;
      // A lot whose every unit is scrapped leaves the line; the lots that stay hold the good
      // units (E[U | U > 0]), so that lots x units keeps the expected good units.
      if (a < 1.0 && before > 0) {
        const double stays = 1.0 - std::pow(1.0 - a, before);
        lots *= stays;
        if (stays > 0) units /= stays;
      }
    } else {
      wafers *= a;
      wafer_survival *= a;
    }
    if (s.transform_to_units && !in_units) {
      in_units = true;
      const double released = out.wafers_per_lot;
      const auto [child_lots, total_units] =
          transform_split(released, std::clamp(wafer_survival, 0.0, 1.0), p.sites_per_wafer,
                          p.site_yield, s.split_units);
      // Wafer lots scrapped before the transform are in child_lots (0 children).
      lots = child_lots;
      units = child_lots > 0 ? total_units / child_lots : 0.0;
    }
  }
  out.lots_out = lots;
  if (in_units)
    out.units_out = lots * units;
  else
    out.wafers_out = lots * wafers;
  return out;
}

double mean_lot_time(const Factory& f, const Step& s, double wafers, double units, bool is_units,
                     const Product& product) {
  const auto& g = f.tool_groups[s.tool_group];
  double over = static_cast<double>(s.overhead);
  if (s.overhead_per_wafer) over *= is_units ? units : wafers;
  double t = static_cast<double>(g.load_time + g.unload_time) + over;
  if (g.capacity > 1 && s.cascade_basis == CascadeBasis::PerWafer) {
    t += s.time.expected() + (wafers - 1) * static_cast<double>(s.cascade_interval);
  } else if (g.capacity > 1 && s.cascade_basis == CascadeBasis::PerLot) {
    t += s.time.expected();
  } else {
    t += s.time.expected() *
         basis_quantity(s.basis, wafers, units, is_units, product, s.die_component);
  }
  return t;
}

Ticks setup_change_time(const Factory& f, SetupId from, SetupId to) {
  if (to == kNone || to == from) return 0;
  const SetupChange* any = nullptr;
  for (const auto& c : f.setup_changes) {
    if (c.to != to) continue;
    if (from != kNone && c.from == from) return c.time;
    if (c.from == kNone && any == nullptr) any = &c;
  }
  return any ? any->time : 0;
}

std::vector<Ticks> setup_change_matrix(const Factory& f) {
  const std::size_t n = f.setups.size();
  std::vector<Ticks> m((n + 1) * std::max<std::size_t>(n, 1), 0);
  for (std::size_t from = 0; from <= n; ++from)
    for (std::size_t to = 0; to < n; ++to)
      m[from * n + to] = setup_change_time(f, static_cast<SetupId>(from) - 1,
                                           static_cast<SetupId>(to));
  return m;
}

std::vector<std::int32_t> transport_lane_matrix(const Factory& f) {
  const std::size_t n = f.locations.size();
  std::vector<std::int32_t> m(n * n, -1);
  for (std::size_t i = f.transport.size(); i-- > 0;) {
    const auto& ln = f.transport[i];
    if (ln.from >= 0 && ln.to >= 0 && static_cast<std::size_t>(ln.from) < n &&
        static_cast<std::size_t>(ln.to) < n)
      m[static_cast<std::size_t>(ln.from) * n + static_cast<std::size_t>(ln.to)] =
          static_cast<std::int32_t>(i);
  }
  return m;
}

std::vector<double> rework_passes(const Route& route) {
  const auto n = route.steps.size();
  std::vector<double> passes(n, 1.0);
  for (std::size_t s = 0; s < n; ++s) {
    const Step& sp = route.steps[s];
    if (sp.rework_step == kNone || sp.rework_probability <= 0) continue;
    const double p = std::min(sp.rework_probability * sp.sample_probability, 0.999999);
    for (auto j = static_cast<std::size_t>(std::max(sp.rework_step, 0)); j <= s; ++j)
      passes[j] /= (1.0 - p);
  }
  return passes;
}

StreamFlow product_flow(const Factory& f, ProductId product, int lot_size) {
  const Product& p = f.products[static_cast<std::size_t>(product)];
  return route_flow(f, f.routes[static_cast<std::size_t>(p.route)], p, lot_size);
}

StreamFlow stream_flow(const Factory& f, StreamId stream) {
  const ReleaseStream& s = f.streams[static_cast<std::size_t>(stream)];
  return product_flow(f, s.product, s.wafers_per_lot);
}

}  // namespace osatsim::model
