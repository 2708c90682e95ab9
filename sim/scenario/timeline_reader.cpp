// [[timeline]] events: their keys, reading, resolution against the whole
// scenario (days, services) and writing back (docs/model.md, section 10).
#include "scenario/reader_internal.hpp"
#include "core/segments.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace demat::reader_detail {

namespace {

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

}  // namespace

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

const Located* find_global(const std::vector<Layer>& layers, const std::string& key) {
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer)
        if (auto found = layer->globals.find(key); found != layer->globals.end()) return &found->second;
    return nullptr;
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

}  // namespace demat::reader_detail
