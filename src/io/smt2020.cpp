// Reader of an SMT2020 model directory (docs/smt2020.md). The files of the directory are read in
// smt2020_*.cpp (see io/smt2020_table.h).
#include "io/smt2020.h"

#include <fmt/format.h>

#include <exception>
#include <filesystem>
#include <new>
#include <string>
#include <system_error>
#include <utility>

#include "io/smt2020_reader.h"

namespace osatsim::io {
namespace smt2020_detail {

model::Factory Reader::run() {
  fs::path norm = dir_.lexically_normal();
  std::string name = norm.filename().string();
  if (name.empty() || name == ".") name = norm.parent_path().filename().string();
  if (name.empty() || name == "." || name == "..") {
    std::error_code ec;
    name = fs::weakly_canonical(dir_, ec).filename().string();
  }
  f_.name = name;
  f_.source = dir_.string();
  // The readings that reproduce the testbed's published per-tool-group figures
  // (docs/validation.md "Tool groups against the published figures"): every PM calendar of a
  // tool on its own, the Python implementation's gas changes under LSSU (a tool refuses lots of
  // another gas a few decisions in a row, then takes them) and its setup state (reset by a step
  // without setup).
  f_.pm_nesting = model::PmNesting::Independent;
  f_.lssu_switch = model::LssuSwitch::Refuse;
  f_.setup_state = model::SetupState::Reset;
  // Setups on the cascading implant tools overlap the job before them (AutoSched's
  // SEQ_ADDS_SETUP_DELAYS = N), and the least-setup wake rule is not applied: the published
  // busy and setup shares of the implant, dry-etch and litho-track groups.
  f_.cascade_setup = model::CascadeSetup::Overlap;
  f_.wake = model::WakeRule::None;
  // An arriving lot goes to an idle tool drawn at random, and the tools of a group take their
  // first wafer-count PMs staggered like their first calendar PMs: the published busy shares of
  // the cascading groups lie between list order and empty tools first, which random choice
  // reproduces; spreading the load evenly needs staggered counters, or whole groups reach their
  // first PMs together.
  f_.idle_tool = model::IdleTool::Random;
  f_.wafer_pm_start = model::WaferPmStart::Staggered;

  std::error_code ec;
  const auto st = fs::status(dir_, ec);
  if (st.type() == fs::file_type::not_found) {
    diags_.add(dir_.string(), 0, "directory not found");
    return std::move(f_);
  }
  if (!fs::is_directory(st)) {
    diags_.add(dir_.string(), 0, "not a directory (an SMT2020 model is a directory of files)");
    return std::move(f_);
  }

  read_tools();
  read_parts();
  read_setups();
  read_setup_groups();
  read_downcal();
  read_pmcal();
  read_attach();
  read_fromto();
  read_orders_and_wip();
  return std::move(f_);
}

}  // namespace smt2020_detail

model::Factory read_smt2020(const std::filesystem::path& dir, Diagnostics& diags) {
  try {
    return smt2020_detail::Reader(dir, diags).run();
  } catch (const std::bad_alloc&) {
    diags.add(dir.string(), 0, "out of memory while reading");
  } catch (const std::exception& e) {
    diags.add(dir.string(), 0, fmt::format("cannot read: {}", e.what()));
  }
  return {};
}

}  // namespace osatsim::io
