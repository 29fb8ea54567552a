// Bad input: a copy of the mini-fab with one thing broken. `osatsim validate` must exit with 2 and
// report exactly the problem as "file:line: what" on stderr (and nothing on stdout).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "io/load.h"
#include "io_test_util.h"

namespace osatsim::test {
namespace {

namespace fs = std::filesystem;

class Broken : public ::testing::Test {
 protected:
  void SetUp() override { copy_minifab(tmp.path()); }
  std::string at(const std::string& name) const { return (tmp.path() / name).string(); }
  RunResult validate() const { return run_osatsim({"validate", tmp.path().string()}); }
  // Exactly these problems, in this order, and exit code 2.
  void expect_problems(const std::vector<std::string>& lines) const {
    const RunResult r = validate();
    EXPECT_EQ(r.exit_code, 2);
    std::string expected;
    for (const auto& l : lines) expected += l + "\n";
    EXPECT_EQ(r.err, expected);
    EXPECT_EQ(r.out, "");
  }
  void expect_problem(const std::string& line) const { expect_problems({line}); }
  TempDir tmp;
};

TEST_F(Broken, Intact) {
  const RunResult r = validate();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

// --- files ---

TEST_F(Broken, MissingFile) {
  fs::remove(tmp.path() / "order.txt");
  expect_problem(at("order.txt") + ": file not found");
}

TEST_F(Broken, MissingRouteFile) {
  set_cell(tmp.path(), "part.txt", 3, "ROUTEFILE", "route_Z.txt");
  expect_problem(at("part.txt") + ":3: ROUTEFILE: route file 'route_Z.txt' not found");
}

TEST_F(Broken, EmptyFile) {
  write_text(tmp.path() / "setup.txt", "");
  expect_problem(at("setup.txt") + ": empty file (no header line)");
}

TEST_F(Broken, ToolFileWithHeaderAndNoRows) {
  const std::string text = read_file(tmp.path() / "tool.txt.1l");
  write_text(tmp.path() / "tool.txt.1l", text.substr(0, text.find('\n') + 1));
  expect_problem(at("tool.txt.1l") + ": empty tool file (a header line and no tool group rows)");
}

TEST_F(Broken, BlankFileCountsAsEmpty) {
  write_text(tmp.path() / "fromto.txt", "\n  \n\t\n");
  expect_problem(at("fromto.txt") + ": empty file (no header line)");
}

TEST_F(Broken, DirectoryWhereAFileIsExpected) {
  fs::remove(tmp.path() / "WIP.txt");
  fs::create_directory(tmp.path() / "WIP.txt");
  expect_problem(at("WIP.txt") + ": is a directory, expected a file");
}

TEST_F(Broken, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: file permissions do not apply";
  ::chmod(at("pmcal.txt").c_str(), 0);
  expect_problem(at("pmcal.txt") + ": cannot read: Permission denied");
}

TEST_F(Broken, UnreadableSymlinkLoop) {
  // Readable by no one, root included.
  fs::remove(tmp.path() / "pmcal.txt");
  fs::create_symlink("pmcal.txt", tmp.path() / "pmcal.txt");
  expect_problem(at("pmcal.txt") + ": cannot read: Too many levels of symbolic links");
}

TEST_F(Broken, NotUtf8) {
  set_cell(tmp.path(), "route_B.txt", 3, "DESC", "003_Dry\xff\xfe_Etch");
  // "r_B\t3\t003_Dry" is 13 bytes: the bad byte is in column 14.
  expect_problem(at("route_B.txt") + ":3:14: not UTF-8 text (byte 0xFF)");
}

TEST_F(Broken, NotUtf8Header) {
  write_text(tmp.path() / "fromto.txt", "FROM\xc3LOC\tTOLOC\n");
  expect_problem(at("fromto.txt") + ":1:5: not UTF-8 text (byte 0xC3)");
}

TEST_F(Broken, BinaryGarbage) {
  write_text(tmp.path() / "downcal.txt", std::string("\x7f"
                                                     "ELF\x02\x01\x01\0\0\0",
                                                     10));
  // Control characters are text; the NUL byte (column 8) is not.
  expect_problem(at("downcal.txt") + ":1:8: not text (NUL byte)");
}

// --- columns and cells ---

TEST_F(Broken, MissingColumn) {
  drop_column(tmp.path(), "route_A.txt", "PTIME");
  expect_problem(at("route_A.txt") + ":1: missing required column 'PTIME'");
}

TEST_F(Broken, MissingColumnsOfSeveralFiles) {
  drop_column(tmp.path(), "tool.txt.1l", "STNQTY");
  drop_column(tmp.path(), "WIP.txt", "CURSTEP");
  drop_column(tmp.path(), "WIP.txt", "DUE");
  expect_problems({at("tool.txt.1l") + ":1: missing required column 'STNQTY'",
                   at("WIP.txt") + ":1: missing required column 'CURSTEP'",
                   at("WIP.txt") + ":1: missing required column 'DUE'"});
}

TEST_F(Broken, MissingValue) {
  set_cell(tmp.path(), "order.txt", 4, "REPEAT", "");
  expect_problem(at("order.txt") + ":4: REPEAT: missing value");
}

TEST_F(Broken, NotANumber) {
  set_cell(tmp.path(), "tool.txt.1l", 3, "STNQTY", "two");
  expect_problem(at("tool.txt.1l") + ":3: STNQTY: not a number: 'two'");
}

TEST_F(Broken, NotANumberTrailingText) {
  set_cell(tmp.path(), "route_A.txt", 5, "StepPercent", "25%");
  expect_problem(at("route_A.txt") + ":5: StepPercent: not a number: '25%'");
}

TEST_F(Broken, NaN) {
  set_cell(tmp.path(), "route_A.txt", 4, "PTIME", "nan");
  expect_problem(at("route_A.txt") + ":4: PTIME: not a finite number: 'nan'");
}

TEST_F(Broken, Infinite) {
  set_cell(tmp.path(), "downcal.txt", 2, "MTTR", "inf");
  expect_problem(at("downcal.txt") + ":2: MTTR: not a finite number: 'inf'");
}

TEST_F(Broken, NegativeTime) {
  set_cell(tmp.path(), "pmcal.txt", 2, "MTTR", "-3");
  // The calendar is unusable; the attach.txt row naming it is not reported a second time.
  expect_problem(at("pmcal.txt") + ":2: MTTR: must not be negative: '-3'");
}

TEST_F(Broken, NegativeCount) {
  set_cell(tmp.path(), "tool.txt.1l", 4, "STNQTY", "-1");
  expect_problem(at("tool.txt.1l") + ":4: STNQTY: out of range [0, 1000000]: '-1'");
}

TEST_F(Broken, TooLarge) {
  set_cell(tmp.path(), "route_A.txt", 2, "PTIME", "1e300");
  set_cell(tmp.path(), "route_A.txt", 3, "BatchInterval", "1e13");
  set_cell(tmp.path(), "route_A.txt", 3, "BatchIntUnits", "day");
  set_cell(tmp.path(), "route_A.txt", 3, "PartInterval", "");
  expect_problems(
      {at("route_A.txt") + ":2: PTIME: too large: '1e300'",
       at("route_A.txt") + ":3: BatchInterval: too large: '1e13' (limit about 30,000 years)"});
}

TEST_F(Broken, UnknownTimeUnit) {
  set_cell(tmp.path(), "route_A.txt", 2, "PTUNITS", "fortnight");
  expect_problem(at("route_A.txt") +
                 ":2: PTUNITS: unknown time unit 'fortnight' (sec, min, hr, day)");
}

TEST_F(Broken, UniformWiderThanItsMean) {
  set_cell(tmp.path(), "route_A.txt", 2, "PTIME2", "400");
  expect_problem(at("route_A.txt") +
                 ":2: PTIME2: uniform half-width 400 exceeds the mean 300 (negative times)");
}

TEST_F(Broken, UnknownDistribution) {
  set_cell(tmp.path(), "fromto.txt", 2, "DDIST", "gamma");
  expect_problem(at("fromto.txt") +
                 ":2: DDIST: unknown distribution 'gamma' (constant, exponential, uniform)");
}

TEST_F(Broken, UnknownKeyword) {
  set_cell(tmp.path(), "tool.txt.1l", 2, "FWLRANK", "rank_HP;rank_XYZ");
  expect_problem(at("tool.txt.1l") +
                 ":2: FWLRANK: unknown ranking criterion 'rank_XYZ' (rank_HP, rank_RSETUP, "
                 "rank_FIFO, rank_CR)");
}

TEST_F(Broken, SamplingAbove100) {
  set_cell(tmp.path(), "route_A.txt", 5, "StepPercent", "150");
  expect_problem(at("route_A.txt") + ":5: StepPercent: sampling 150 % exceeds 100");
}

// --- names ---

TEST_F(Broken, UnknownToolGroup) {
  set_cell(tmp.path(), "route_A.txt", 2, "STNFAM", "Diff_9");
  expect_problem(at("route_A.txt") + ":2: STNFAM: unknown tool group 'Diff_9'");
}

TEST_F(Broken, NamesAreCaseSensitive) {
  set_cell(tmp.path(), "route_B.txt", 5, "STNFAM", "litho_1");
  expect_problem(at("route_B.txt") + ":5: STNFAM: unknown tool group 'litho_1'");
}

TEST_F(Broken, UnknownCalendar) {
  set_cell(tmp.path(), "attach.txt", 3, "CALNAME", "BREAK_Nowhere");
  expect_problem(at("attach.txt") + ":3: CALNAME: unknown down calendar 'BREAK_Nowhere'");
}

TEST_F(Broken, UnknownArea) {
  set_cell(tmp.path(), "attach.txt", 2, "RESNAME", "Nowhere");
  expect_problem(at("attach.txt") + ":2: RESNAME: unknown area 'Nowhere'");
}

TEST_F(Broken, UnknownSetup) {
  set_cell(tmp.path(), "setupgrp.txt", 3, "SETUP", "Gas_9");
  expect_problem(at("setupgrp.txt") + ":3: SETUP: unknown setup 'Gas_9' (no route step needs it)");
}

TEST_F(Broken, UnknownSetupChange) {
  set_cell(tmp.path(), "setup.txt", 2, "CURSETUP", "Etch_Z");
  expect_problem(at("setup.txt") + ":2: CURSETUP: unknown setup 'Etch_Z' (no route step needs it)");
}

TEST_F(Broken, UnknownSetupGroup) {
  set_cell(tmp.path(), "tool.txt.1l", 3, "SETUPGRP", "Oil");
  expect_problem(at("tool.txt.1l") + ":3: SETUPGRP: unknown setup group 'Oil'");
}

TEST_F(Broken, UnknownPart) {
  set_cell(tmp.path(), "order.txt", 3, "PART", "part_Z");
  expect_problem(at("order.txt") + ":3: PART: unknown part 'part_Z'");
}

TEST_F(Broken, UnknownRouteName) {
  set_cell(tmp.path(), "route_B.txt", 4, "ROUTE", "r_C");
  expect_problem(at("route_B.txt") + ":4: ROUTE: route 'r_C' differs from 'r_B' named in part.txt");
}

TEST_F(Broken, UnknownLocation) {
  set_cell(tmp.path(), "fromto.txt", 2, "TOLOC", "Moon");
  expect_problem(at("fromto.txt") + ":2: TOLOC: unknown location 'Moon' (no tool group is there)");
}

TEST_F(Broken, DuplicateToolGroup) {
  auto lines = lines_of(read_file(tmp.path() / "tool.txt.1l"));
  lines.push_back(lines[1]);  // Diff_1 again, on line 9
  write_text(tmp.path() / "tool.txt.1l", join_lines(lines));
  expect_problem(at("tool.txt.1l") + ":9: STNFAM: duplicate tool group 'Diff_1' (first on line 2)");
}

TEST_F(Broken, DuplicateWipLot) {
  auto lines = lines_of(read_file(tmp.path() / "WIP.txt"));
  lines.push_back(lines[2]);  // line 7
  write_text(tmp.path() / "WIP.txt", join_lines(lines));
  expect_problem(at("WIP.txt") + ":7: LOT: duplicate WIP lot 'Init_HotLot_A_1' (first on line 3)");
}

TEST_F(Broken, DuplicateStepName) {
  set_cell(tmp.path(), "route_A.txt", 13, "DESC", "001_Diffusion");
  expect_problem(at("route_A.txt") +
                 ":13: DESC: duplicate step name '001_Diffusion' (first on line 2)");
}

// --- route structure ---

TEST_F(Broken, ReworkTargetOutsideTheRoute) {
  set_cell(tmp.path(), "route_A.txt", 6, "RWKSTEP", "7");
  expect_problem(at("route_A.txt") +
                 ":6: RWKSTEP: rework target step 7 outside the route before this step (1..5)");
}

TEST_F(Broken, ReworkOfAHundredPercentNeverExits) {
  set_cell(tmp.path(), "route_A.txt", 6, "REWORK", "100");
  expect_problem(at("route_A.txt") +
                 ":6: REWORK: rework 100 % sends every lot back: no lot would ever pass (below "
                 "100)");
}

TEST_F(Broken, QueueTimeExitOutsideTheRoute) {
  set_cell(tmp.path(), "route_A.txt", 9, "STEP_CQT", "13");
  expect_problem(at("route_A.txt") +
                 ":9: STEP_CQT: queue-time exit step 13 outside the later steps of the route "
                 "(9..12)");
}

TEST_F(Broken, DedicationTargetBackwards) {
  set_cell(tmp.path(), "route_A.txt", 4, "FORSTEP", "2");
  expect_problem(at("route_A.txt") +
                 ":4: FORSTEP: dedication target step 2 outside the later steps of the route "
                 "(4..12)");
}

TEST_F(Broken, StepOutOfSequence) {
  set_cell(tmp.path(), "route_B.txt", 4, "STEP", "7");
  expect_problem(at("route_B.txt") + ":4: STEP: step 7 out of sequence (expected 3)");
}

TEST_F(Broken, BatchMinAboveMax) {
  set_cell(tmp.path(), "route_A.txt", 2, "BATCHMN", "120");
  expect_problem(at("route_A.txt") + ":2: BATCHMN: batch minimum 120 exceeds maximum 100");
}

TEST_F(Broken, BatchStepWithoutMaximum) {
  set_cell(tmp.path(), "route_B.txt", 2, "BATCHMX", "");
  set_cell(tmp.path(), "route_B.txt", 2, "BATCHMN", "");
  expect_problem(at("route_B.txt") + ":2: BATCHMX: a per_batch step needs BATCHMX");
}

TEST_F(Broken, BatchStepOnAGroupThatDoesNotBatch) {
  set_cell(tmp.path(), "tool.txt.1l", 2, "BATCHCRITF", "");
  expect_problems(
      {at("route_A.txt") +
           ":2: PTPER: per_batch step on tool group 'Diff_1', which has no BATCHCRITF",
       at("route_A.txt") +
           ":12: PTPER: per_batch step on tool group 'Diff_1', which has no BATCHCRITF",
       at("route_B.txt") +
           ":2: PTPER: per_batch step on tool group 'Diff_1', which has no BATCHCRITF"});
}

TEST_F(Broken, WipStepOutsideTheRoute) {
  set_cell(tmp.path(), "WIP.txt", 2, "CURSTEP", "13");
  expect_problem(at("WIP.txt") + ":2: CURSTEP: step 13 outside route 'r_A' (1..12)");
}

TEST_F(Broken, WaferCountFirstOccurrenceWithTimeUnit) {
  set_cell(tmp.path(), "attach.txt", 7, "FOAUNITS", "day");
  expect_problem(at("attach.txt") +
                 ":7: FOAUNITS: unit 'day' given for the first occurrence of wafer-count PM "
                 "'Imp_1_WK' (a wafer count has no unit)");
}

TEST_F(Broken, SetupGroupContinuationWithoutGroup) {
  set_cell(tmp.path(), "setupgrp.txt", 2, "SETUPGRP", "");
  expect_problem(at("setupgrp.txt") +
                 ":2: SETUPGRP: missing value (no setup group above to continue)");
}

// --- dates ---

TEST_F(Broken, MalformedDate) {
  set_cell(tmp.path(), "order.txt", 2, "DUE", "2018-01-11");
  expect_problem(at("order.txt") +
                 ":2: DUE: malformed date (expected MM/DD/YY HH:MM:SS): '2018-01-11'");
}

TEST_F(Broken, DayOutOfRange) {
  set_cell(tmp.path(), "WIP.txt", 3, "DUE", "02/30/18 00:00:00");
  expect_problem(at("WIP.txt") + ":3: DUE: day 30 out of range 1..28: '02/30/18 00:00:00'");
}

TEST_F(Broken, MonthOutOfRange) {
  set_cell(tmp.path(), "order.txt", 5, "START", "13/01/18 00:00:00");
  expect_problem(at("order.txt") + ":5: START: month 13 out of range 1..12: '13/01/18 00:00:00'");
}

TEST_F(Broken, TimeOutOfRange) {
  set_cell(tmp.path(), "WIP.txt", 4, "DUE", "01/01/18 24:00:00");
  expect_problem(at("WIP.txt") + ":4: DUE: time 24:00:00 out of range: '01/01/18 24:00:00'");
}

TEST_F(Broken, DueBeforeStart) {
  set_cell(tmp.path(), "order.txt", 4, "DUE", "01/01/18 00:00:00");
  expect_problem(at("order.txt") + ":4: DUE: due date before START");
}

// --- several files at once: every problem is reported, in file order ---

TEST_F(Broken, ProblemsInSeveralFilesAreAllReported) {
  set_cell(tmp.path(), "tool.txt.1l", 3, "STNQTY", "two");
  set_cell(tmp.path(), "tool.txt.1l", 5, "LTUNITS", "");
  set_cell(tmp.path(), "route_A.txt", 4, "PTIME", "nan");
  set_cell(tmp.path(), "route_A.txt", 6, "RWKSTEP", "9");
  set_cell(tmp.path(), "route_B.txt", 2, "STNFAM", "Diff_9");
  set_cell(tmp.path(), "downcal.txt", 3, "MTTF", "0");
  set_cell(tmp.path(), "attach.txt", 4, "CALNAME", "BREAK_Nowhere");
  set_cell(tmp.path(), "order.txt", 2, "DUE", "01/32/18 00:00:00");
  set_cell(tmp.path(), "WIP.txt", 3, "CURSTEP", "0");
  fs::remove(tmp.path() / "fromto.txt");
  expect_problems({
      at("tool.txt.1l") + ":3: STNQTY: not a number: 'two'",
      at("tool.txt.1l") + ":5: LTUNITS: missing time unit",
      at("route_A.txt") + ":4: PTIME: not a finite number: 'nan'",
      at("route_A.txt") + ":6: RWKSTEP: rework target step 9 outside the route before this step "
                          "(1..5)",
      at("route_B.txt") + ":2: STNFAM: unknown tool group 'Diff_9'",
      at("downcal.txt") + ":3: MTTF: time to failure must be > 0",
      at("attach.txt") + ":4: CALNAME: unknown down calendar 'BREAK_Nowhere'",
      at("fromto.txt") + ": file not found",
      at("order.txt") + ":2: DUE: day 32 out of range 1..31: '01/32/18 00:00:00'",
      at("WIP.txt") + ":3: CURSTEP: out of range [1, 2147483647]: '0'",
  });
}

TEST_F(Broken, SeveralProblemsOfOneFile) {
  set_cell(tmp.path(), "route_A.txt", 2, "PTPER", "per_wafer");
  set_cell(tmp.path(), "route_A.txt", 3, "PartInterval", "soon");
  set_cell(tmp.path(), "route_A.txt", 8, "PTIME", "-1");
  set_cell(tmp.path(), "route_A.txt", 13, "STNFAM", "");
  expect_problems({
      at("route_A.txt") +
          ":2: PTPER: unknown time basis 'per_wafer' (per_lot, per_piece, per_batch)",
      at("route_A.txt") + ":3: PartInterval: not a number: 'soon'",
      at("route_A.txt") + ":8: PTIME: must not be negative: '-1'",
      at("route_A.txt") + ":13: STNFAM: missing value",
  });
}

// --- random damage: never a crash, never a half-accepted model ---

TEST(Smt2020Robustness, MutatedFilesAreReportedOrAccepted) {
  TempDir tmp;
  copy_minifab(tmp.path());
  std::vector<fs::path> files;
  std::vector<std::string> originals;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    files.push_back(e.path());
    originals.push_back(read_file(e.path()));
  }
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i < files.size(); ++i) originals[i] = read_file(files[i]);
  std::mt19937 rng(20201);
  const char alphabet[] = "\t\n\r 0-9.e+-_/:;|abcXYZ\xff\x00";
  int accepted = 0, rejected = 0;
  for (int it = 0; it < 400; ++it) {
    const std::size_t k = rng() % files.size();
    std::string text = originals[k];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t pos = rng() % text.size();
      switch (rng() % 5) {
        case 0:  // replace a byte
          text[pos] = alphabet[rng() % (sizeof alphabet - 1)];
          break;
        case 1:  // delete a range
          text.erase(pos, rng() % 20);
          break;
        case 2:  // insert a byte
          text.insert(text.begin() + static_cast<long>(pos),
                      alphabet[rng() % (sizeof alphabet - 1)]);
          break;
        case 3:  // duplicate a range
          text.insert(pos, text.substr(pos, rng() % 40));
          break;
        default:  // truncate
          text.resize(pos);
          break;
      }
    }
    write_text(files[k], text);
    Diagnostics d;
    auto f = io::load_factory(tmp.path().string(), d);
    if (f) {
      ++accepted;
      EXPECT_TRUE(d.ok());
      EXPECT_TRUE(f->validate().ok()) << f->validate().to_string();
      if (accepted % 20 == 1) {  // the summary of an accepted model
        const RunResult r = run_osatsim({"validate", tmp.path().string()});
        EXPECT_EQ(r.exit_code, 0) << r.err;
      }
    } else {
      ++rejected;
      ASSERT_FALSE(d.ok()) << "rejected without a reason: " << files[k];
      for (const auto& item : d.items()) {
        EXPECT_FALSE(item.message.empty());
        EXPECT_FALSE(item.file.empty());
      }
    }
    write_text(files[k], originals[k]);
  }
  EXPECT_GT(rejected, 100);
  EXPECT_GT(accepted, 10);
}

// --- what is not an SMT2020 directory ---

TEST(LoadFactory, Inputs) {
  TempDir tmp;
  {
    Diagnostics d;
    EXPECT_EQ(io::load_factory((tmp.path() / "nothing").string(), d), nullptr);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d.items()[0].to_string(),
              (tmp.path() / "nothing").string() +
                  ": not found (expected an SMT2020 directory or a .yaml scenario file)");
  }
  {
    Diagnostics d;
    const auto file = tmp.write("notes.txt", "hello\n");
    EXPECT_EQ(io::load_factory(file.string(), d), nullptr);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d.items()[0].to_string(),
              file.string() +
                  ": not a factory input (expected an SMT2020 directory, a .yaml/.yml scenario "
                  "file or a built-in scenario name)");
  }
  {
    Diagnostics d;
    EXPECT_EQ(io::load_factory("", d), nullptr);
    EXPECT_EQ(d.size(), 1u);
  }
  {
    // An empty directory: every file is missing.
    Diagnostics d;
    EXPECT_EQ(io::load_factory(tmp.path().string(), d), nullptr);
    EXPECT_EQ(d.size(), 10u) << d.to_string();
    EXPECT_EQ(d.items()[0].to_string(), (tmp.path() / "tool.txt.1l").string() + ": file not found");
  }
}

// YAML files go to the scenario reader (tests/scenario/ covers it in depth).
TEST(LoadFactory, YamlGoesToTheScenarioReader) {
  TempDir tmp;
  const auto file = tmp.write("fab.yaml", "name: x\n");
  const RunResult r = run_osatsim({"validate", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(file.string() + ":1:1: tool_groups: the scenario has no tool groups\n", 0),
            0u)
      << r.err;
}

TEST(ValidateCli, MissingArgumentIsABadOption) {
  const RunResult r = run_osatsim({"validate"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace osatsim::test
