// Scenario files -> Scenario, driven entirely by the parameter table
// (schema_internal.hpp).
//
// Reading happens in two passes. First every file of the `base` chain is
// walked on its own: each key is looked up in the schema, converted and
// range-checked, and kept with its file and line in a Layer. Then the layers
// are resolved key by key, most derived file first, which is what makes a
// derived top-level [channels.counter] beat a base's per-service table while
// the derived file's own per-service table still beats both.
#include "scenario/reader.hpp"
#include "scenario/schema.hpp"
#include "scenario/reader_internal.hpp"
#include "scenario/schema_internal.hpp"
#include "core/segments.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace demat {

namespace {

using namespace schema;
using namespace reader_detail;

// ---- walking one file -----------------------------------------------------------

template <class Target>
bool is_section(const std::vector<Entry<Target>>& entries, std::string_view prefix) {
    for (const auto& e : entries)
        if (e.key.size() > prefix.size() && e.key.starts_with(prefix) && e.key[prefix.size()] == '.') return true;
    return false;
}

// Section names and keys a table at `relative_prefix` may hold, for suggestions.
template <class Target>
std::vector<std::string> candidate_keys(const std::vector<Entry<Target>>& entries, const std::string& display_prefix,
                                        const std::vector<std::string>& extra) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(display_prefix + e.key);
        const auto dot = e.key.find('.');
        if (dot != std::string::npos) out.push_back(display_prefix + e.key.substr(0, dot));
    }
    for (const auto& x : extra) out.push_back(display_prefix + x);
    return out;
}

// Walks a table whose keys are the schema keys of one target (the root for
// Scenario, [services.<name>] for ServiceParams), recursing into sections.
// `special(name, key, node)` handles the scope's sub-tables that are not
// sections (services, channels) and returns whether it did.
template <class Target, class Special>
void walk_keys(const toml::table& table, const std::string& relative_prefix, const std::string& display_prefix,
               const std::vector<Entry<Target>>& entries, KeyMap& out, const WalkContext& context,
               const std::vector<std::string>& special_names, Special special) {
    for (auto&& [k, node] : table) {
        const std::string name(k.str());
        const std::string relative = relative_prefix + name;
        const std::string display = display_prefix + relative;
        const int line = line_of(k, node);
        if (relative_prefix.empty() && special(name, display, node, line)) continue;
        if (const auto* entry = find_entry(entries, relative)) {
            out[relative] = Located{convert(*entry, node, context.file, line, display), context.file, line, display};
        } else if (is_section(entries, relative)) {
            const auto* sub = node.as_table();
            if (!sub) fail(context.file, line, display, "key '" + display + "': expected a table of '" + display +
                                                            ".*' keys, got " + describe(node));
            walk_keys(*sub, relative + ".", display_prefix, entries, out, context, special_names, special);
        } else {
            unknown(context.file, line, display, "key", candidate_keys(entries, display_prefix, special_names));
        }
    }
}

const toml::table& expect_table(const toml::node& node, const WalkContext& context, int line,
                                const std::string& display, const std::string& what) {
    const auto* table = node.as_table();
    if (!table) fail(context.file, line, display, "key '" + display + "': expected " + what + ", got " + describe(node));
    return *table;
}

// [<prefix>channels.<channel>] tables.
void walk_channels(const toml::table& table, const std::string& display, ChannelMaps& out, const WalkContext& context) {
    std::vector<std::string> channel_keys;
    for (const auto& name : channel_names()) channel_keys.push_back(display + "." + name);
    for (auto&& [k, node] : table) {
        const std::string name(k.str());
        const std::string channel_display = display + "." + name;
        const int line = line_of(k, node);
        const auto index = channel_index(name);
        if (!index) {
            std::string message = "unknown channel '" + name + "' in '" + channel_display + "': expected one of " +
                                  join(channel_names(), ", ");
            if (auto suggestion = closest(channel_display, channel_keys))
                message += " (did you mean '" + *suggestion + "'?)";
            fail(context.file, line, channel_display, message);
        }
        const auto& channel_table = expect_table(node, context, line, channel_display, "a table of channel keys");
        walk_keys(channel_table, "", channel_display + ".", channel_entries(), out[static_cast<std::size_t>(*index)],
                  context, {}, [](const std::string&, const std::string&, const toml::node&, int) { return false; });
    }
}

// [services.<name>] tables, in the order they first appear in the file.
void walk_services(const toml::table& table, Layer& layer, const WalkContext& context) {
    std::vector<std::pair<const toml::key*, const toml::node*>> ordered;
    for (auto&& [k, node] : table) ordered.emplace_back(&k, &node);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return line_of(*a.first) < line_of(*b.first); });
    for (const auto& [k, node] : ordered) {
        const std::string name(k->str());
        const std::string display = "services." + name;
        const int line = line_of(*k, *node);
        if (!is_service_name(name))
            fail(context.file, line, display,
                 "key '" + display + "': a service name must be an identifier ([a-z][a-z0-9_]*, at most " +
                     std::to_string(max_service_name_length) + " characters), got " + quote(name));
        const auto& service_table = expect_table(*node, context, line, display, "a table of service keys");
        ServiceLayer service;
        service.name = name;
        service.line = line;
        walk_keys(service_table, "", display + ".", service_entries(), service.keys, context, {"channels"},
                  [&](const std::string& key, const std::string& key_display, const toml::node& sub, int sub_line) {
                      if (key != "channels") return false;
                      walk_channels(expect_table(sub, context, sub_line, key_display, "a table of channels"),
                                    key_display, service.channels, context);
                      return true;
                  });
        layer.services.push_back(std::move(service));
    }
}

Layer walk_file(const toml::table& root, const std::string& file) {
    Layer layer;
    layer.file = file;
    const WalkContext context{file};
    walk_keys(root, "", "", global_entries(), layer.globals, context, {"services", "channels", "timeline"},
              [&](const std::string& key, const std::string& display, const toml::node& node, int line) {
                  if (key == "timeline") {
                      walk_timeline(node, display, line, layer, context);
                      return true;
                  }
                  if (key == "services") {
                      walk_services(expect_table(node, context, line, display, "a table of services"), layer, context);
                      return true;
                  }
                  if (key == "channels") {
                      walk_channels(expect_table(node, context, line, display, "a table of channels"), display,
                                    layer.channels, context);
                      return true;
                  }
                  return false;
              });
    return layer;
}

// ---- files and the base chain ---------------------------------------------------

std::optional<std::string> read_text(const std::string& path, std::string& error) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        error = "no such file";
        return std::nullopt;
    }
    if (fs::is_directory(path, ec)) {
        error = "is a directory";
        return std::nullopt;
    }
    // Devices and pipes (/dev/zero, /dev/stdin) would never end.
    if (!fs::is_regular_file(path, ec)) {
        error = "is not a regular file";
        return std::nullopt;
    }
    constexpr std::uintmax_t max_bytes = 16u << 20;
    if (fs::file_size(path, ec) > max_bytes) {
        error = "is larger than 16 MB, too large for a scenario";
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
        error = "read error";
        return std::nullopt;
    }
    return buffer.str();
}

constexpr int max_base_depth = 16;

// Appends the layers of `text` to `layers`, base first.
void load_layers(std::string_view text, const std::string& source_name, std::vector<Layer>& layers,
                 std::vector<std::string>& chain) {
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& error) {
        const auto& where = error.source().begin;
        throw ScenarioError(source_name, static_cast<int>(where.line), static_cast<int>(where.column), "",
                            "TOML syntax error: " + std::string(error.description()));
    }
    Layer layer = walk_file(root, source_name);
    if (const auto base = layer.globals.find("base"); base != layer.globals.end()) {
        const auto& relative = std::get<std::string>(base->second.value);
        if (relative.empty()) fail(source_name, base->second.line, "base", "key 'base': expected a file name, got \"\"");
        const auto path =
            (std::filesystem::path(source_name).parent_path() / std::filesystem::path(relative)).lexically_normal().string();
        std::error_code ec;
        const auto canonical = std::filesystem::weakly_canonical(path, ec).string();
        if (std::find(chain.begin(), chain.end(), canonical) != chain.end())
            fail(source_name, base->second.line, "base", "key 'base': '" + path + "' is already being loaded (a cycle of base files)");
        if (static_cast<int>(chain.size()) >= max_base_depth)
            fail(source_name, base->second.line, "base", "key 'base': more than " + std::to_string(max_base_depth) + " nested base files");
        std::string error;
        const auto base_text = read_text(path, error);
        if (!base_text)
            fail(source_name, base->second.line, "base", "key 'base': cannot read scenario file '" + path + "': " + error);
        chain.push_back(canonical);
        load_layers(*base_text, path, layers, chain);
        chain.pop_back();
    }
    layers.push_back(std::move(layer));
}

// ---- resolution -------------------------------------------------------------------

// Most derived first.
const Located* find_service_key(const std::vector<Layer>& layers, const std::string& service, const std::string& key) {
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer)
        if (const auto* s = layer->service(service))
            if (auto found = s->keys.find(key); found != s->keys.end()) return &found->second;
    return nullptr;
}

// Per file, most derived first: the service's own channel table, then the
// file's top-level [channels.<channel>].
const Located* find_channel_key(const std::vector<Layer>& layers, const std::string& service, std::size_t channel,
                                const std::string& key) {
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) {
        if (const auto* s = layer->service(service))
            if (auto found = s->channels[channel].find(key); found != s->channels[channel].end()) return &found->second;
        if (auto found = layer->channels[channel].find(key); found != layer->channels[channel].end())
            return &found->second;
    }
    return nullptr;
}

template <class Target>
void apply(Target& target, const Entry<Target>& entry, const Located* located) {
    if (!entry.set) return;
    entry.set(target, located ? located->value : entry.default_value);
}

// Where a service was first declared: its file and line.
std::pair<std::string, int> service_origin(const std::vector<Layer>& layers, const std::string& name) {
    for (const auto& layer : layers)
        if (const auto* s = layer.service(name)) return {layer.file, s->line};
    return {"", 0};
}

// Orders values by when they were set: later file in the base chain, then later line.
std::pair<std::size_t, int> recency(const std::vector<Layer>& layers, const Located& located) {
    for (std::size_t i = 0; i < layers.size(); ++i)
        if (layers[i].file == located.file) return {i, located.line};
    return {0, located.line};
}

void check_service(const std::vector<Layer>& layers, const ServiceParams& service, const std::string& top_file) {
    const std::string prefix = "services." + service.name + ".";
    if (service.eligibility.age_min > service.eligibility.age_max) {
        // Blame the key set last (most derived file, then later line): that is
        // the one the analyst just edited.
        const Located* min_at = find_service_key(layers, service.name, "eligibility.age_min");
        const Located* max_at = find_service_key(layers, service.name, "eligibility.age_max");
        const bool blame_max = max_at && (!min_at || recency(layers, *max_at) > recency(layers, *min_at));
        const Located* at = blame_max ? max_at : min_at;
        const std::string key = prefix + (blame_max ? "eligibility.age_max" : "eligibility.age_min");
        const std::string expected =
            blame_max ? "an integer in [" + std::to_string(service.eligibility.age_min) + ", 120] (at least eligibility.age_min)"
                      : "an integer in [18, " + std::to_string(service.eligibility.age_max) + "] (at most eligibility.age_max)";
        const int got = blame_max ? service.eligibility.age_max : service.eligibility.age_min;
        fail(at ? at->file : top_file, at ? at->line : 0, key,
             "key '" + key + "': expected " + expected + ", got " + std::to_string(got));
    }
    const bool any_open = std::any_of(service.channels.begin(), service.channels.end(),
                                      [](const ChannelParams& c) { return c.enabled; });
    if (!any_open && !service.automatic) {
        const auto [file, line] = service_origin(layers, service.name);
        fail(file, line, "services." + service.name,
             "service '" + service.name + "' has every channel closed and is not automatic: nobody could "
             "claim it (open a channel or set automatic = true)");
    }
}

// control.targeted_zones names zones of the population: the first index
// not among them, or -1.
std::int64_t zone_outside(const Scenario& scenario) {
    for (const std::int64_t z : scenario.control.targeted_zones)
        if (z >= zone_count(scenario.population)) return z;
    return -1;
}

std::string zones_of(const Scenario& scenario) {
    const std::int64_t n = zone_count(scenario.population);
    return std::to_string(n) + " zone" + (n > 1 ? "s" : "") + " (indices 0 to " + std::to_string(n - 1) +
           ": population.size " + std::to_string(scenario.population.size) + " / population.zone_size " +
           std::to_string(scenario.population.zone_size) + ", rounded up)";
}

Scenario resolve(const std::vector<Layer>& layers, std::string_view text, const std::string& source_name) {
    Scenario scenario;
    // Defaults come from the schema, not from the struct: a test checks they agree.
    for (const auto& entry : global_entries()) apply(scenario, entry, find_global(layers, entry.key));

    std::vector<std::string> names;
    for (const auto& layer : layers)
        for (const auto& s : layer.services)
            if (std::find(names.begin(), names.end(), s.name) == names.end()) names.push_back(s.name);

    if (names.empty())
        fail(source_name, 0, "services",
             "no service defined: a scenario needs at least one [services.<name>] table");
    if (names.size() > static_cast<std::size_t>(max_services)) {
        const auto& extra = names[static_cast<std::size_t>(max_services)];
        const auto [file, line] = service_origin(layers, extra);
        fail(file, line, "services." + extra,
             "key 'services." + extra + "': at most " + std::to_string(max_services) +
                 " services are allowed, this is number " + std::to_string(max_services + 1));
    }

    for (const auto& name : names) {
        ServiceParams service;
        service.name = name;
        for (const auto& entry : service_entries()) apply(service, entry, find_service_key(layers, name, entry.key));
        for (std::size_t c = 0; c < service.channels.size(); ++c)
            for (const auto& entry : channel_entries())
                apply(service.channels[c], entry, find_channel_key(layers, name, c, entry.key));
        check_service(layers, service, source_name);
        scenario.services.push_back(std::move(service));
    }

    resolve_timeline(layers, scenario);

    if (const std::int64_t z = zone_outside(scenario); z >= 0) {
        const Located* at = find_global(layers, "control.targeted_zones");
        fail(at ? at->file : source_name, at ? at->line : 0, "control.targeted_zones",
             "key 'control.targeted_zones': zone " + std::to_string(z) + " is not a zone of the population, which has " +
                 zones_of(scenario));
    }

    const auto& w = scenario.capital;
    if (w.education + w.digital_skill + w.literacy + w.admin_literacy + w.helpers <= 0.0) {
        const Located* at = nullptr;
        for (const char* key : {"capital.education", "capital.digital_skill", "capital.literacy",
                                "capital.admin_literacy", "capital.helpers"})
            if (const auto* found = find_global(layers, key); found && (!at || found->line > at->line)) at = found;
        fail(at ? at->file : source_name, at ? at->line : 0, "capital",
             "keys 'capital.*': expected at least one positive weight, got all five equal to 0");
    }

    scenario.source_text = std::string(text);
    scenario.source_path = source_name;
    return scenario;
}

const Spec& spec_of(std::string_view key) {
    const auto* entry = find_entry(global_entries(), key);
    if (!entry) throw std::logic_error("scenario schema has no key " + std::string(key));
    return *entry;
}

void check_override(std::string_view key, std::int64_t value, const std::string& source) {
    const Spec& spec = spec_of(key);
    if (value < spec.int_min || value > spec.int_max)
        throw ScenarioError("", 0, source, "'" + source + "': expected " + expectation(spec) + ", got " + std::to_string(value));
}

// ---- to_toml ----------------------------------------------------------------------

std::pair<std::string, std::string> split_section(const std::string& key) {
    const auto dot = key.rfind('.');
    if (dot == std::string::npos) return {"", key};
    return {key.substr(0, dot), key.substr(dot + 1)};
}

template <class Target>
void write_entries(std::ostringstream& out, const Target& target, const std::vector<Entry<Target>>& entries,
                   const std::string& table_prefix) {
    std::string section = "\x01";  // no section written yet
    for (const auto& entry : entries) {
        if (!entry.get) continue;
        auto [entry_section, name] = split_section(entry.key);
        if (entry_section != section) {
            section = entry_section;
            const std::string header = table_prefix.empty() ? section
                                       : section.empty()    ? table_prefix
                                                            : table_prefix + "." + section;
            if (!header.empty()) out << "\n[" << header << "]\n";
        }
        out << name << " = " << format_value(entry.get(target));
        if (!entry.unit.empty()) out << "  # " << entry.unit;
        out << "\n";
    }
}

}  // namespace

namespace reader_detail {

// Most derived first.
const Located* find_global(const std::vector<Layer>& layers, const std::string& key) {
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer)
        if (auto found = layer->globals.find(key); found != layer->globals.end()) return &found->second;
    return nullptr;
}

}  // namespace reader_detail

Scenario parse_scenario(std::string_view text, const std::string& source_name) {
    std::vector<Layer> layers;
    std::error_code ec;
    std::vector<std::string> chain{std::filesystem::weakly_canonical(source_name, ec).string()};
    load_layers(text, source_name, layers, chain);
    try {
        return resolve(layers, text, source_name);
    } catch (const ScenarioError& e) {
        // An error located in a base file may come from what the derived file
        // changed: the message names both.
        if (source_name.empty() || e.file().empty() || e.file() == source_name) throw;
        const std::string prefix = e.file() + ":" + (e.line() ? std::to_string(e.line()) + ": " : "");
        std::string message = e.what();
        if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
        throw ScenarioError(e.file(), e.line(), e.key(), message + " (in the base of " + source_name + ")");
    }
}

std::vector<ScenarioError> scenario_errors(const std::string& path, std::size_t limit) {
    std::vector<ScenarioError> errors;
    std::string error;
    const auto text = read_text(path, error);
    if (!text) {
        errors.emplace_back(path, 0, "", "cannot read scenario file '" + path + "': " + error);
        return errors;
    }
    // The reader stops at the first error: blanking the line it names (the
    // line count stays, so later lines keep their numbers) lets the next
    // parse go on to the next one. Errors without a line of this file (a
    // base file's, a missing key, TOML syntax that cannot be resumed) end the list.
    std::vector<std::string> lines;
    for (std::size_t start = 0; start <= text->size();) {
        const auto end = text->find('\n', start);
        lines.push_back(text->substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    while (errors.size() < limit) {
        std::string current;
        for (std::size_t i = 0; i < lines.size(); ++i) current += (i ? "\n" : "") + lines[i];
        try {
            parse_scenario(current, path);
            break;
        } catch (const ScenarioError& e) {
            errors.push_back(e);
            const bool resumable = e.file() == path && e.line() > 0 && e.column() == 0 &&
                                   static_cast<std::size_t>(e.line()) <= lines.size() &&
                                   !lines[static_cast<std::size_t>(e.line() - 1)].empty();
            if (!resumable) break;
            lines[static_cast<std::size_t>(e.line() - 1)].clear();
        }
    }
    std::stable_sort(errors.begin(), errors.end(), [&](const ScenarioError& a, const ScenarioError& b) {
        return (a.file() == path ? a.line() : 0) < (b.file() == path ? b.line() : 0);
    });
    return errors;
}

std::vector<std::string> scenario_files(const std::string& path) {
    std::vector<std::string> files{path};
    std::string error;
    const auto text = read_text(path, error);
    if (!text) return files;
    std::vector<Layer> layers;
    std::error_code ec;
    std::vector<std::string> chain{std::filesystem::weakly_canonical(path, ec).string()};
    try {
        load_layers(*text, path, layers, chain);
    } catch (const ScenarioError&) {
        return files;
    }
    for (const auto& layer : layers)
        if (std::find(files.begin(), files.end(), layer.file) == files.end()) files.push_back(layer.file);
    return files;
}

Scenario load_scenario(const std::string& path) {
    std::string error;
    const auto text = read_text(path, error);
    if (!text) throw ScenarioError(path, 0, "", "cannot read scenario file '" + path + "': " + error);
    return parse_scenario(*text, path);
}

void set_population_size(Scenario& scenario, std::int64_t size, const std::string& source) {
    check_override("population.size", size, source);
    Scenario resized = scenario;
    resized.population.size = size;
    if (const std::int64_t z = zone_outside(resized); z >= 0)
        throw ScenarioError("", 0, source,
                            "'" + source + "': " + std::to_string(size) + " citizens make " + zones_of(resized) +
                                ", but control.targeted_zones names zone " + std::to_string(z));
    scenario.population.size = size;
}

void set_days(Scenario& scenario, std::int64_t days, const std::string& source) {
    check_override("days", days, source);
    // Events past the end would be dropped silently by the run and refused by
    // `validate` and `resume` reading the stored scenario: refused here too.
    for (std::size_t i = 0; i < scenario.timeline.size(); ++i)
        if (scenario.timeline[i].day >= days)
            throw ScenarioError("", 0, source,
                                "'" + source + "': " + std::to_string(days) + " recorded days end before the timeline event on day " +
                                    std::to_string(scenario.timeline[i].day) + " (timeline[" + std::to_string(i) +
                                    "] of the resolved scenario): expected at least " +
                                    std::to_string(scenario.timeline.back().day + 1) + " days");
    scenario.days = static_cast<int>(days);
}

void set_seed(Scenario& scenario, std::uint64_t seed) {
    // The seed must survive to_toml -> parse_scenario, and TOML integers are signed 64-bit.
    const Spec& spec = spec_of("seed");
    if (seed > static_cast<std::uint64_t>(spec.int_max))
        throw ScenarioError("", 0, "seed", "'seed': expected " + expectation(spec) + ", got " + std::to_string(seed));
    scenario.seed = seed;
}

std::int64_t parse_override(const std::string& key, const std::string& text, const std::string& source) {
    const Spec& spec = spec_of(key);
    std::int64_t value = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (first != last && *first == '+') ++first;
    const auto [end, error] = std::from_chars(first, last, value);
    // Out of the 64-bit range or of the key's: the message repeats what was typed, not a wrapped number.
    if (text.empty() || error != std::errc{} || end != last || value < spec.int_min || value > spec.int_max)
        throw ScenarioError("", 0, source, "'" + source + "': expected " + expectation(spec) + ", got " + (text.empty() ? "\"\"" : text));
    return value;
}

// The [control] section of a scenario that leaves the control module off
// and every control key at its default: not written, so that the resolved
// text (an output attribute) of scenarios without control is unchanged by
// the module's existence (docs/model.md section 11).
static bool control_untouched(const Scenario& scenario) {
    for (const auto& entry : global_entries())
        if (entry.key.starts_with("control.") && entry.get && entry.get(scenario) != entry.default_value) return false;
    return true;
}

static bool agencies_untouched(const Scenario& scenario) {
    for (const auto& entry : global_entries())
        if (entry.key.starts_with("agencies.") && entry.get && entry.get(scenario) != entry.default_value) return false;
    return std::all_of(scenario.services.begin(), scenario.services.end(),
                       [](const ServiceParams& s) { return s.agency == Agency::none; });
}

std::string to_toml(const Scenario& scenario) {
    std::ostringstream out;
    out << "# Fully resolved scenario: every parameter, defaults included (demat " << DEMAT_VERSION << ").\n";
    // The agencies (docs/model.md 6.15) are written, like [control], only
    // when a key departs from its default or a service names an agency.
    const bool control_default = control_untouched(scenario);
    const bool agencies_default = agencies_untouched(scenario);
    {
        std::vector<GlobalEntry> entries;
        for (const auto& entry : global_entries()) {
            if (control_default && entry.key.starts_with("control.")) continue;
            if (agencies_default && entry.key.starts_with("agencies.")) continue;
            // Written only when set, like the agencies: the resolved text of
            // the other scenarios is unchanged by their existence.
            if ((entry.key.starts_with("population.household_marginals") || entry.key.starts_with("life_course.") ||
                 entry.key.starts_with("moving.")) &&
                entry.get && entry.get(scenario) == entry.default_value)
                continue;
            entries.push_back(entry);
        }
        write_entries(out, scenario, entries, "");
    }
    // Benefit units and amount rules (docs/model.md 5.1-5.2) are written
    // only when a service departs from individual and flat, so that the
    // resolved text (an output attribute) of other scenarios is unchanged
    // by their existence, as with [control] above.
    const bool units_untouched = std::all_of(scenario.services.begin(), scenario.services.end(), [](const ServiceParams& s) {
        return s.unit == BenefitUnit::individual && s.amount_rule == AmountRule::flat;
    });
    std::vector<ServiceEntry> service_keys;
    for (const auto& entry : service_entries())
        if ((!units_untouched || (entry.key != "unit" && entry.key != "amount_rule")) &&
            (!agencies_default || entry.key != "agency"))
            service_keys.push_back(entry);
    for (const auto& service : scenario.services) {
        const std::string prefix = "services." + service.name;
        write_entries(out, service, service_keys, prefix);
        for (std::size_t c = 0; c < service.channels.size(); ++c)
            write_entries(out, service.channels[c], channel_entries(), prefix + ".channels." + channel_names()[c]);
    }
    write_timeline(out, scenario.timeline);
    return out.str();
}

}  // namespace demat
