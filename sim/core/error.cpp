#include "core/error.hpp"

#include <utility>

namespace demat {

namespace {

std::string compose_message(const std::string& file, int line, int column, const std::string& message) {
    if (file.empty()) return message;
    // append(), not `out += ":" + ...`: GCC 12 warns (-Wrestrict) on the temporaries.
    std::string out = file;
    if (line > 0) out.append(":").append(std::to_string(line));
    if (line > 0 && column > 0) out.append(":").append(std::to_string(column));
    return out.append(": ").append(message);
}

}  // namespace

ScenarioError::ScenarioError(std::string file, int line, std::string key, const std::string& message)
    : ScenarioError(std::move(file), line, 0, std::move(key), message) {}

ScenarioError::ScenarioError(std::string file, int line, int column, std::string key, const std::string& message)
    : Error(ErrorKind::scenario, compose_message(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)) {}

}  // namespace demat
