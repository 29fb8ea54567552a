#pragma once
// The words of the engine's Options choices, one table each (core/choice.h): the command line
// parses and checks them, prints them in --help, and the results name the choice by them.
#include "core/choice.h"
#include "engine/engine.h"

#include <vector>

namespace osatsim::engine {

inline constexpr Choice<DispatchRule> kDispatchRules[] = {
    {DispatchRule::Model, "model", "the tool groups' own rules"},
    {DispatchRule::Fifo, "fifo", "earliest arrival at the queue"},
    {DispatchRule::CriticalRatio, "cr", "critical ratio"},
    {DispatchRule::EarliestDue, "edd", "earliest due date"},
    {DispatchRule::ShortestProcessing, "spt", "shortest mean lot time at the step"},
    {DispatchRule::PriorityFifo, "priority-fifo", "higher priority, then fifo"},
};

using model::kLssuSwitches;  // the model's readings (model/factory.h)
using model::kSetupStates;
using model::kWakeRules;
using model::kCascadeSetups;
using model::kIdleTools;
using model::kWaferPmStarts;

// The ranking chain a global dispatching rule gives every tool group (`group`: the group's own
// chain, used for DispatchRule::Model).
std::vector<model::RankCriterion> ranking_of(DispatchRule rule,
                                             const std::vector<model::RankCriterion>& group);

}  // namespace osatsim::engine
