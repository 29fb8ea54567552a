// Components and kits (packaging): whether a lot's kit is in stock, taking it when the lot's job
// starts (with the time the lot waited for it), and component supplies. Part of the engine's one
// translation unit (engine.cpp, sim.h).

namespace osatsim::engine {
namespace {

bool Sim::kit_ok(const Lot& l, const StepInfo& si) const {
  const auto& p = f_.products[l.product];
  for (const auto& k : si.step->kit) {
    const double need =
        k.quantity * basis_quantity(k.basis, static_cast<double>(l.wafers),
                                    static_cast<double>(l.units), l.is_units, p, k.component);
    if (stock_[k.component] + 1e-9 < need) return false;
  }
  return true;
}

// The lot's job starts at step si: its kit leaves the stock; the time it waited short of the
// kit counts against each component of the kit.
void Sim::take_kit(Lot& l, const StepInfo& si) {
  if (l.kit_short_since >= 0) {
    const double h = to_hours(now_ - l.kit_short_since);
    for (const auto& kk : si.step->kit) starved_[kk.component] += h;
    l.kit_short_since = -1;
  }
  const auto& p = f_.products[l.product];
  for (const auto& k : si.step->kit) {
    const double need =
        k.quantity * basis_quantity(k.basis, static_cast<double>(l.wafers),
                                    static_cast<double>(l.units), l.is_units, p, k.component);
    stock_[k.component] -= need;
    consumed_[k.component] += need;
  }
}

// A delivery of supply s: the stock grows, and every group with kits may start jobs.
void Sim::on_supply(std::int32_t s) {
  const auto& sup = f_.supplies[s];
  stock_[sup.component] += sup.quantity;
  delivered_[sup.component] += sup.quantity;
  ++supply_count_[s];
  if ((sup.count < 0 || supply_count_[s] < sup.count) && sup.interval > 0)
    push(now_ + sup.interval, kEvSupply, s);
  for (Group& g : groups_)
    if (g.has_kit) offer_idle_tools(g);
}

}  // namespace
}  // namespace osatsim::engine
