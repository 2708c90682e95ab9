// The parameter table as documentation: `demat params`, the table of
// docs/model.md and its regeneration between markers.
#include "scenario/schema.hpp"
#include "scenario/schema_internal.hpp"

#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace demat::schema {
namespace {

template <class Target>
ParameterSpec public_spec(const Entry<Target>& entry, const std::string& prefix) {
    return ParameterSpec{prefix + entry.key, type_name(entry), format_value(entry.default_value),
                         range_text(entry), entry.unit, entry.description, entry.source};
}

}  // namespace
}  // namespace demat::schema

namespace demat {

const std::vector<ParameterSpec>& parameter_schema() {
    static const std::vector<ParameterSpec> specs = [] {
        using namespace schema;
        std::vector<ParameterSpec> out;
        for (const auto& entry : global_entries()) out.push_back(public_spec(entry, ""));
        for (const auto& entry : channel_entries()) {
            auto spec = public_spec(entry, "channels.<channel>.");
            spec.description += " Default for every service that does not set it.";
            out.push_back(std::move(spec));
        }
        for (const auto& entry : service_entries()) out.push_back(public_spec(entry, "services.<service>."));
        for (const auto& entry : channel_entries()) {
            auto spec = public_spec(entry, "services.<service>.channels.<channel>.");
            spec.description += " For this service only (overrides channels.<channel>).";
            out.push_back(std::move(spec));
        }
        return out;
    }();
    return specs;
}

std::string parameter_table_markdown() {
    std::ostringstream out;
    out << "| key | type | default | range | unit | description | source |\n";
    out << "|---|---|---|---|---|---|---|\n";
    for (const auto& spec : parameter_schema()) {
        out << "| `" << spec.key << "` | " << spec.type << " | `"
            << schema::escape_markdown_cell(spec.default_value) << "` | "
            << schema::escape_markdown_cell(spec.range) << " | " << schema::escape_markdown_cell(spec.unit)
            << " | " << schema::escape_markdown_cell(spec.description) << " | "
            << schema::escape_markdown_cell(spec.source) << " |\n";
    }
    out << "\n`<service>` is a service name ([a-z][a-z0-9_]*, at most " << max_services
        << " services); `<channel>` is one of " << schema::join(schema::channel_names(), ", ")
        << ". A channel key set for a service overrides the top-level `[channels.<channel>]` "
           "key, which overrides the default.\n";
    return out.str();
}

namespace {
constexpr std::string_view begin_marker = "<!-- parameters:begin -->";
constexpr std::string_view end_marker = "<!-- parameters:end -->";
}  // namespace

namespace {

// `markdown` with what lies between the two markers replaced by `table`;
// nullopt when neither marker is there.
std::optional<std::string> replace_between(std::string_view markdown, std::string_view begin_mark,
                                           std::string_view end_mark, const std::string& table) {
    const auto begin = markdown.find(begin_mark);
    const auto end = markdown.find(end_mark);
    if (begin != std::string_view::npos && end != std::string_view::npos && begin < end) {
        std::string out(markdown.substr(0, begin + begin_mark.size()));
        out += table;
        out += markdown.substr(end);
        return out;
    }
    if (begin != std::string_view::npos || end != std::string_view::npos)
        throw std::runtime_error("table markers '" + std::string(begin_mark) + "' and '" + std::string(end_mark) +
                                 "' must both appear, in this order");
    return std::nullopt;
}

}  // namespace

std::string update_parameter_section(std::string_view markdown) {
    std::string text(markdown);
    if (auto with_events = replace_between(text, "<!-- timeline:begin -->", "<!-- timeline:end -->",
                                           "\n\n" + timeline_table_markdown() + "\n"))
        text = std::move(*with_events);
    const std::string table = "\n\n" + parameter_table_markdown() + "\n";
    if (auto replaced = replace_between(text, begin_marker, end_marker, table)) return *replaced;
    std::string out(text);
    if (!out.empty() && out.back() != '\n') out += '\n';
    if (!out.empty()) out += '\n';
    out += "## Parameters\n\n"
           "Every scenario key, generated from the schema (sim/scenario/schema.cpp); do not edit the "
           "table by hand. Regenerate it with `cmake --build <build-dir> --target update_parameter_docs` "
           "(`demat params --markdown` prints the same table).\n\n";
    out += begin_marker;
    out += table;
    out += end_marker;
    out += '\n';
    return out;
}

}  // namespace demat
