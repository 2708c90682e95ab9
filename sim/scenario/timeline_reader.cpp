// [[timeline]] events: reading, resolution against the whole scenario (days,
// services), writing back, and their documentation, all by walking each
// event kind's own list of keys (core/timeline_events.hpp; docs/model.md,
// section 10).
#include "scenario/reader_internal.hpp"
#include "scenario/schema.hpp"
#include "core/segments.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace demat::reader_detail {

namespace {

using event::Need;
using event::Range;

// Each kind's name, in the variant's order (for "expected one of").
template <std::size_t... I>
std::vector<std::string> names_of(std::index_sequence<I...>) {
    return {std::string(std::variant_alternative_t<I, EventData>::name)...};
}
const std::vector<std::string>& event_names() {
    static const auto names = names_of(std::make_index_sequence<std::variant_size_v<EventData>>{});
    return names;
}

// An EventData holding the default of the kind called `name`, if there is one.
template <std::size_t I = 0>
std::optional<EventData> default_event(std::string_view name) {
    if constexpr (I == std::variant_size_v<EventData>) {
        return std::nullopt;
    } else {
        using E = std::variant_alternative_t<I, EventData>;
        if (E::name == name) return EventData{E{}};
        return default_event<I + 1>(name);
    }
}

template <class E>
E& as_mutable(EventData& data) {
    return std::get<E>(data);
}

Spec plain_spec(Kind kind) {
    Spec spec;
    spec.kind = kind;
    return spec;
}

// The spec of the scenario key a number changes, or its own bounds.
Spec number_spec(const Range& range) {
    if (range.like) {
        const std::string_view like = range.like;
        const auto rest = [&](std::string_view prefix) { return like.substr(prefix.size()); };
        const Spec* spec = nullptr;
        if (like.starts_with("services.")) spec = find_entry(service_entries(), rest("services."));
        else if (like.starts_with("channels.")) spec = find_entry(channel_entries(), rest("channels."));
        else spec = find_entry(global_entries(), like);
        if (!spec) throw InternalError("timeline event key range: the schema has no key " + std::string(like));
        return *spec;
    }
    Spec spec = plain_spec(Kind::floating);
    spec.min = range.min;
    spec.max = range.max;
    return spec;
}

std::string range_text(const Range& range) {
    std::string text = schema::range_text(number_spec(range));
    if (range.open_min && !text.empty() && text.front() == '[') text.front() = '(';
    return text;
}

Spec days_spec() {
    Spec spec = plain_spec(Kind::integer);
    spec.int_min = 1;
    spec.int_max = find_entry(global_entries(), "days")->int_max;
    return spec;
}

const std::vector<std::string>& territory_names() {
    return dimensions()[static_cast<std::size_t>(Dimension::territory)].groups;
}

// ---- the keys an event kind allows and needs --------------------------------

struct KeyList {
    std::vector<std::string> allowed;
    std::vector<std::string> required;
    void add(const char* key, Need need) {
        allowed.emplace_back(key);
        if (need == Need::required) required.emplace_back(key);
    }
    void channel(const char* key, Channel&, Need need, bool, const char*) { add(key, need); }
    void number(const char* key, double&, Need need, Range, const char*) { add(key, need); }
    void days(const char* key, int&, Need need, const char*) { add(key, need); }
    void boolean(const char* key, bool&, Need need, const char*) { add(key, need); }
    void identity(const char* key, IdentityRequirement&, Need need, const char*) { add(key, need); }
    void territory(const char* key, int&, Need need, const char*) { add(key, need); }
    void segment_group(int&, int&, const char*) {
        add("segment", Need::optional);
        add("group", Need::optional);
    }
    void one_of(const char*, const char*) {}
};

// ---- reading ------------------------------------------------------------------

template <class Read, class Fail>
struct KeyReader {
    const toml::table& table;
    const std::string& prefix;
    const Read& read;  // (key, spec) -> Value, with the file, line and key in its errors
    const Fail& fail_at;  // (key or "", message): an error at that key's line (the event's for "")
    std::string_view event_name;

    bool has(const char* key) const { return table.contains(key); }
    void channel(const char* key, Channel& value, Need, bool staffed_only, const char*) {
        if (!has(key)) return;
        Spec spec = plain_spec(Kind::choice);
        spec.names = channel_names();
        if (staffed_only) spec.names.erase(spec.names.begin());  // online has no capacity
        value = static_cast<Channel>(*channel_index(std::get<std::string>(read(key, spec))));
    }
    void number(const char* key, double& value, Need, Range range, const char* doc) {
        if (!has(key)) return;
        value = std::get<double>(read(key, number_spec(range)));
        if (range.open_min && value <= range.min)
            fail_at(key, "key '" + prefix + "." + key + "': expected a number in " + range_text(range) + " (" + doc +
                             "), got " + format_double(value));
    }
    void days(const char* key, int& value, Need, const char*) {
        if (has(key)) value = static_cast<int>(std::get<std::int64_t>(read(key, days_spec())));
    }
    void boolean(const char* key, bool& value, Need, const char*) {
        if (has(key)) value = std::get<bool>(read(key, plain_spec(Kind::boolean)));
    }
    void identity(const char* key, IdentityRequirement& value, Need, const char*) {
        if (!has(key)) return;
        const auto* entry = find_entry(service_entries(), "identity");
        ServiceParams holder;
        entry->set(holder, read(key, *entry));
        value = holder.identity;
    }
    void territory(const char* key, int& value, Need, const char*) {
        if (!has(key)) return;
        Spec spec = plain_spec(Kind::choice);
        spec.names = territory_names();
        spec.names.insert(spec.names.begin(), "*");
        const auto name = std::get<std::string>(read(key, spec));
        value = name == "*" ? -1
                            : static_cast<int>(std::find(territory_names().begin(), territory_names().end(), name) -
                                               territory_names().begin());
    }
    // A targeted campaign names a segment dimension and one of its groups,
    // as the HDF5 output does (segments/<dimension>/groups).
    void segment_group(int& segment, int& group, const char*) {
        if (has("segment") != has("group")) {
            const std::string missing = has("segment") ? "group" : "segment";
            // An absent key has no line of its own: the error is at the event's.
            fail_at(missing, "key '" + prefix + "." + missing + "' is missing: a targeted campaign needs both 'segment' and 'group'");
        }
        if (!has("segment")) return;
        std::vector<std::string> names;
        for (const auto& d : dimensions()) names.push_back(d.name);
        Spec spec = plain_spec(Kind::choice);
        spec.names = names;
        const auto name = std::get<std::string>(read("segment", spec));
        segment = static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
        Spec group_spec = plain_spec(Kind::choice);
        group_spec.names = dimensions()[static_cast<std::size_t>(segment)].groups;
        const auto chosen = std::get<std::string>(read("group", group_spec));
        group = static_cast<int>(std::find(group_spec.names.begin(), group_spec.names.end(), chosen) -
                                 group_spec.names.begin());
    }
    void one_of(const char* a, const char* b) {
        if (!has(a) && !has(b))
            fail_at("", "event '" + prefix + "' (" + std::string(event_name) + "): expected key '" + a + "' or '" + b +
                            "' (or both), got neither");
    }
};

// ---- writing back -------------------------------------------------------------

struct KeyWriter {
    std::ostringstream& out;
    void line(const char* key, const std::string& text) { out << key << " = " << text << "\n"; }
    void channel(const char* key, Channel& value, Need, bool, const char*) {
        line(key, quote(channel_names()[static_cast<std::size_t>(value)]));
    }
    void number(const char* key, double& value, Need need, Range, const char*) {
        if (need == Need::unset && value < 0) return;  // left unchanged by the event
        line(key, format_double(value));
    }
    void days(const char* key, int& value, Need, const char*) { line(key, std::to_string(value)); }
    void boolean(const char* key, bool& value, Need, const char*) { line(key, value ? "true" : "false"); }
    void identity(const char* key, IdentityRequirement& value, Need, const char*) {
        ServiceParams holder;
        holder.identity = value;
        line(key, format_value(find_entry(service_entries(), "identity")->get(holder)));
    }
    void territory(const char* key, int& value, Need, const char*) {
        line(key, quote(value < 0 ? "*" : territory_names().at(static_cast<std::size_t>(value))));
    }
    void segment_group(int& segment, int& group, const char*) {
        if (segment < 0) return;  // aimed at everybody
        const auto& d = dimensions().at(static_cast<std::size_t>(segment));
        line("segment", quote(d.name));
        line("group", quote(d.groups.at(static_cast<std::size_t>(group))));
    }
    void one_of(const char*, const char*) {}
};

// ---- documentation ------------------------------------------------------------

struct KeyDoc {
    std::vector<std::string> parts;
    // append(), not chains of `+` on temporaries: GCC 12 warns (-Wrestrict) on those.
    void put(const char* key, const std::string& range, const char* doc, Need need, const std::string& default_text) {
        std::string part = "`";
        part.append(key).append("`");
        if (!range.empty()) part.append(" ").append(range);
        part.append(": ").append(doc);
        if (need == Need::unset) part.append(", optional: unchanged if absent");
        if (need == Need::optional) part.append(", optional, default ").append(default_text);
        parts.push_back(std::move(part));
    }
    void channel(const char* key, Channel& value, Need need, bool, const char* doc) {
        put(key, "", doc, need, channel_names()[static_cast<std::size_t>(value)]);
    }
    void number(const char* key, double& value, Need need, Range range, const char* doc) {
        put(key, range_text(range), doc, need, format_double(value));
    }
    void days(const char* key, int& value, Need need, const char* doc) {
        put(key, schema::range_text(days_spec()), doc, need, std::to_string(value));
    }
    void boolean(const char* key, bool& value, Need need, const char* doc) {
        put(key, "", doc, need, value ? "true" : "false");
    }
    void identity(const char* key, IdentityRequirement&, Need need, const char* doc) { put(key, "", doc, need, ""); }
    void territory(const char* key, int&, Need need, const char* doc) { put(key, "", doc, need, "\"*\""); }
    void segment_group(int&, int&, const char* doc) {
        std::string part = "`segment` and `group` (optional, both or neither): ";
        parts.push_back(part.append(doc));
    }
    void one_of(const char* a, const char* b) {
        std::string part = "at least one of `";
        parts.push_back(part.append(a).append("` and `").append(b).append("`"));
    }
};

}  // namespace

void walk_timeline(const toml::node& node, const std::string& display, int line, Layer& layer,
                   const WalkContext& context) {
    const auto* array = node.as_array();
    if (!array || !array->is_array_of_tables())
        fail(context.file, line, display,
             "key '" + display + "': expected an array of tables ([[timeline]] sections), got " + describe(node));
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
        const auto& event_node = required("event", "one of " + join(event_names(), ", "));
        const auto* event_name = event_node.as_string();
        std::optional<EventData> data = event_name ? default_event(event_name->get()) : std::nullopt;
        if (!data) {
            const std::string key = prefix + ".event";
            std::string message = "key '" + key + "': unknown event type " + describe(event_node) + ": expected one of " +
                                  join(event_names(), ", ");
            if (event_name)
                if (auto suggestion = closest(event_name->get(), event_names()))
                    message += " (did you mean '" + *suggestion + "'?)";
            fail(context.file, key_line("event"), key, message);
        }
        TimelineEvent& ev = located.event;
        ev.what = std::move(*data);
        const std::string kind_name(ev.name());
        const bool per_service = ev.service() != nullptr;

        KeyList keys;
        std::visit([&](auto& what) { what.keys(keys); }, ev.what);
        std::vector<std::string> allowed{"day", "event"};
        if (per_service) allowed.emplace_back("service");
        allowed.insert(allowed.end(), keys.allowed.begin(), keys.allowed.end());
        for (auto&& [k, value] : table) {
            const std::string name(k.str());
            if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
            std::vector<std::string> candidates;
            for (const auto& a : allowed) candidates.push_back(prefix + "." + a);
            const std::string key = prefix + "." + name;
            std::string message = "unknown key '" + key + "' for event '" + kind_name + "' (allowed: " + join(allowed, ", ") + ")";
            if (auto suggestion = closest(key, candidates)) message += " (did you mean '" + *suggestion + "'?)";
            fail(context.file, line_of(k, value), key, message);
        }
        for (const auto& key : keys.required) required(key, "for event '" + kind_name + "'");

        // Read with the spec of the key it changes, so the message gives its range.
        auto read = [&](const std::string& key, const Spec& spec) {
            return convert(spec, *table.get(key), context.file, key_line(key), prefix + "." + key);
        };
        Spec day_spec = plain_spec(Kind::integer);
        day_spec.int_min = 0;
        day_spec.int_max = std::numeric_limits<int>::max() - 1;  // checked against `days` once resolved
        required("day", "an integer: the recorded day the event happens");
        ev.day = static_cast<int>(std::get<std::int64_t>(read("day", day_spec)));
        located.day_line = key_line("day");
        if (per_service) {
            Spec service_spec = plain_spec(Kind::string);
            service_spec.min_length = 1;
            required("service", "a service name or \"*\" for every service");
            const auto service = std::get<std::string>(read("service", service_spec));
            std::visit(
                [&](auto& what) {
                    if constexpr (std::decay_t<decltype(what)>::per_service) what.service = service;
                },
                ev.what);
            located.service_line = key_line("service");
        }
        auto fail_at = [&](const std::string& key, const std::string& message) {
            fail(context.file, key.empty() ? located.line : key_line(key), key.empty() ? prefix : prefix + "." + key, message);
        };
        KeyReader<decltype(read), decltype(fail_at)> reader{table, prefix, read, fail_at, ev.name()};
        std::visit([&](auto& what) { what.keys(reader); }, ev.what);
        layer.timeline.push_back(std::move(located));
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
            if (const std::string* service = ev.service(); service && *service != "*") {
                std::vector<std::string> names;
                for (const auto& s : scenario.services) names.push_back(s.name);
                if (std::find(names.begin(), names.end(), *service) == names.end()) {
                    std::string message = "key '" + located.display + ".service': unknown service " + quote(*service) +
                                          ": expected \"*\" or one of " + join(names, ", ");
                    if (auto suggestion = closest(*service, names)) message += " (did you mean '" + *suggestion + "'?)";
                    fail(located.file, located.service_line, located.display + ".service", message);
                }
            }
            scenario.timeline.push_back(ev);
        }
    std::stable_sort(scenario.timeline.begin(), scenario.timeline.end(),
                     [](const TimelineEvent& x, const TimelineEvent& y) { return x.day < y.day; });
}

// Only the keys of each event's kind, so that the text reads back the same.
void write_timeline(std::ostringstream& out, const std::vector<TimelineEvent>& timeline) {
    for (const auto& ev : timeline) {
        out << "\n[[timeline]]\nday = " << ev.day << "\nevent = " << quote(std::string(ev.name())) << "\n";
        if (const std::string* service = ev.service()) out << "service = " << quote(*service) << "\n";
        EventData copy = ev.what;  // the visitor protocol takes the keys by reference
        KeyWriter writer{out};
        std::visit([&](auto& what) { what.keys(writer); }, copy);
    }
}

}  // namespace demat::reader_detail

namespace demat {

namespace {

struct EventDoc {
    std::string name;
    std::string keys;
    std::string_view effect;
};

// Each event kind's keys and effect, from its own list of keys.
std::vector<EventDoc> event_docs() {
    std::vector<EventDoc> docs;
    for (const auto& name : reader_detail::event_names()) {
        EventData data = *reader_detail::default_event(name);
        reader_detail::KeyDoc doc;
        std::visit([&](auto& what) { what.keys(doc); }, data);
        const bool per_service = std::visit([](const auto& what) { return std::decay_t<decltype(what)>::per_service; }, data);
        std::string keys = per_service ? "`service`: a service name or `\"*\"`; " : "(no `service`) ";
        for (std::size_t i = 0; i < doc.parts.size(); ++i) keys.append(i ? "; " : "").append(doc.parts[i]);
        docs.push_back({name, keys, std::visit([](const auto& what) { return std::string_view(what.effect); }, data)});
    }
    return docs;
}

}  // namespace

std::string timeline_table_markdown() {
    std::ostringstream out;
    out << "| event | keys besides `day`, `event` | effect |\n|---|---|---|\n";
    for (const auto& d : event_docs())
        out << "| `" << d.name << "` | " << schema::escape_markdown_cell(d.keys) << " | "
            << schema::escape_markdown_cell(std::string(d.effect)) << " |\n";
    return out.str();
}

std::string timeline_events_text() {
    std::ostringstream out;
    for (const auto& d : event_docs())
        out << "[[timeline]] event = \"" << d.name << "\"  (with day = a recorded day)\n    keys: " << d.keys
            << "\n    " << d.effect << "\n";
    return out.str();
}

}  // namespace demat
