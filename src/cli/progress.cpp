#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace osatsim::cli {

CommonOptions& common_options() {
  static CommonOptions o;
  return o;
}

bool progress_enabled() {
  const CommonOptions& o = common_options();
  if (o.quiet || o.progress == "never") return false;
  if (o.progress == "always") return true;
  return isatty(fileno(stderr)) != 0;
}

namespace {
std::string duration(double s) {
  if (s < 90) return fmt::format("{:.0f} s", s);
  if (s < 5400) return fmt::format("{:.0f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}
}  // namespace

ProgressLine::ProgressLine(std::string what, std::string unit, double total)
    : enabled_(progress_enabled()),
      what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {
  if (!enabled_ || total_ > 0) return;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(tick_mutex_);
    while (!tick_cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return finished_; }))
      draw(true);
  });
}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::add(double amount) {
  if (!enabled_) return;
  double cur = done_.load(std::memory_order_relaxed);
  while (!done_.compare_exchange_weak(cur, cur + amount, std::memory_order_relaxed)) {
  }
  draw(false);
}

void ProgressLine::draw(bool force) {
  std::unique_lock<std::mutex> lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double el = std::chrono::duration<double>(now - start_).count();
  std::string line;
  if (total_ > 0) {
    const double done = done_.load(std::memory_order_relaxed);
    const double rate = el > 0 ? done / el : 0;
    line = fmt::format("{}: {:.0f}/{:.0f} {} ({:.0f} %), {:.0f} {}/s", what_, done, total_, unit_,
                       100 * done / total_, rate, unit_);
    if (rate > 0) line += ", " + duration((total_ - done) / rate) + " left";
  } else {
    line = fmt::format("{}: {} elapsed", what_, duration(el));
  }
  if (!note_.empty()) line += ", " + note_;
  std::fprintf(stderr, "\r%-78s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::set_note(std::string note) {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(draw_mutex_);
    note_ = std::move(note);
  }
  draw(false);
}

void ProgressLine::finish() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(tick_mutex_);
    std::lock_guard<std::mutex> draw_lock(draw_mutex_);
    if (finished_) return;
    finished_ = true;
    if (drawn_) {
      std::fprintf(stderr, "\r%-78s\r", "");
      std::fflush(stderr);
    }
  }
  tick_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace osatsim::cli
