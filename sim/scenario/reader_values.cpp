// One value of a scenario file: its conversion, its range check and the
// message that names the file, the line, the key and what was expected.
#include "scenario/reader_internal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace demat::reader_detail {

[[noreturn]] void fail(const std::string& file, int line, const std::string& key, const std::string& message) {
    throw ScenarioError(file, line, key, message);
}

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }
int line_of(const toml::key& key) { return static_cast<int>(key.source().begin.line); }

// Implicitly created tables ([a.b.c] creates a and a.b) may carry no position.
int line_of(const toml::key& key, const toml::node& node) {
    const int line = line_of(node);
    return line > 0 ? line : line_of(key);
}

std::string describe(const toml::node& node) {
    if (const auto* v = node.as_integer()) return std::to_string(v->get());
    if (const auto* v = node.as_floating_point()) return format_double(v->get());
    if (const auto* v = node.as_boolean()) return v->get() ? "true" : "false";
    if (const auto* v = node.as_string()) return quote(v->get());
    if (const auto* v = node.as_array()) return "an array of " + std::to_string(v->size()) + " values";
    if (node.is_table()) return "a table";
    return "a date/time";
}

// ---- "did you mean" ---------------------------------------------------------

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string_view last_component(std::string_view key) {
    const auto dot = key.rfind('.');
    return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

}  // namespace

// The closest candidate, comparing whole keys and also last components (so a
// key put in the wrong section is found), if it is close enough to be a typo.
std::optional<std::string> closest(std::string_view key, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : candidates) {
        const std::size_t d = std::min(edit_distance(key, candidate),
                                       edit_distance(last_component(key), last_component(candidate)));
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    const std::size_t tolerance = std::max<std::size_t>(2, last_component(key).size() / 3);
    if (best && best_distance <= tolerance) return best;
    return std::nullopt;
}

[[noreturn]] void unknown(const std::string& file, int line, const std::string& key, const std::string& what,
                          const std::vector<std::string>& candidates) {
    std::string message = "unknown " + what + " '" + key + "'";
    if (auto suggestion = closest(key, candidates)) message += " (did you mean '" + *suggestion + "'?)";
    fail(file, line, key, message);
}

// ---- one value ----------------------------------------------------------------

namespace {

[[noreturn]] void bad_value(const Spec& spec, const std::string& file, int line, const std::string& key,
                            const std::string& got) {
    fail(file, line, key, "key '" + key + "': expected " + expectation(spec) + ", got " + got);
}

std::optional<double> as_number(const toml::node& node) {
    if (const auto* v = node.as_floating_point()) return v->get();
    // Integers are accepted where floats are expected: "1" for 1.0 is no mistake.
    if (const auto* v = node.as_integer()) return static_cast<double>(v->get());
    return std::nullopt;
}

bool in_range(const Spec& spec, double x) { return x >= spec.min && x <= spec.max; }  // false for NaN

}  // namespace

Value convert(const Spec& spec, const toml::node& node, const std::string& file, int line, const std::string& key) {
    const auto bad = [&](const std::string& got) { bad_value(spec, file, line, key, got); };
    switch (spec.kind) {
        case Kind::integer: {
            const auto* v = node.as_integer();
            if (!v || v->get() < spec.int_min || v->get() > spec.int_max) bad(describe(node));
            return v->get();
        }
        case Kind::floating: {
            const auto x = as_number(node);
            if (!x || !in_range(spec, *x)) bad(describe(node));
            return *x;
        }
        case Kind::boolean: {
            const auto* v = node.as_boolean();
            if (!v) bad(describe(node));
            return v->get();
        }
        case Kind::string: {
            const auto* v = node.as_string();
            if (!v || v->get().size() < spec.min_length) bad(describe(node));
            return v->get();
        }
        case Kind::choice: {
            const auto* v = node.as_string();
            if (!v || std::find(spec.names.begin(), spec.names.end(), v->get()) == spec.names.end())
                bad(describe(node));
            return v->get();
        }
        case Kind::float_array: {
            const auto* array = node.as_array();
            if (!array) bad(describe(node));
            if (array->size() != spec.length) bad(describe(node));
            std::vector<double> values;
            double sum = 0.0;
            for (std::size_t i = 0; i < array->size(); ++i) {
                const auto x = as_number(*array->get(i));
                if (!x || !in_range(spec, *x))
                    bad(describe(*array->get(i)) + " at position " + std::to_string(i + 1));
                values.push_back(*x);
                sum += *x;
            }
            if (spec.sums_to_one && std::abs(sum - 1.0) > 1e-6)
                bad("values summing to " + format_double(sum));
            return values;
        }
        case Kind::name_set: {
            const auto* array = node.as_array();
            if (!array || array->empty()) bad(array ? "an empty array" : describe(node));
            std::vector<std::string> names;
            for (const auto& element : *array) {
                const auto* s = element.as_string();
                if (!s || std::find(spec.names.begin(), spec.names.end(), s->get()) == spec.names.end())
                    bad(describe(element));
                if (std::find(names.begin(), names.end(), s->get()) != names.end())
                    bad(quote(s->get()) + " twice");
                names.push_back(s->get());
            }
            return names;
        }
        case Kind::index_list: {
            const auto* array = node.as_array();
            if (!array) bad(describe(node));
            std::vector<std::int64_t> values;
            for (std::size_t i = 0; i < array->size(); ++i) {
                const auto* v = array->get(i)->as_integer();
                if (!v || v->get() < spec.int_min || v->get() > spec.int_max)
                    bad(describe(*array->get(i)) + " at position " + std::to_string(i + 1));
                if (std::find(values.begin(), values.end(), v->get()) != values.end())
                    bad(std::to_string(v->get()) + " twice");
                values.push_back(v->get());
            }
            return values;
        }
    }
    throw std::logic_error("scenario schema: unhandled kind for key " + key);
}

}  // namespace demat::reader_detail
