// Scenario files (TOML) -> a validated demat::Scenario.
//
// Every key is checked against the parameter schema (schema.hpp): an unknown
// key, a wrong type or an out-of-range value throws ScenarioError naming the
// file, the line, the key and what was expected.
#pragma once

#include "core/scenario.hpp"

#include "core/error.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace demat {


// Reads and validates a scenario file. A `base = "other.toml"` key (path
// relative to the file) loads that scenario first and applies this file's
// keys on top of it, key by key: for a service's channel key, the service's
// own table beats the top-level [channels.<channel>] table of the same file,
// which beats anything in the base. Throws ScenarioError.
// `source_text` and `source_path` hold this file's text and path (not its
// base's); to_toml() gives the whole resolved scenario.
Scenario load_scenario(const std::string& path);

// Same, from text; `source_name` is used in error messages and for resolving `base`.
Scenario parse_scenario(std::string_view text, const std::string& source_name);

// Every error of a scenario file, up to `limit`, in line order (errors of a
// base file or without a line first); empty when the file is valid.
std::vector<ScenarioError> scenario_errors(const std::string& path, std::size_t limit);

// The files a scenario is read from: `path`, then its base, the base's base...
// (as far as they can be read): what an output must never overwrite.
std::vector<std::string> scenario_files(const std::string& path);

// Overrides from the command line, validated against the same schema ranges;
// errors (ScenarioError) name `source` (e.g. "--population") as the key.
// set_seed throws when the seed does not fit a TOML integer (above 2^63 - 1).
void set_population_size(Scenario& scenario, std::int64_t size, const std::string& source);
// set_days also refuses fewer days than the timeline needs.
void set_days(Scenario& scenario, std::int64_t days, const std::string& source);
void set_seed(Scenario& scenario, std::uint64_t seed);
// A command-line value for `key` ("seed", "days", "population.size") as typed:
// an integer within the key's range, else a ScenarioError quoting `text`.
std::int64_t parse_override(const std::string& key, const std::string& text, const std::string& source);

// The fully resolved scenario (every parameter, defaults included) as TOML
// that parse_scenario reads back to an equal Scenario.
std::string to_toml(const Scenario& scenario);

}  // namespace demat
