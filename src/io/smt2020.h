#pragma once
// Importer of the SMT2020 testbed files (AutoSched-style tab-separated tables): tool.txt.1l,
// part.txt, the route files named in part.txt, order.txt, WIP.txt, setup.txt, setupgrp.txt,
// downcal.txt, pmcal.txt, attach.txt and fromto.txt. Formats and decisions: docs/smt2020.md.
#include <filesystem>

#include "core/diagnostics.h"
#include "model/factory.h"

namespace osatsim::io {

// Reads the SMT2020 model in `dir`. The Factory is named after the directory (e.g. "HVLM").
// Every problem of every file is added to `diags` as "file:line: what" (file = `dir`/name as
// given); the returned Factory is then incomplete and must not be used. Never throws for bad input.
// Does not run Factory::validate() (load_factory does).
model::Factory read_smt2020(const std::filesystem::path& dir, Diagnostics& diags);

}  // namespace osatsim::io
