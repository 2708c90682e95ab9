// What the scenario reader's parts share (reader.cpp: files, layers and
// their resolution; reader_values.cpp: one value and its error message;
// timeline_reader.cpp: [[timeline]] events). Not installed, not API.
#pragma once

#include "core/error.hpp"
#include "core/scenario.hpp"
#include "scenario/schema_internal.hpp"

#include <toml++/toml.h>

#include <array>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace demat::reader_detail {

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

struct WalkContext {
    std::string file;
};


[[noreturn]] void fail(const std::string& file, int line, const std::string& key, const std::string& message);
int line_of(const toml::node& node);
int line_of(const toml::key& key);
// Implicitly created tables ([a.b.c] creates a and a.b) may carry no position.
int line_of(const toml::key& key, const toml::node& node);
std::string describe(const toml::node& node);
// The closest candidate, if it is close enough to be a typo.
std::optional<std::string> closest(std::string_view key, const std::vector<std::string>& candidates);
[[noreturn]] void unknown(const std::string& file, int line, const std::string& key, const std::string& what,
                          const std::vector<std::string>& candidates);
// A TOML value converted to the spec's kind and range-checked; a ScenarioError naming the key if not.
Value convert(const Spec& spec, const toml::node& node, const std::string& file, int line, const std::string& key);

template <class Target>
const Entry<Target>* find_entry(const std::vector<Entry<Target>>& entries, std::string_view key) {
    for (const auto& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

// The most derived layer's value of a global key, or null.
const Located* find_global(const std::vector<Layer>& layers, const std::string& key);

// [[timeline]] (timeline_reader.cpp).
void walk_timeline(const toml::node& node, const std::string& display, int line, Layer& layer,
                   const WalkContext& context);
void resolve_timeline(const std::vector<Layer>& layers, Scenario& scenario);
void write_timeline(std::ostringstream& out, const std::vector<TimelineEvent>& timeline);

}  // namespace demat::reader_detail
