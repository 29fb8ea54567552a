// Fuzz target for the SMT2020 importer. The mini-fab fixture (tests/fixtures/minifab) is copied
// into a private directory; the first byte of the input chooses one of its files, the rest replaces
// that file's content, and the whole model is imported and validated. Any crash, sanitizer report,
// hang or escaping exception is a bug: bad input must only produce diagnostics.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/load.h"

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kFiles = {"tool.txt.1l", "part.txt",    "route_A.txt", "route_B.txt",
                                         "order.txt",   "WIP.txt",     "setup.txt",   "setupgrp.txt",
                                         "downcal.txt", "pmcal.txt",   "attach.txt",  "fromto.txt"};

const fs::path& work_dir() {
  static const fs::path dir = [] {
    const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    fs::path d = base / ("osatsim-fuzz-smt2020-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// Puts the fixture's version of `file` back (all files on the first call).
void restore_fixture(const std::string* file) {
  const fs::path src = fs::path(OSATSIM_MINIFAB_DIR);  // laid out by CMake
  for (const auto& f : kFiles) {
    if (file == nullptr || f == *file) {
      fs::copy_file(src / f, work_dir() / f, fs::copy_options::overwrite_existing);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string* last = nullptr;
  static bool first = true;
  if (first) restore_fixture(nullptr);
  first = false;
  if (last != nullptr) restore_fixture(last);
  if (size == 0) return 0;
  const std::string& target = kFiles[data[0] % kFiles.size()];
  last = &target;
  {
    std::ofstream out(work_dir() / target, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  osatsim::Diagnostics diags;
  auto factory = osatsim::io::load_factory(work_dir().string(), diags);
  // Contract: either a valid factory and no problems, or no factory and at least one problem.
  if ((factory == nullptr) == diags.ok()) __builtin_trap();
  for (const auto& d : diags.items()) {
    if (d.message.empty()) __builtin_trap();
  }
  return 0;
}
