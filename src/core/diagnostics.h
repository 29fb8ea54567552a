#pragma once
// Problems found in input, each pinned to a place: file, line (1-based, 0 = whole file), and
// optionally a column (1-based) or a field name. Readers collect every problem of a file rather
// than stopping at the first one.
#include <string>
#include <vector>

namespace osatsim {

struct Diagnostic {
  std::string file;
  int line = 0;       // 0: the file as a whole
  int column = 0;     // 0: no column
  std::string field;  // optional: the column or key the problem is in
  std::string message;

  // "file:line:column: message" (line and column left out when 0; field as "(field X)" prefix).
  std::string to_string() const;
};

class Diagnostics {
 public:
  void add(std::string file, int line, std::string message);
  void add(std::string file, int line, int column, std::string field, std::string message);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);

  bool ok() const { return items_.empty(); }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // One line per problem, in the order found.
  std::string to_string() const;

 private:
  std::vector<Diagnostic> items_;
};

// Thrown only inside readers to abandon a file that cannot be read at all; never escapes the
// public API of a module (readers convert it to a Diagnostic).
struct InputError {
  Diagnostic diagnostic;
};

}  // namespace osatsim
