// Changing a scenario's parameters by dotted key ("services.minimum_income.
// channels.counter.enabled"), as sweeps, `demat sweep --set` and Python's
// Scenario.with_changes do.
//
// A change is applied to the fully resolved scenario (to_toml), so a
// scenario read from a file with `base = ...` keeps everything it inherited,
// and the result goes through the reader again: the schema validates every
// changed key exactly as it validates a file.
#pragma once

#include "core/scenario.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace demat {

using ParameterValue = std::variant<bool, std::int64_t, double, std::string>;

struct ParameterChange {
    std::string key;  // dotted, as in the schema (services.<name>.<key>, channels.<channel>.<key>, ...)
    ParameterValue value;
};

// A copy of `scenario` with `changes` applied in order, validated. Throws
// ScenarioError naming the key and what the schema expects (unknown key, wrong
// type, out of range), or naming the key when a component of it is a value
// rather than a table. A key channels.<channel>.<key> changes that channel
// in every service (services.<name>.channels.<channel>.<key>). The copy's source_text is its resolved TOML;
// source_path is kept.
Scenario with_changes(const Scenario& scenario, const std::vector<ParameterChange>& changes);

// Reads a value typed on a command line: true/false, an integer, a real, or
// else a string.
ParameterValue parse_parameter_value(std::string_view text);

// The value as TOML would write it (strings quoted), for messages and labels.
std::string format_parameter_value(const ParameterValue& value);

}  // namespace demat
