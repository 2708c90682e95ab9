// The typed parameter table behind schema.hpp, shared by the schema, the
// reader and the docs generator (internal to the scenario component).
//
// Each entry binds one scenario key to one field of a target struct
// (Scenario, ServiceParams or ChannelParams) through a setter/getter pair, and
// carries the key's type, default, range and documentation. Parsing,
// validation, resolution, to_toml and the docs table all iterate these
// tables; no per-parameter code exists anywhere else.
#pragma once

#include "core/scenario.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace demat::schema {

enum class Kind {
    integer,      // TOML integer -> int / int64 / uint64 field
    floating,     // TOML float or integer -> double field
    boolean,
    string,       // free text (min_length applies)
    choice,       // one string among `names` -> enum field
    float_array,  // fixed-length array of floats in [min, max], optionally summing to 1
    name_set,     // non-empty list of distinct strings among `names` -> bit mask
    index_list,   // list (perhaps empty) of distinct integers in [int_min, int_max] -> vector of indices
};

using Value = std::variant<std::int64_t, double, bool, std::string, std::vector<double>,
                           std::vector<std::string>, std::vector<std::int64_t>>;

// Everything about a key except its binding.
struct Spec {
    std::string key;  // relative to the target: "days", "eligibility.age_min", "enabled"
    Kind kind = Kind::floating;
    Value default_value;
    std::int64_t int_min = 0, int_max = 0;  // integer, index_list elements
    double min = 0.0, max = 0.0;            // floating, float_array elements
    std::vector<std::string> names;         // choice, name_set
    std::size_t length = 0;                 // float_array
    bool sums_to_one = false;               // float_array
    std::size_t min_length = 0;             // string
    std::string unit;
    std::string description;
    std::string source;
};

template <class Target>
struct Entry : Spec {
    // Empty for keys that steer the reader but map to no field (`base`).
    std::function<void(Target&, const Value&)> set;
    std::function<Value(const Target&)> get;
};

using GlobalEntry = Entry<Scenario>;
using ServiceEntry = Entry<ServiceParams>;
using ChannelEntry = Entry<ChannelParams>;

// In the order they are documented and written by to_toml.
const std::vector<GlobalEntry>& global_entries();
const std::vector<ServiceEntry>& service_entries();  // keys relative to [services.<name>]
const std::vector<ChannelEntry>& channel_entries();  // keys relative to [channels.<channel>]

// Channel names in the order of demat::Channel.
const std::vector<std::string>& channel_names();
std::optional<int> channel_index(std::string_view name);

inline constexpr std::size_t max_service_name_length = 40;
bool is_service_name(std::string_view name);

// ---- formatting shared by the docs, the error messages and to_toml ---------

// Shortest text that reads back to the same double, always with a '.' or an
// exponent so that TOML reads it as a float.
std::string format_double(double value);
std::string quote(std::string_view text);  // a TOML basic string, escaped
std::string format_value(const Value& value);  // TOML syntax
std::string type_name(const Spec& spec);  // type column of the docs table
std::string range_text(const Spec& spec);  // range column of the docs table

// What a correct value looks like, for "expected ..." in error messages:
// "an integer in [1, 365]", "a number in [0, 1]", "one of doing_for, doing_with".
std::string expectation(const Spec& spec);

std::string join(const std::vector<std::string>& items, std::string_view separator);
std::string escape_markdown_cell(std::string text);  // | escaped, newlines as spaces

}  // namespace demat::schema
