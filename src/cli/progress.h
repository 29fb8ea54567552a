#pragma once
// Options every subcommand takes (added by main.cpp): `--progress auto|always|never` and
// `--quiet`; and the progress line that long commands draw on standard error.
//
// A progress line shows what is done of a known total (simulated days, say), the rate and the
// time left, redrawn at most five times a second; or, with no total, the time elapsed. It is
// drawn only on a terminal (auto), always, or never, and never with --quiet; it is cleared when
// done, so that what the command prints next starts on a clean line.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace osatsim::cli {

struct CommonOptions {
  std::string progress = "auto";  // auto, always, never
  bool quiet = false;             // no progress line and no summary on standard output
};
CommonOptions& common_options();

// Whether a progress line is drawn (the options, and whether standard error is a terminal).
bool progress_enabled();

class ProgressLine {
 public:
  // `what`: the command's words before the figures ("simulate"); `unit`: of the total ("days");
  // total <= 0: no total, the elapsed time only (redrawn by a thread of its own).
  ProgressLine(std::string what, std::string unit, double total);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  // Adds to what is done (thread-safe; draws at most every 0.2 s).
  void add(double amount);
  // Words shown after the figures (e.g. a solver's gap), replacing the earlier ones
  // (thread-safe).
  void set_note(std::string note);
  // Clears the line (also done by the destructor).
  void finish();

 private:
  void draw(bool force);
  bool enabled_;
  std::string what_, unit_, note_;
  double total_;
  std::atomic<double> done_{0};
  std::chrono::steady_clock::time_point start_, last_;
  std::mutex draw_mutex_;
  bool drawn_ = false, finished_ = false;
  std::thread ticker_;  // for a line without a total
  std::mutex tick_mutex_;
  std::condition_variable tick_cv_;
};

}  // namespace osatsim::cli
