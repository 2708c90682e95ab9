// Building blocks of the parameter table (schema.cpp, schema_control.cpp):
// one typed constructor per kind of key, and the notes several keys share.
// Internal to the scenario component.
#pragma once

#include "scenario/schema_internal.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace demat::schema::entries {

struct Doc {
    std::string unit;
    std::string description;
    std::string source;
};

// A binding is a generic lambda returning a reference to the field, so the
// same accessor serves the setter (mutable target) and the getter (const).
#define DEMAT_FIELD(path) [](auto& target_) -> auto& { return target_.path; }

template <class Target>
Entry<Target> make_entry(std::string key, Kind kind, Value default_value, Doc doc) {
    Entry<Target> entry;
    entry.key = std::move(key);
    entry.kind = kind;
    entry.default_value = std::move(default_value);
    entry.unit = std::move(doc.unit);
    entry.description = std::move(doc.description);
    entry.source = std::move(doc.source);
    return entry;
}

template <class Target, class Access>
Entry<Target> integer(std::string key, Access access, std::int64_t default_value, std::int64_t min,
                      std::int64_t max, Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::integer, default_value, std::move(doc));
    entry.int_min = min;
    entry.int_max = max;
    entry.set = [access](Target& target, const Value& value) {
        auto& field = access(target);
        field = static_cast<std::remove_cvref_t<decltype(field)>>(std::get<std::int64_t>(value));
    };
    entry.get = [access](const Target& target) -> Value {
        return static_cast<std::int64_t>(access(target));
    };
    return entry;
}

template <class Target, class Access>
Entry<Target> number(std::string key, Access access, double default_value, double min, double max,
                     Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::floating, default_value, std::move(doc));
    entry.min = min;
    entry.max = max;
    entry.set = [access](Target& target, const Value& value) {
        access(target) = std::get<double>(value);
    };
    entry.get = [access](const Target& target) -> Value { return access(target); };
    return entry;
}

template <class Target, class Access>
Entry<Target> probability(std::string key, Access access, double default_value, Doc doc) {
    return number<Target>(std::move(key), access, default_value, 0.0, 1.0, std::move(doc));
}

template <class Target, class Access>
Entry<Target> boolean(std::string key, Access access, bool default_value, Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::boolean, default_value, std::move(doc));
    entry.set = [access](Target& target, const Value& value) {
        access(target) = std::get<bool>(value);
    };
    entry.get = [access](const Target& target) -> Value { return access(target); };
    return entry;
}

template <class Target, class Access>
Entry<Target> text(std::string key, Access access, std::string default_value, std::size_t min_length,
                   Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::string, std::move(default_value), std::move(doc));
    entry.min_length = min_length;
    entry.set = [access](Target& target, const Value& value) {
        access(target) = std::get<std::string>(value);
    };
    entry.get = [access](const Target& target) -> Value { return access(target); };
    return entry;
}

// The enum's underlying values must be 0..names.size()-1 in the order of `names`.
template <class Target, class Access>
Entry<Target> choice(std::string key, Access access, std::vector<std::string> names,
                     std::string default_value, Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::choice, std::move(default_value), std::move(doc));
    entry.names = std::move(names);
    entry.set = [access, names = entry.names](Target& target, const Value& value) {
        const auto found = std::find(names.begin(), names.end(), std::get<std::string>(value));
        auto& field = access(target);
        field = static_cast<std::remove_cvref_t<decltype(field)>>(found - names.begin());
    };
    entry.get = [access, names = entry.names](const Target& target) -> Value {
        return names.at(static_cast<std::size_t>(access(target)));
    };
    return entry;
}

template <class Target, class Access>
Entry<Target> shares(std::string key, Access access, std::vector<double> default_value, Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::float_array, default_value, std::move(doc));
    entry.length = default_value.size();
    entry.min = 0.0;
    entry.max = 1.0;
    entry.sums_to_one = true;
    entry.set = [access](Target& target, const Value& value) {
        const auto& values = std::get<std::vector<double>>(value);
        std::copy(values.begin(), values.end(), access(target).begin());
    };
    entry.get = [access](const Target& target) -> Value {
        const auto& field = access(target);
        return std::vector<double>(field.begin(), field.end());
    };
    return entry;
}

// A fixed-length array of numbers in [min, max] that need not sum to one.
template <class Target, class Access>
Entry<Target> numbers(std::string key, Access access, std::vector<double> default_value, double min, double max,
                      Doc doc) {
    auto entry = shares<Target>(std::move(key), access, std::move(default_value), std::move(doc));
    entry.min = min;
    entry.max = max;
    entry.sums_to_one = false;
    return entry;
}

// A list of distinct indices in [min, max], perhaps empty, kept in the
// order given (a check against the population, when one is needed, is the
// reader's: see check_control in reader.cpp).
template <class Target, class Access>
Entry<Target> index_list(std::string key, Access access, std::int64_t min, std::int64_t max, Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::index_list, std::vector<std::int64_t>{}, std::move(doc));
    entry.int_min = min;
    entry.int_max = max;
    entry.set = [access](Target& target, const Value& value) {
        const auto& values = std::get<std::vector<std::int64_t>>(value);
        auto& field = access(target);
        field.assign(values.begin(), values.end());
    };
    entry.get = [access](const Target& target) -> Value {
        const auto& field = access(target);
        return std::vector<std::int64_t>(field.begin(), field.end());
    };
    return entry;
}

// A set of names stored as a bit mask: bit i <=> names[i].
template <class Target, class Access>
Entry<Target> name_set(std::string key, Access access, std::vector<std::string> names, Doc doc) {
    auto entry = make_entry<Target>(std::move(key), Kind::name_set, names, std::move(doc));
    entry.names = std::move(names);
    entry.set = [access, names = entry.names](Target& target, const Value& value) {
        unsigned mask = 0;
        for (const auto& name : std::get<std::vector<std::string>>(value)) {
            const auto index = std::find(names.begin(), names.end(), name) - names.begin();
            mask |= 1u << index;
        }
        auto& field = access(target);
        field = static_cast<std::remove_cvref_t<decltype(field)>>(mask);
    };
    entry.get = [access, names = entry.names](const Target& target) -> Value {
        std::vector<std::string> members;
        const auto mask = static_cast<unsigned>(access(target));
        for (std::size_t i = 0; i < names.size(); ++i)
            if (mask & (1u << i)) members.push_back(names[i]);
        return members;
    };
    return entry;
}

// Logit coefficients are bounded so that a typo (an extra zero) is caught,
// while any plausible effect size fits.
constexpr double logit_max = 20.0;

inline const std::string skill_note =
    "assumption: logit weight chosen so that the success and choice probabilities span the "
    "observed range (67% of adults did an online procedure in 2021, 32% gave up one at least "
    "once: Insee Focus 267, 2022); to be calibrated";

// The control block of the table (schema_control.cpp).
void add_control_entries(std::vector<GlobalEntry>& e);
// The agencies' block (schema_agencies.cpp).
void add_agency_entries(std::vector<GlobalEntry>& e);
// The life course block (schema_life_course.cpp).
void add_life_course_entries(std::vector<GlobalEntry>& e);
// The moving-house block (schema_moving.cpp).
void add_moving_entries(std::vector<GlobalEntry>& e);

}  // namespace demat::schema::entries
