#pragma once
// The model's flow semantics in one place (docs/flow.md): what a step's time basis counts, which
// setup-change row and transport lane apply, and the expected flow of every route step per
// released lot: lots (after splits), wafers, units, visits, time-basis quantity, lot time and
// components drawn, with yields, scrap, rework loops, sampling and unit-start products.
//
// The engine (when it builds its tables), the capacity analysis, `validate` and the raw process
// time all read these functions, so that they cannot disagree. None of this is on a hot path.
#include <cstdint>
#include <vector>

#include "model/factory.h"

namespace osatsim::model {

// Pieces of a lot in a time basis (also a kit item's basis): 1 per lot / batch; wafers per wafer
// (a lot that counts units keeps the wafer count it had at its transform); sites = units once the
// lot counts units, else wafers x sites per wafer; dies = sites x dies per package of
// `die_component` (every die of the package when kNone).
// Inline: the engine calls it when a job starts.
inline double basis_quantity(TimeBasis basis, double wafers, double units, bool is_units,
                             const Product& product, ComponentId die_component) {
  switch (basis) {
    case TimeBasis::PerLot:
    case TimeBasis::PerBatch:
      return 1.0;
    case TimeBasis::PerWafer:
      return wafers;
    case TimeBasis::PerSite:
    case TimeBasis::PerUnit:
      return is_units ? units : wafers * (product.sites_per_wafer > 0 ? product.sites_per_wafer : 0);
    case TimeBasis::PerDie: {
      int dies = 0;
      for (const auto& d : product.dies)
        if (die_component == kNone || d.component == die_component) dies += d.count;
      return (is_units ? units : wafers * (product.sites_per_wafer > 0 ? product.sites_per_wafer : 0)) *
             dies;
    }
  }
  return 1.0;
}

// Mean time of a lot at a step, in ticks, without setup (FORMAT.md §14, generalised): load +
// unload + overhead (per job, or per wafer / per unit) + mean processing x basis quantity; a
// cascading step takes X + (W - 1) c per wafer-cascade, X per lot-cascade.
double mean_lot_time(const Factory& f, const Step& s, double wafers, double units, bool is_units,
                     const Product& product);

// Setup-change time from state `from` (kNone: no state) to state `to` by the table: the first row
// from -> to, else the first row any -> to, else 0; 0 when from == to or to == kNone. (A scenario
// with two rows for one pair is rejected by Factory::validate.)
Ticks setup_change_time(const Factory& f, SetupId from, SetupId to);

// The same table as a dense matrix: entry (from + 1) * n + to, n = number of setup states.
std::vector<Ticks> setup_change_matrix(const Factory& f);

// Index into f.transport of the lane from -> to (the first one listed), or -1: entry
// from * n + to, n = number of locations.
std::vector<std::int32_t> transport_lane_matrix(const Factory& f);

// Expected flow at one route step, per lot of the stream released (or per initial lot).
struct StepFlow {
  double lots = 1.0;       // lots at this step's position per released lot (splits, lot scrap)
  double visits = 1.0;     // performed visits of one such lot (sampling x rework loops)
  double load_visits = 1.0;  // lots x visits: performed lot visits per released lot
  bool in_units = false;   // the lot counts units here
  double wafers = 0.0;     // expected wafers of one lot arriving (after a transform: at transform)
  double units = 0.0;      // expected units of one lot arriving (0 before a transform)
  double quantity = 1.0;   // expected quantity of the step's time basis per lot visit
  double lot_time = 0.0;   // mean lot time in ticks (mean_lot_time), per lot visit
  double pm_pieces = 0.0;  // what one lot visit adds to a wafer-count PM counter (wafers)
  double batch_size(BatchUnit u) const {  // the lot's size in a batch unit
    return u == BatchUnit::Lot ? 1.0 : u == BatchUnit::Unit ? (in_units ? units : wafers) : wafers;
  }
  std::vector<std::pair<ComponentId, double>> kit;  // drawn per lot visit
};

struct StreamFlow {
  std::vector<StepFlow> steps;
  bool starts_as_units = false;
  double wafers_per_lot = 0.0;  // released wafers per lot (0 for a unit-start product)
  double units_per_lot = 0.0;   // released units per lot (unit-start products), else 0
  double lots_out = 1.0;        // completed lots per released lot (after splits and scrap)
  double wafers_out = 0.0;      // wafers of completed wafer lots per released lot
  double units_out = 0.0;       // good units completed per released lot
  double raw_process = 0.0;     // ticks: sum of lot times (every step performed once)
  double raw_process_sampled = 0.0;  // ticks: lot times weighted by sampling probabilities
};

// The expected flow of one lot of `stream` released with its own lot size. REQUIRES:
// f.validate() is ok.
StreamFlow stream_flow(const Factory& f, StreamId stream);

// The flow of a lot of `lot_size` wafers (units when product.starts_as_units) along `route`.
StreamFlow route_flow(const Factory& f, const Route& route, const Product& product,
                      double lot_size);

// The same for a lot of `product` released with `lot_size` wafers (units for a unit-start
// product).
StreamFlow product_flow(const Factory& f, ProductId product, int lot_size);

// Rework multiplicity of each step of a route: expected performed-or-skipped passes over the step
// per lot (a loop k..s returning with probability p = rework x sampling of s multiplies the
// passes over k..s by 1 / (1 - p); loops multiply).
std::vector<double> rework_passes(const Route& route);

}  // namespace osatsim::model
