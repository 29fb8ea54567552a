#pragma once
// A closed set of words for an enumeration (an option's values): one table per enumeration is
// the only place its words are written; parsing, printing, the command line's checks and its
// help text all read it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osatsim {

template <class E>
struct Choice {
  E value;
  std::string_view word;
  std::string_view meaning;  // a few words for help texts
};

// The word of `v` ("?" when the table lacks it).
template <class E, std::size_t N>
constexpr std::string_view word_of(const Choice<E> (&table)[N], E v) {
  for (const auto& c : table)
    if (c.value == v) return c.word;
  return "?";
}

// The value named by `word`, or nothing.
template <class E, std::size_t N>
constexpr std::optional<E> parse_choice(const Choice<E> (&table)[N], std::string_view word) {
  for (const auto& c : table)
    if (c.word == word) return c.value;
  return std::nullopt;
}

// Every word, in table order (e.g. for CLI::IsMember).
template <class E, std::size_t N>
std::vector<std::string> choice_words(const Choice<E> (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& c : table) out.emplace_back(c.word);
  return out;
}

// "model" (the model's own reading) before the words of a table.
inline std::vector<std::string> with_model(std::vector<std::string> words) {
  words.insert(words.begin(), "model");
  return words;
}

// "a, b, c": the words, for error messages.
template <class E, std::size_t N>
std::string choice_list(const Choice<E> (&table)[N]) {
  std::string out;
  for (const auto& c : table) {
    if (!out.empty()) out += ", ";
    out += c.word;
  }
  return out;
}

// "a (meaning), b (meaning)": the words with their meanings, for help texts; `deflt`, if
// given, is marked as the default.
template <class E, std::size_t N>
std::string choice_help(const Choice<E> (&table)[N], std::optional<E> deflt = std::nullopt) {
  std::string out;
  for (const auto& c : table) {
    if (!out.empty()) out += ", ";
    out += c.word;
    out += " (";
    if (c.value == deflt) out += "default, ";
    out += c.meaning;
    out += ")";
  }
  return out;
}

}  // namespace osatsim
