#pragma once
// Helpers shared by the test binaries.
#include <filesystem>
#include <string>
#include <vector>

namespace osatsim::test {

// The SMT2020 data directory (containing HVLM/ and LVHM/): $OSATSIM_SMT2020_DIR, else
// ../shared/smt2020/data beside the checkout. Empty when neither exists.
std::filesystem::path smt2020_dir();

// Use at the top of a test that needs the full SMT2020 data: skips with the reason when absent.
#define OSATSIM_REQUIRE_SMT2020(var)                                                     \
  const std::filesystem::path var = ::osatsim::test::smt2020_dir();                      \
  if (var.empty())                                                                        \
  GTEST_SKIP() << "SMT2020 data not found: set OSATSIM_SMT2020_DIR or place it at "       \
                  "../shared/smt2020/data beside the checkout"

// Root of the source tree (for fixtures under tests/).
std::filesystem::path source_dir();

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the built osatsim executable with the given arguments (no shell), capturing output.
RunResult run_osatsim(const std::vector<std::string>& args);

// A fresh empty directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name (creating parent directories) and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);

}  // namespace osatsim::test
