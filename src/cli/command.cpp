#include "cli/command.h"

namespace osatsim::cli {

std::vector<CommandSpec>& registry() {
  static std::vector<CommandSpec> commands;
  return commands;
}

}  // namespace osatsim::cli
