#pragma once
// Helpers of the io tests: the mini-fab fixture and edits of its copies.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace osatsim::test {

inline std::filesystem::path minifab_dir() {
  return std::filesystem::path(OSATSIM_MINIFAB_DIR);  // laid out by CMake from tests/fixtures/minifab/*.in
}

// Copies the mini-fab into `dir` (files only).
inline void copy_minifab(const std::filesystem::path& dir) {
  for (const auto& e : std::filesystem::directory_iterator(minifab_dir()))
    std::filesystem::copy_file(e.path(), dir / e.path().filename(),
                               std::filesystem::copy_options::overwrite_existing);
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::FILE* f = std::fopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr) << p;
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

// Splits a file's text into lines (without the newline).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t s = 0;
  while (s < text.size()) {
    std::size_t e = text.find('\n', s);
    if (e == std::string::npos) e = text.size();
    out.push_back(text.substr(s, e - s));
    s = e + 1;
  }
  return out;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

inline std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> out;
  std::size_t s = 0;
  while (true) {
    std::size_t e = line.find('\t', s);
    if (e == std::string::npos) {
      out.push_back(line.substr(s));
      return out;
    }
    out.push_back(line.substr(s, e - s));
    s = e + 1;
  }
}

inline std::string join_cells(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "\t" : "") + cells[i];
  return out;
}

// Sets the cell of `column` on 1-based `line` of file `dir/name`.
inline void set_cell(const std::filesystem::path& dir, const std::string& name, int line,
                     const std::string& column, const std::string& value) {
  auto lines = lines_of(read_file(dir / name));
  auto header = cells_of(lines.at(0));
  std::size_t c = 0;
  while (c < header.size() && header[c] != column) ++c;
  ASSERT_LT(c, header.size()) << name << " has no column " << column;
  auto cells = cells_of(lines.at(line - 1));
  if (cells.size() <= c) cells.resize(c + 1);
  cells[c] = value;
  lines[line - 1] = join_cells(cells);
  write_text(dir / name, join_lines(lines));
}

// Removes `column` from every line of `dir/name`.
inline void drop_column(const std::filesystem::path& dir, const std::string& name,
                        const std::string& column) {
  auto lines = lines_of(read_file(dir / name));
  auto header = cells_of(lines.at(0));
  std::size_t c = 0;
  while (c < header.size() && header[c] != column) ++c;
  ASSERT_LT(c, header.size()) << name << " has no column " << column;
  for (auto& l : lines) {
    auto cells = cells_of(l);
    if (c < cells.size()) cells.erase(cells.begin() + static_cast<long>(c));
    l = join_cells(cells);
  }
  write_text(dir / name, join_lines(lines));
}

}  // namespace osatsim::test
