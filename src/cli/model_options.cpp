#include "cli/model_options.h"

#include <cstdio>

namespace osatsim::cli {

bool parse_pm_nesting(const std::string& word, const char* cmd, bool& override_it,
                      model::PmNesting& value) {
  override_it = word != "model";
  if (word == "model") return true;
  if (word == "independent") {
    value = model::PmNesting::Independent;
    return true;
  }
  if (word == "nested") {
    value = model::PmNesting::Nested;
    return true;
  }
  std::fprintf(stderr, "%s: --pm-nesting: unknown value '%s' (model, independent, nested)\n", cmd,
               word.c_str());
  return false;
}

std::shared_ptr<const model::Factory> with_pm_nesting(std::shared_ptr<const model::Factory> f,
                                                      bool override_it, model::PmNesting value) {
  if (!f || !override_it || f->pm_nesting == value) return f;
  auto copy = std::make_shared<model::Factory>(*f);
  copy->pm_nesting = value;
  return copy;
}

}  // namespace osatsim::cli
