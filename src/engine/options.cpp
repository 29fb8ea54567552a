// The engine's option words (options.h): the conversions declared in engine.h, read off the
// tables.
#include "engine/options.h"

namespace osatsim::engine {

const char* to_string(DispatchRule r) { return word_of(kDispatchRules, r).data(); }

bool parse_dispatch_rule(const std::string& word, DispatchRule& rule) {
  const auto v = parse_choice(kDispatchRules, word);
  if (v) rule = *v;
  return v.has_value();
}

std::vector<model::RankCriterion> ranking_of(DispatchRule rule,
                                             const std::vector<model::RankCriterion>& group) {
  using model::RankCriterion;
  switch (rule) {
    case DispatchRule::Model:
      return group;
    case DispatchRule::Fifo:
      return {RankCriterion::Fifo};
    case DispatchRule::CriticalRatio:
      return {RankCriterion::CriticalRatio};
    case DispatchRule::EarliestDue:
      return {RankCriterion::EarliestDue};
    case DispatchRule::ShortestProcessing:
      return {RankCriterion::ShortestProcessing};
    case DispatchRule::PriorityFifo:
      return {RankCriterion::HighPriority, RankCriterion::Fifo};
  }
  return group;
}

}  // namespace osatsim::engine
