// Scenario files (TOML) -> a validated demat::Scenario.
//
// Every key is checked against the parameter schema (schema.hpp): an unknown
// key, a wrong type or an out-of-range value throws ScenarioError naming the
// file, the line, the key and what was expected.
#pragma once

#include "core/scenario.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace demat {

class ScenarioError : public std::runtime_error {
public:
    ScenarioError(std::string file, int line, std::string key, const std::string& message);
    const std::string& file() const { return file_; }
    int line() const { return line_; }  // 0 when unknown
    const std::string& key() const { return key_; }

private:
    std::string file_;
    int line_;
    std::string key_;
};

// Reads and validates a scenario file. A `base = "other.toml"` key (path
// relative to the file) loads that scenario first and applies this file's
// keys on top of it.
Scenario load_scenario(const std::string& path);

// Same, from text; `source_name` is used in error messages and for resolving `base`.
Scenario parse_scenario(std::string_view text, const std::string& source_name);

// Overrides from the command line, validated against the same schema ranges;
// errors name `source` (e.g. "--population") as the key.
void set_population_size(Scenario& scenario, std::int64_t size, const std::string& source);
void set_days(Scenario& scenario, std::int64_t days, const std::string& source);
void set_seed(Scenario& scenario, std::uint64_t seed);

// The fully resolved scenario (every parameter, defaults included) as TOML
// that parse_scenario reads back to an equal Scenario.
std::string to_toml(const Scenario& scenario);

}  // namespace demat
