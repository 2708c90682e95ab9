#include "sweep/overrides.hpp"

#include "scenario/reader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <sstream>

namespace demat {

namespace {

std::vector<std::string> split_key(const std::string& key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = key.find('.', start);
        parts.push_back(key.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    for (const auto& p : parts)
        if (p.empty()) throw ScenarioError("", 0, key, "key '" + key + "': empty component in a dotted key");
    return parts;
}

void assign(toml::table& root, const ParameterChange& change) {
    const auto parts = split_key(change.key);
    toml::table* table = &root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        toml::node* child = table->get(parts[i]);
        if (!child) {
            // A table the resolved scenario does not have (a new service, say):
            // created here, and the reader says whether it may exist.
            table->insert(parts[i], toml::table{});
            child = table->get(parts[i]);
        }
        table = child->as_table();
        if (!table) {
            std::string prefix;
            for (std::size_t j = 0; j <= i; ++j) prefix += (j ? "." : "") + parts[j];
            throw ScenarioError("", 0, change.key,
                                "key '" + change.key + "': '" + prefix + "' is a value, not a table");
        }
    }
    const std::string& leaf = parts.back();
    if (const toml::node* existing = table->get(leaf); existing && existing->is_table())
        throw ScenarioError("", 0, change.key,
                            "key '" + change.key + "' is a table; change one of its keys instead");
    std::visit([&](const auto& v) { table->insert_or_assign(leaf, v); }, change.value);
}

// toml++ keeps a table's keys sorted, and writing it back would reorder the
// services, whose order is the order of the `service` axis of the results.
// So tables are written here in the order their keys appear in the resolved
// text (keys added by a change go last).
std::uint32_t line_of(const toml::node& node) {
    const auto line = node.source().begin.line;
    return line == 0 ? std::numeric_limits<std::uint32_t>::max() : line;
}

std::vector<std::pair<std::string, const toml::node*>> in_source_order(const toml::table& table) {
    std::vector<std::pair<std::string, const toml::node*>> entries;
    for (const auto& [k, v] : table) entries.emplace_back(std::string(k.str()), &v);
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return line_of(*a.second) < line_of(*b.second); });
    return entries;
}

void write_table(std::ostream& out, const toml::table& table, const std::string& path) {
    const auto entries = in_source_order(table);
    bool header = path.empty();
    for (const auto& [key, node] : entries) {
        if (node->is_table()) continue;
        if (!header) {
            out << "\n[" << path << "]\n";
            header = true;
        }
        // Scenario keys are bare TOML keys (letters, digits, '_'), written as is.
        out << key << " = ";
        node->visit([&](const auto& v) { out << v; });
        out << "\n";
    }
    for (const auto& [key, node] : entries)
        if (const auto* sub = node->as_table()) write_table(out, *sub, path.empty() ? key : path + "." + key);
}

}  // namespace

Scenario with_changes(const Scenario& scenario, const std::vector<ParameterChange>& changes) {
    toml::table root = toml::parse(to_toml(scenario));
    for (const auto& change : changes) {
        if (change.key.starts_with("channels.")) {
            // The resolved scenario spells out every service's channels, and a
            // service's own channel table beats the top-level one: a change to
            // channels.<channel>.<key> is therefore made in every service, as
            // the same key in a file without per-service channel tables would.
            for (const auto& service : scenario.services)
                assign(root, {"services." + service.name + "." + change.key, change.value});
        } else {
            assign(root, change);
        }
    }
    std::ostringstream text;
    write_table(text, root, "");
    Scenario changed;
    try {
        // No source name: the line numbers of generated text would mislead, and
        // the resolved text has no `base` to find relative to a file.
        changed = parse_scenario(text.str(), "");
    } catch (const ScenarioError& e) {
        throw ScenarioError("", 0, e.key(), std::string("changed scenario '") + scenario.name + "': " + e.what());
    }
    changed.source_path = scenario.source_path;
    changed.source_text = to_toml(changed);
    return changed;
}

ParameterValue parse_parameter_value(std::string_view text) {
    if (text == "true") return true;
    if (text == "false") return false;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(first, last, i); ec == std::errc{} && p == last && !text.empty()) return i;
    double d = 0;
    if (auto [p, ec] = std::from_chars(first, last, d); ec == std::errc{} && p == last && !text.empty()) return d;
    return std::string(text);
}

std::string format_parameter_value(const ParameterValue& value) {
    std::ostringstream out;
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
                out << toml::value<std::string>(v);
            else
                out << toml::value<T>(v);
        },
        value);
    return out.str();
}

}  // namespace demat
