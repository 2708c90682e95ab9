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

std::string compose_message(const std::string& file, int line, int column, const std::string& message) {
    if (file.empty()) return message;
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line);
    if (line > 0 && column > 0) out += ":" + std::to_string(column);
    return out + ": " + message;
}

}  // namespace

ScenarioError::ScenarioError(std::string file, int line, std::string key, const std::string& message)
    : ScenarioError(std::move(file), line, 0, std::move(key), message) {}

ScenarioError::ScenarioError(std::string file, int line, int column, std::string key,
                             const std::string& message)
    : std::runtime_error(compose_message(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)) {}

namespace {

using namespace schema;

// A value read from one file, with where it was read.
struct Located {
    Value value;
    std::string file;
    int line = 0;
    std::string key;  // full dotted key as written, e.g. "services.rsa.channels.counter.enabled"
};
using KeyMap = std::map<std::string, Located, std::less<>>;
using ChannelMaps = std::array<KeyMap, channel_count>;

struct ServiceLayer {
    std::string name;
    int line = 0;
    KeyMap keys;  // relative keys: "kind", "eligibility.age_min"
    ChannelMaps channels;
};

// An event as read, with where each of its keys was written (for errors
// found once the whole scenario is resolved: day past the end, unknown service).
struct LocatedEvent {
    TimelineEvent event;
    std::string file;
    int line = 0;
    std::string display;  // "timeline[2]"
    int day_line = 0;
    int service_line = 0;
};

// What one file says, validated key by key but not yet merged.
struct Layer {
    std::string file;
    KeyMap globals;        // "days", "population.size", "base"...
    ChannelMaps channels;  // top-level [channels.<channel>]
    std::vector<ServiceLayer> services;  // in file order
    std::vector<LocatedEvent> timeline;  // [[timeline]] events, in file order

    const ServiceLayer* service(std::string_view name) const {
        for (const auto& s : services)
            if (s.name == name) return &s;
        return nullptr;
    }
};

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
    }
    throw std::logic_error("scenario schema: unhandled kind for key " + key);
}

// ---- walking one file -----------------------------------------------------------

template <class Target>
const Entry<Target>* find_entry(const std::vector<Entry<Target>>& entries, std::string_view key) {
    for (const auto& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

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

struct WalkContext {
    std::string file;
};

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

// ---- [[timeline]] ---------------------------------------------------------------

// The keys of one [[timeline]] event. Values reuse the ranges of the service
// and channel keys they change, so a timeline cannot set what a file could not.
struct TimelineKind {
    TimelineAction action;
    const char* name;
    std::vector<std::string> keys;  // besides day, event and service
    std::vector<std::string> required;  // of `keys`; set_complexity needs one of first, renewal
    // Events about services take a `service` key; mediation sites and skills
    // programmes concern every service (and citizen) and take none.
    bool per_service = true;
};

const std::vector<TimelineKind>& timeline_kinds() {
    static const std::vector<TimelineKind> kinds{
        {TimelineAction::close_channel, "close_channel", {"channel"}, {"channel"}},
        {TimelineAction::open_channel, "open_channel", {"channel"}, {"channel"}},
        {TimelineAction::set_capacity, "set_capacity", {"channel", "capacity_per_10k"}, {"channel", "capacity_per_10k"}},
        {TimelineAction::set_complexity, "set_complexity", {"first", "renewal"}, {}},
        {TimelineAction::set_outreach, "set_outreach", {"rate", "segment", "group"}, {"rate"}},
        {TimelineAction::set_automatic, "set_automatic", {"automatic"}, {"automatic"}},
        {TimelineAction::outage, "outage", {"days"}, {"days"}},
        {TimelineAction::set_identity, "set_identity", {"identity"}, {"identity"}},
        {TimelineAction::open_mediation, "open_mediation", {"territory", "sites"}, {"territory", "sites"}, false},
        {TimelineAction::close_mediation, "close_mediation", {"territory", "share"}, {"territory", "share"}, false},
        {TimelineAction::skills_programme, "skills_programme", {"share_per_month", "skill_gain", "skill_below", "days"},
         {"share_per_month", "skill_gain", "days"}, false},
        {TimelineAction::prefill_renewals, "prefill_renewals", {"prefilled", "complexity"}, {"prefilled"}},
    };
    return kinds;
}

const TimelineKind& timeline_kind(TimelineAction action) {
    return timeline_kinds().at(static_cast<std::size_t>(action));
}

Spec timeline_spec(Kind kind) {
    Spec spec;
    spec.kind = kind;
    return spec;
}

// A number in [min, max] for a key of a timeline event.
Spec number_spec(double min, double max) {
    Spec spec = timeline_spec(Kind::floating);
    spec.min = min;
    spec.max = max;
    return spec;
}

// The keys of the mediation-site, skills-programme, targeted-outreach and
// pre-filled-renewal events (docs/model.md, section 10).
template <class Read>
void read_new_event_keys(const toml::table& table, const std::string& prefix, LocatedEvent& located,
                         const WalkContext& context, const Read& read) {
    TimelineEvent& ev = located.event;
    auto key_line = [&](const std::string& key) {
        const auto* n = table.get(key);
        return n && line_of(*n) > 0 ? line_of(*n) : located.line;
    };
    if (table.contains("territory")) {
        const auto& territory = dimensions()[static_cast<std::size_t>(Dimension::territory)];
        Spec spec = timeline_spec(Kind::choice);
        spec.names = territory.groups;
        spec.names.insert(spec.names.begin(), "*");
        const auto name = std::get<std::string>(read("territory", spec));
        ev.territory = name == "*" ? -1
                                   : static_cast<int>(std::find(territory.groups.begin(), territory.groups.end(), name) -
                                                      territory.groups.begin());
    }
    if (table.contains("sites")) {
        ev.sites = std::get<double>(read("sites", number_spec(0.0, 100.0)));
        if (ev.sites <= 0)
            fail(context.file, key_line("sites"), prefix + ".sites",
                 "key '" + prefix + ".sites': expected a number in (0, 100] (sites added, as a multiple of the zone's "
                 "initial network), got " + format_double(ev.sites));
    }
    if (table.contains("share")) {
        ev.share = std::get<double>(read("share", number_spec(0.0, 1.0)));
        if (ev.share <= 0)
            fail(context.file, key_line("share"), prefix + ".share",
                 "key '" + prefix + ".share': expected a number in (0, 1] (share of the sites that close), got " +
                     format_double(ev.share));
    }
    if (table.contains("share_per_month")) ev.share_per_month = std::get<double>(read("share_per_month", number_spec(0.0, 1.0)));
    if (table.contains("skill_gain")) ev.skill_gain = std::get<double>(read("skill_gain", number_spec(0.0, 1.0)));
    if (table.contains("skill_below")) ev.skill_below = std::get<double>(read("skill_below", number_spec(0.0, 1.0)));
    if (table.contains("prefilled")) {
        Spec spec = timeline_spec(Kind::boolean);
        ev.prefilled = std::get<bool>(read("prefilled", spec));
    }
    if (table.contains("complexity"))
        ev.prefilled_complexity = std::get<double>(read("complexity", *find_entry(service_entries(), "complexity_renewal")));
    // A targeted campaign names a segment dimension and one of its groups,
    // as the HDF5 output does (segments/<dimension>/groups).
    if (table.contains("segment") != table.contains("group")) {
        const std::string missing = table.contains("segment") ? "group" : "segment";
        fail(context.file, located.line, prefix + "." + missing,
             "key '" + prefix + "." + missing + "' is missing: a targeted campaign needs both 'segment' and 'group'");
    }
    if (table.contains("segment")) {
        std::vector<std::string> names;
        for (const auto& d : dimensions()) names.push_back(d.name);
        Spec spec = timeline_spec(Kind::choice);
        spec.names = names;
        const auto name = std::get<std::string>(read("segment", spec));
        ev.segment = static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
        Spec group_spec = timeline_spec(Kind::choice);
        group_spec.names = dimensions()[static_cast<std::size_t>(ev.segment)].groups;
        const auto group = std::get<std::string>(read("group", group_spec));
        ev.segment_group = static_cast<int>(std::find(group_spec.names.begin(), group_spec.names.end(), group) -
                                            group_spec.names.begin());
    }
}

void walk_timeline(const toml::node& node, const std::string& display, int line, Layer& layer,
                   const WalkContext& context) {
    const auto* array = node.as_array();
    if (!array || !array->is_array_of_tables())
        fail(context.file, line, display,
             "key '" + display + "': expected an array of tables ([[timeline]] sections), got " + describe(node));
    std::vector<std::string> event_names;
    for (const auto& kind : timeline_kinds()) event_names.emplace_back(kind.name);
    std::size_t index = 0;
    for (const auto& element : *array) {
        const auto& table = *element.as_table();
        const std::string prefix = display + "[" + std::to_string(++index) + "]";
        LocatedEvent located;
        located.file = context.file;
        located.line = line_of(element) > 0 ? line_of(element) : line;
        located.display = prefix;
        auto key_line = [&](const std::string& key) {
            const auto* n = table.get(key);
            return n && line_of(*n) > 0 ? line_of(*n) : located.line;
        };
        auto required = [&](const std::string& key, const std::string& what) -> const toml::node& {
            const auto* n = table.get(key);
            if (!n) fail(context.file, located.line, prefix + "." + key, "key '" + prefix + "." + key + "' is missing: expected " + what);
            return *n;
        };

        // The event type first: it says which other keys are allowed.
        const auto& event_node = required("event", "one of " + join(event_names, ", "));
        const auto* event_name = event_node.as_string();
        const TimelineKind* kind = nullptr;
        for (const auto& k : timeline_kinds())
            if (event_name && event_name->get() == k.name) kind = &k;
        if (!kind) {
            const std::string key = prefix + ".event";
            std::string message = "key '" + key + "': unknown event type " + describe(event_node) + ": expected one of " +
                                  join(event_names, ", ");
            if (event_name)
                if (auto suggestion = closest(event_name->get(), event_names))
                    message += " (did you mean '" + *suggestion + "'?)";
            fail(context.file, key_line("event"), key, message);
        }
        TimelineEvent& ev = located.event;
        ev.action = kind->action;

        std::vector<std::string> allowed{"day", "event"};
        if (kind->per_service) allowed.emplace_back("service");
        allowed.insert(allowed.end(), kind->keys.begin(), kind->keys.end());
        for (auto&& [k, value] : table) {
            const std::string name(k.str());
            if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
            std::vector<std::string> candidates;
            for (const auto& a : allowed) candidates.push_back(prefix + "." + a);
            const std::string key = prefix + "." + name;
            std::string message = "unknown key '" + key + "' for event '" + kind->name + "' (allowed: " + join(allowed, ", ") + ")";
            if (auto suggestion = closest(key, candidates)) message += " (did you mean '" + *suggestion + "'?)";
            fail(context.file, line_of(k, value), key, message);
        }
        for (const auto& key : kind->required) required(key, "for event '" + std::string(kind->name) + "'");

        // Read with the spec of the key it changes, so the message gives its range.
        auto read = [&](const std::string& key, const Spec& spec) {
            return convert(spec, *table.get(key), context.file, key_line(key), prefix + "." + key);
        };
        Spec day_spec = timeline_spec(Kind::integer);
        day_spec.int_min = 0;
        day_spec.int_max = std::numeric_limits<int>::max() - 1;  // checked against `days` once resolved
        required("day", "an integer: the recorded day the event happens");
        ev.day = static_cast<int>(std::get<std::int64_t>(read("day", day_spec)));
        located.day_line = key_line("day");
        if (kind->per_service) {
            Spec service_spec = timeline_spec(Kind::string);
            service_spec.min_length = 1;
            required("service", "a service name or \"*\" for every service");
            ev.service = std::get<std::string>(read("service", service_spec));
            located.service_line = key_line("service");
        }
        if (table.contains("channel")) {
            Spec channel_spec = timeline_spec(Kind::choice);
            channel_spec.names = channel_names();
            if (ev.action == TimelineAction::set_capacity)  // online has no capacity
                channel_spec.names.assign(channel_names().begin() + 1, channel_names().end());
            const auto name = std::get<std::string>(read("channel", channel_spec));
            ev.channel = static_cast<Channel>(*channel_index(name));
        }
        if (table.contains("capacity_per_10k"))
            ev.capacity_per_10k = std::get<double>(read("capacity_per_10k", *find_entry(channel_entries(), "capacity_per_10k")));
        if (table.contains("first"))
            ev.complexity_first = std::get<double>(read("first", *find_entry(service_entries(), "complexity_first")));
        if (table.contains("renewal"))
            ev.complexity_renewal = std::get<double>(read("renewal", *find_entry(service_entries(), "complexity_renewal")));
        if (ev.action == TimelineAction::set_complexity && !table.contains("first") && !table.contains("renewal"))
            fail(context.file, located.line, prefix,
                 "event '" + prefix + "' (set_complexity): expected key 'first' or 'renewal' (or both), got neither");
        if (table.contains("rate"))
            ev.outreach = std::get<double>(read("rate", *find_entry(service_entries(), "outreach")));
        if (table.contains("automatic")) ev.automatic = std::get<bool>(read("automatic", *find_entry(service_entries(), "automatic")));
        if (table.contains("identity")) {
            const auto* entry = find_entry(service_entries(), "identity");
            ServiceParams holder;
            entry->set(holder, read("identity", *entry));
            ev.identity = holder.identity;
        }
        if (table.contains("days")) {
            Spec days_spec = timeline_spec(Kind::integer);
            days_spec.int_min = 1;
            days_spec.int_max = find_entry(global_entries(), "days")->int_max;
            ev.duration_days = static_cast<int>(std::get<std::int64_t>(read("days", days_spec)));
        }
        read_new_event_keys(table, prefix, located, context, read);
        layer.timeline.push_back(std::move(located));
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
const Located* find_global(const std::vector<Layer>& layers, const std::string& key) {
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer)
        if (auto found = layer->globals.find(key); found != layer->globals.end()) return &found->second;
    return nullptr;
}

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

// A derived file adds its events to its base's: a reform on top of a
// baseline that may have its own. Days and services are only known now.
void resolve_timeline(const std::vector<Layer>& layers, Scenario& scenario) {
    for (const auto& layer : layers)
        for (const auto& located : layer.timeline) {
            const TimelineEvent& ev = located.event;
            if (ev.day >= scenario.days) {
                // The event may be fine where it is written and `days` shortened
                // by another file of the chain: name the file that set it too.
                std::string days_origin;
                if (const Located* days = find_global(layers, "days"); days && days->file != located.file)
                    days_origin = ", set at " + days->file + ":" + std::to_string(days->line);
                fail(located.file, located.day_line, located.display + ".day",
                     "key '" + located.display + ".day': expected an integer in [0, " + std::to_string(scenario.days - 1) +
                         "] (a recorded day of the run: days = " + std::to_string(scenario.days) + days_origin +
                         "), got " + std::to_string(ev.day));
            }
            if (ev.service != "*") {
                std::vector<std::string> names;
                for (const auto& s : scenario.services) names.push_back(s.name);
                if (std::find(names.begin(), names.end(), ev.service) == names.end()) {
                    std::string message = "key '" + located.display + ".service': unknown service " + quote(ev.service) +
                                          ": expected \"*\" or one of " + join(names, ", ");
                    if (auto suggestion = closest(ev.service, names)) message += " (did you mean '" + *suggestion + "'?)";
                    fail(located.file, located.service_line, located.display + ".service", message);
                }
            }
            scenario.timeline.push_back(ev);
        }
    std::stable_sort(scenario.timeline.begin(), scenario.timeline.end(),
                     [](const TimelineEvent& x, const TimelineEvent& y) { return x.day < y.day; });
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

// Only the keys of each event's type, so that the text reads back the same.
void write_timeline(std::ostringstream& out, const std::vector<TimelineEvent>& timeline) {
    for (const auto& ev : timeline) {
        const auto& kind = timeline_kind(ev.action);
        out << "\n[[timeline]]\nday = " << ev.day << "\nevent = " << quote(kind.name) << "\n";
        if (kind.per_service) out << "service = " << quote(ev.service) << "\n";
        auto value = [&](const std::string& key) -> std::optional<std::string> {
            if (key == "channel") return quote(channel_names()[static_cast<std::size_t>(ev.channel)]);
            if (key == "capacity_per_10k") return format_double(ev.capacity_per_10k);
            if (key == "rate") return format_double(ev.outreach);
            if (key == "automatic") return ev.automatic ? "true" : "false";
            if (key == "days") return std::to_string(ev.duration_days);
            if (key == "territory") {
                const auto& groups = dimensions()[static_cast<std::size_t>(Dimension::territory)].groups;
                return quote(ev.territory < 0 ? "*" : groups.at(static_cast<std::size_t>(ev.territory)));
            }
            if (key == "segment" || key == "group") {
                if (ev.segment < 0) return std::nullopt;  // aimed at everybody
                const auto& d = dimensions().at(static_cast<std::size_t>(ev.segment));
                return quote(key == "segment" ? d.name : d.groups.at(static_cast<std::size_t>(ev.segment_group)));
            }
            if (key == "sites") return format_double(ev.sites);
            if (key == "share") return format_double(ev.share);
            if (key == "share_per_month") return format_double(ev.share_per_month);
            if (key == "skill_gain") return format_double(ev.skill_gain);
            if (key == "skill_below") return format_double(ev.skill_below);
            if (key == "prefilled") return ev.prefilled ? "true" : "false";
            if (key == "complexity") return format_double(ev.prefilled_complexity);
            if (key == "identity") {
                ServiceParams holder;
                holder.identity = ev.identity;
                return format_value(find_entry(service_entries(), "identity")->get(holder));
            }
            const double x = key == "first" ? ev.complexity_first : ev.complexity_renewal;
            if (x < 0) return std::nullopt;  // left unchanged by the event
            return format_double(x);
        };
        for (const auto& key : kind.keys)
            if (const auto text = value(key)) out << key << " = " << *text << "\n";
    }
}

}  // namespace

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

std::string to_toml(const Scenario& scenario) {
    std::ostringstream out;
    out << "# Fully resolved scenario: every parameter, defaults included (demat " << DEMAT_VERSION << ").\n";
    if (control_untouched(scenario)) {
        std::vector<GlobalEntry> entries;
        for (const auto& entry : global_entries())
            if (!entry.key.starts_with("control.")) entries.push_back(entry);
        write_entries(out, scenario, entries, "");
    } else {
        write_entries(out, scenario, global_entries(), "");
    }
    for (const auto& service : scenario.services) {
        const std::string prefix = "services." + service.name;
        write_entries(out, service, service_entries(), prefix);
        for (std::size_t c = 0; c < service.channels.size(); ++c)
            write_entries(out, service.channels[c], channel_entries(), prefix + ".channels." + channel_names()[c]);
    }
    write_timeline(out, scenario.timeline);
    return out.str();
}

}  // namespace demat
