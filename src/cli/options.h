#pragma once
// Checks shared by the options of every subcommand (docs/errors.md, "Options"): numbers are
// checked on their text before CLI11 converts them, so that NaN, infinities, negatives where
// they mean nothing and absurd sizes are refused before any work, with one line naming the
// option and what it allows (exit code 2). CLI11's own CLI::Range lets NaN through.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace osatsim::cli {

// A finite number in [lo, hi] ((lo, hi] with lo_open). `what` names the quantity in the message
// ("days", "minutes", ...; may be empty).
CLI::Validator finite_range(double lo, double hi, const std::string& what = "",
                            bool lo_open = false);

// A whole number (digits, an optional '+'; '-' only when lo < 0) in [lo, hi].
CLI::Validator whole_range(long long lo, long long hi, const std::string& what = "");

// A seed: a whole number in [0, 2^64 - 1] (no sign).
CLI::Validator seed_value();

// An output file named by `option`: not empty, not an existing directory, its folder exists.
// Returns false with one line on stderr ("CMD: OPTION: what") otherwise. Checked before any work.
bool check_output_file(const char* cmd, const char* option, const std::string& path);

// An output directory named by `option`: not empty, not an existing non-directory, and either
// existing or creatable below an existing directory. Same reporting as check_output_file.
bool check_output_dir(const char* cmd, const char* option, const std::string& path);

// " (did you mean 'x'?)" for the closest of `candidates` within a small edit distance, else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace osatsim::cli
