// Raw process time and the cycle time implied by the initial WIP (engine.h): figures of the model
// that the engine's results carry beside the simulated ones.
#include <cstddef>
#include <vector>

#include "engine/engine.h"
#include "model/flow.h"

namespace osatsim::engine {

namespace {
// Raw process time before each step of a lot type's route (size steps + 1; the last entry is the
// total), following the model's expected lot size (model/flow.h). With `sampled`, each step is
// weighted by its sampling probability.
std::vector<double> route_time_prefix(const model::Factory& f, const model::ReleaseStream& st,
                                      bool sampled) {
  const model::StreamFlow flow = model::product_flow(f, st.product, st.wafers_per_lot);
  const auto& steps = f.routes[f.products[st.product].route].steps;
  std::vector<double> before(steps.size() + 1, 0.0);
  for (std::size_t i = 0; i < steps.size(); ++i)
    before[i + 1] =
        before[i] + flow.steps[i].lot_time * (sampled ? steps[i].sample_probability : 1.0);
  return before;
}
}  // namespace

double raw_process_time(const model::Factory& f, const model::ReleaseStream& st, bool sampled) {
  return route_time_prefix(f, st, sampled).back();
}

WipImpliedCt wip_implied_cycle_time(const model::Factory& f, model::StreamId sid) {
  WipImpliedCt out;
  const std::vector<double> before = route_time_prefix(f, f.streams[sid], true);
  const std::size_t n_steps = before.size() - 1;
  const double total = before.back();
  if (!(total > 0)) return out;
  double sxy = 0, sxx = 0;
  for (const auto& l : f.initial_wip) {
    if (l.stream != sid || l.step < 0 || static_cast<std::size_t>(l.step) >= n_steps) continue;
    const double x = before[static_cast<std::size_t>(l.step)] / total;
    if (!(x > 0)) continue;
    const double age = -static_cast<double>(l.virtual_release) / kTicksPerDay;
    sxy += x * age;
    sxx += x * x;
    ++out.lots;
  }
  if (out.lots > 0) out.ct_days = sxy / sxx;
  return out;
}

}  // namespace osatsim::engine
