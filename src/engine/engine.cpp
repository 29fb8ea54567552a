// The simulation kernel. See engine.h for the contract, docs/engine.md for the semantics and the
// layout of its parts.
//
// Dense arrays of plain records (lots, tools, jobs, tool groups, flattened route steps:
// records.h); one calendar queue of small event records ordered by (time, class, insertion
// sequence: event_queue.h); stale events (of paused jobs) are skipped through a per-job version
// number. Lots and jobs are recycled through free lists, so the steady state allocates nothing
// per event.
//
// The parts of class Sim (sim.h) are compiled here as one translation unit, in the order below:
// the hot paths inline across them as they did when the kernel was one file (the instruction
// counts of docs/performance.md "Engine layout" check it).
#include "engine/sim.h"

#include "engine/build.ipp"
#include "engine/dispatch.ipp"
#include "engine/kits.ipp"
#include "engine/kpi.ipp"
#include "engine/lot_flow.ipp"
#include "engine/results.ipp"
#include "engine/run.ipp"
#include "engine/tools.ipp"

namespace osatsim::engine {

Results simulate(const model::Factory& factory, const Options& options) {
  Sim sim(factory, options);
  return sim.run();
}

}  // namespace osatsim::engine
