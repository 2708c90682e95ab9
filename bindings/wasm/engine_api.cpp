// demat's engine for the web page (docs/classroom.md): the same sim/core and
// scenario reader as `demat run`, compiled to WebAssembly with emscripten,
// single-threaded (SerialExecutor), without HDF5. The JavaScript API is
// documented in web/engine-api.md; every number it gives is the one the
// native command writes for the same scenario and seed (tests/web).
#include "core/engine.hpp"
#include "core/detmath.hpp"
#include "core/executor.hpp"
#include "core/segments.hpp"
#include "core/trace.hpp"
#include "scenario/reader.hpp"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using emscripten::val;

// ---- JSON out --------------------------------------------------------------

void put_string(std::string& out, const std::string& s) {
    out += '"';
    for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += ch;
        }
    }
    out += '"';
}

// %.17g round-trips every double: the page sees the native run's numbers.
void put_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";  // NaN (nobody eligible) has no JSON spelling
        return;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out += buf;
}
void put_number(std::string& out, std::int64_t v) { out += std::to_string(v); }

void put_strings(std::string& out, const std::vector<std::string>& v) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        put_string(out, v[i]);
    }
    out += ']';
}

// Nested arrays of a row-major block of values with the given shape.
template <class T>
void put_nested(std::string& out, const T* data, const std::size_t* shape, std::size_t rank) {
    if (rank == 0) {
        put_number(out, *data);
        return;
    }
    std::size_t stride = 1;
    for (std::size_t i = 1; i < rank; ++i) stride *= shape[i];
    out += '[';
    for (std::size_t i = 0; i < shape[0]; ++i) {
        if (i) out += ',';
        put_nested(out, data + i * stride, shape + 1, rank - 1);
    }
    out += ']';
}

// An array of Results as nested JSON arrays; `drop_first` leaves out a
// leading dimension of size 1 (the day of a one-day slice).
void put_array(std::string& out, const demat::Array& a, bool drop_first) {
    const std::size_t skip = drop_first ? 1 : 0;
    if (a.is_integer())
        put_nested(out, a.integers().data(), a.shape.data() + skip, a.shape.size() - skip);
    else
        put_nested(out, a.reals().data(), a.shape.data() + skip, a.shape.size() - skip);
}

// ---- JSON in (findCitizen's criteria: one flat object) --------------------

struct Criterion {
    std::vector<double> numbers;  // a number, or [min, max]
    std::string text;
    bool is_text = false;
};

std::map<std::string, Criterion> parse_criteria(const std::string& s) {
    std::map<std::string, Criterion> out;
    std::size_t i = 0;
    auto fail = [&](const std::string& what) {
        throw std::invalid_argument("findCitizen: criteria must be a flat JSON object: " + what + " at character " +
                                    std::to_string(i));
    };
    auto ws = [&] {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
    };
    auto str = [&] {
        if (i >= s.size() || s[i] != '"') fail("expected a string");
        std::string r;
        for (++i; i < s.size() && s[i] != '"'; ++i) {
            if (s[i] == '\\') ++i;
            if (i < s.size()) r += s[i];
        }
        if (i >= s.size()) fail("unterminated string");
        ++i;
        return r;
    };
    auto num = [&] {
        const char* begin = s.c_str() + i;
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        if (end == begin) fail("expected a number");
        i += static_cast<std::size_t>(end - begin);
        return v;
    };
    ws();
    if (i >= s.size() || s[i] != '{') fail("expected '{'");
    ++i;
    ws();
    if (i < s.size() && s[i] == '}') return out;
    for (;;) {
        ws();
        const std::string key = str();
        ws();
        if (i >= s.size() || s[i] != ':') fail("expected ':'");
        ++i;
        ws();
        Criterion c;
        if (i < s.size() && s[i] == '"') {
            c.text = str();
            c.is_text = true;
        } else if (i < s.size() && s[i] == '[') {
            ++i;
            for (;;) {
                ws();
                c.numbers.push_back(num());
                ws();
                if (i < s.size() && s[i] == ',') { ++i; continue; }
                if (i < s.size() && s[i] == ']') { ++i; break; }
                fail("expected ',' or ']'");
            }
        } else if (s.compare(i, 4, "true") == 0) {
            c.numbers.push_back(1);
            i += 4;
        } else if (s.compare(i, 5, "false") == 0) {
            c.numbers.push_back(0);
            i += 5;
        } else {
            c.numbers.push_back(num());
        }
        out[key] = c;
        ws();
        if (i < s.size() && s[i] == ',') { ++i; continue; }
        if (i < s.size() && s[i] == '}') break;
        fail("expected ',' or '}'");
    }
    return out;
}

[[noreturn]] void throw_js_error(const std::string& message) {
    val::global("Error").new_(message).throw_();
}

const char* const employment_names[] = {"employed", "unemployed", "inactive", "retired"};
const char* const equipment_names[] = {"none", "smartphone_only", "computer"};
const char* const household_names[] = {"single", "couple", "single_parent", "couple_children"};
const char* const education_names[] = {"none_primary", "secondary", "higher"};
const char* const channel_names[] = {"online", "phone", "counter", "mediation"};

template <std::size_t N>
int index_of(const char* const (&names)[N], const std::string& key, const std::string& value) {
    for (std::size_t i = 0; i < N; ++i)
        if (value == names[i]) return static_cast<int>(i);
    std::string expected;
    for (std::size_t i = 0; i < N; ++i) expected += (i ? ", " : "") + std::string(names[i]);
    throw std::invalid_argument("findCitizen: '" + key + "' must be one of " + expected + ", got '" + value + "'");
}

// ---- the simulation ----------------------------------------------------------

class Simulation {
public:
    Simulation(const std::string& toml, const std::string& file_name) {
        try {
            scenario_ = demat::parse_scenario(toml, file_name);
            engine_ = std::make_unique<demat::Engine>(scenario_, executor_);
        } catch (const std::exception& e) {
            // The message `demat run` prints: file:line: key ...: expected ...
            throw_js_error(e.what());
        }
        services_ = static_cast<int>(scenario_.services.size());
        counts_.reserve(static_cast<std::size_t>(scenario_.days) * static_cast<std::size_t>(services_) * states());
    }

    std::string describe() const {
        std::string o = "{";
        o += "\"seed\":" + std::to_string(scenario_.seed);
        o += ",\"population\":" + std::to_string(scenario_.population.size);
        o += ",\"warmup_days\":" + std::to_string(scenario_.warmup_days);
        o += ",\"days\":" + std::to_string(scenario_.days);
        o += ",\"name\":";
        put_string(o, scenario_.name);
        o += ",\"description\":";
        put_string(o, scenario_.description);
        std::vector<std::string> services, kinds;
        for (const auto& s : scenario_.services) {
            services.push_back(s.name);
            kinds.push_back(s.kind == demat::ServiceKind::benefit ? "benefit" : "obligation");
        }
        o += ",\"services\":";
        put_strings(o, services);
        o += ",\"service_kinds\":";
        put_strings(o, kinds);
        o += ",\"states\":";
        put_strings(o, demat::state_names());
        o += ",\"channels\":";
        put_strings(o, {channel_names, channel_names + demat::channel_count});
        o += ",\"segments\":{";
        bool first = true;
        const bool agencies = std::any_of(scenario_.services.begin(), scenario_.services.end(),
                                          [](const demat::ServiceParams& s) { return s.agency != demat::Agency::none; });
        for (int di = 0; di < demat::dimension_count; ++di) {
            if (!demat::dimension_in_output(di, agencies)) continue;
            const auto& d = demat::dimensions()[static_cast<std::size_t>(di)];
            if (!first) o += ',';
            first = false;
            put_string(o, d.name);
            o += ':';
            put_strings(o, d.groups);
        }
        o += "},\"control\":";
        o += scenario_.control.enabled ? "true" : "false";
        o += ",\"trace_events\":";
        put_strings(o, demat::trace_event_names());
        o += ",\"version\":";
        put_string(o, DEMAT_VERSION);
        o += '}';
        return o;
    }

    // One simulated day (warm-up included); false, doing nothing, once the
    // run is complete, so that `while (sim.step()) ...` sees every day.
    bool step() {
        if (engine_->completed()) return false;
        try {
            engine_->step();
        } catch (const std::exception& e) {
            throw_js_error(e.what());
        }
        const int rd = recordedDay();
        if (rd >= 0) {
            demat::Results r = engine_->day_results(rd);
            for (const auto v : r.array("counts").integers()) counts_.push_back(static_cast<std::int32_t>(v));
            last_day_ = std::move(r);
            // The fairness indicators are sums over every round so far: read
            // again after each monthly round (docs/model.md 11) and at the end.
            if (scenario_.control.enabled &&
                ((rd + scenario_.warmup_days) % 30 == 0 || engine_->completed()))
                control_json_ = controlJSON();
        }
        return true;
    }

    // The control indicators by capital quintile over the rounds so far
    // (docs/output.md, Control): `/control/segments/capital_quintile/fairness`
    // and `/control/precision_recall` as results() has them.
    std::string controlJSON() const {
        const demat::Results r = engine_->control_results();
        const auto& fair = r.array("control/segments/capital_quintile/fairness");
        const auto& names = r.coordinate("control/indicator").labels;
        const std::size_t I = names.size(), G = fair.shape[0];
        std::string o = "{";
        for (std::size_t i = 0; i < I; ++i) {
            if (i) o += ',';
            put_string(o, names[i]);
            o += ":[";
            for (std::size_t g = 0; g < G; ++g) {
                if (g) o += ',';
                put_number(o, fair.reals()[g * I + i]);
            }
            o += ']';
        }
        const auto& pr = r.array("control/precision_recall").reals();
        o += ",\"precision\":[";
        put_number(o, pr[0]);
        o += ',';
        put_number(o, pr[2]);
        o += "]}";
        return o;
    }

    bool completed() const { return engine_->completed(); }
    // The absolute day last simulated (warm-up included), -1 before the first step.
    int day() const { return engine_->current_day() - 1; }
    int recordedDay() const {
        const int d = day() - scenario_.warmup_days;
        return d >= 0 ? d : -1;
    }
    int totalDays() const { return engine_->total_days(); }

    // The last recorded day: every [day]-indexed array of the HDF5 file under
    // its HDF5 path, without the day dimension, plus a few derived views.
    std::string dayJSON() const {
        if (recordedDay() < 0) return "null";
        const demat::Results& r = last_day_;
        std::string o = "{\"day\":" + std::to_string(day()) + ",\"recorded_day\":" + std::to_string(recordedDay());
        for (const auto& a : r.arrays) {
            if (a.dims.empty() || a.dims[0] != "day") continue;
            o += ',';
            put_string(o, a.path);
            o += ':';
            put_array(o, a, true);
        }
        // Derived for the page, from the arrays above (docs/output.md).
        const std::size_t S = static_cast<std::size_t>(services_), K = states(), C = demat::channel_count;
        const auto& q = r.array("segments/capital_quintile/counts").integers();
        o += ",\"take_up_by_quintile\":[";
        for (std::size_t s = 0; s < S; ++s) {
            o += s ? ",[" : "[";
            for (std::size_t g = 0; g < 5; ++g) {
                if (g) o += ',';
                const std::size_t j = (s * 5 + g) * K;
                put_number(o, q[j] > 0 ? static_cast<double>(q[j + 1]) / static_cast<double>(q[j]) : NAN);
            }
            o += ']';
        }
        o += "],\"mean_wait_days\":[";
        const auto& served = r.array("metrics/queue_served").integers();
        const auto& waited = r.array("metrics/queue_wait_days").integers();
        for (std::size_t s = 0; s < S; ++s) {
            o += s ? ",[" : "[";
            for (std::size_t c = 0; c < C; ++c) {
                if (c) o += ',';
                const std::size_t j = s * C + c;
                put_number(o, served[j] > 0 ? static_cast<double>(waited[j]) / static_cast<double>(served[j]) : NAN);
            }
            o += ']';
        }
        o += ']';
        if (!control_json_.empty()) {
            o += ",\"control_by_quintile\":";
            o += control_json_;
        }
        o += '}';
        return o;
    }

    // Every recorded count so far, [day][service][state], as /counts.
    val counts() const {
        return val(emscripten::typed_memory_view(counts_.size(), counts_.data())).call<val>("slice");
    }

    // The whole Results (what `demat run` writes, the trace included): every
    // array under its HDF5 path with its dims; only once the run is complete.
    std::string resultsJSON() const {
        const demat::Results r = engine_->results();
        std::string o = "{\"attributes\":{";
        bool first = true;
        for (const auto& [k, v] : r.attributes) {
            if (!first) o += ',';
            first = false;
            put_string(o, k);
            o += ':';
            if (const auto* s = std::get_if<std::string>(&v)) put_string(o, *s);
            else if (const auto* i = std::get_if<std::int64_t>(&v)) put_number(o, *i);
            else put_number(o, std::get<double>(v));
        }
        o += "},\"arrays\":{";
        first = true;
        for (const auto& a : r.arrays) {
            if (!first) o += ',';
            first = false;
            put_string(o, a.path);
            o += ":{\"dims\":";
            put_strings(o, a.dims);
            o += ",\"data\":";
            put_array(o, a, false);
            o += '}';
        }
        o += "}}";
        return o;
    }

    void setTrace(val ids) {
        if (engine_->current_day() > 0) throw_js_error("setTrace: call it before the first step()");
        std::vector<std::uint32_t> v;
        const auto n = ids["length"].as<unsigned>();
        for (unsigned i = 0; i < n; ++i) {
            const double id = ids[i].as<double>();
            if (!(id >= 0 && id < static_cast<double>(engine_->population().size())) || id != std::floor(id))
                throw_js_error("setTrace: citizen " + std::to_string(id) + " is not in [0, " +
                               std::to_string(engine_->population().size()) + ")");
            v.push_back(static_cast<std::uint32_t>(id));
        }
        engine_->set_trace(v);
    }

    std::string traceJSON(double citizen) const {
        std::string o = "[";
        bool first = true;
        for (const auto& ev : engine_->trace()) {
            if (citizen >= 0 && ev.citizen != static_cast<std::uint32_t>(citizen)) continue;
            if (!first) o += ',';
            first = false;
            o += "{\"day\":" + std::to_string(ev.day);
            o += ",\"recorded_day\":" + std::to_string(ev.day - scenario_.warmup_days);
            o += ",\"citizen\":" + std::to_string(ev.citizen);
            o += ",\"service\":";
            put_string(o, scenario_.services[ev.service].name);
            o += ",\"event\":";
            put_string(o, demat::trace_event_names()[ev.kind]);
            o += ",\"channel\":";
            if (ev.channel < demat::channel_count) put_string(o, channel_names[ev.channel]);
            else o += "null";
            o += '}';
        }
        o += ']';
        return o;
    }

    // Who the citizen is, for the page's "follow one citizen" card.
    std::string citizenJSON(double citizen) const {
        const auto& p = engine_->population();
        if (!(citizen >= 0 && citizen < static_cast<double>(p.size()))) throw_js_error("citizenJSON: no such citizen");
        const auto c = static_cast<std::size_t>(citizen);
        std::string o = "{\"id\":" + std::to_string(c);
        o += ",\"age\":" + std::to_string(p.age[c]);
        o += ",\"employment\":\"" + std::string(employment_names[static_cast<int>(p.employment[c])]) + '"';
        o += ",\"equipment\":\"" + std::string(equipment_names[static_cast<int>(p.equipment[c])]) + '"';
        o += ",\"household\":\"" + std::string(household_names[static_cast<int>(p.household[c])]) + '"';
        o += ",\"education\":\"" + std::string(education_names[static_cast<int>(p.education[c])]) + '"';
        o += ",\"income_decile\":" + std::to_string(p.income_decile[c]);
        o += ",\"capital_quintile\":" + std::to_string(engine_->capital_quintile(c) + 1);
        o += ",\"ties\":" + std::to_string(engine_->network().degree(static_cast<std::uint32_t>(c)));
        o += ",\"digital_skill\":";
        put_number(o, static_cast<double>(p.digital_skill[c]));
        o += '}';
        return o;
    }

    // The first citizen (lowest id at or after `criteria.from`, default 0)
    // matching every criterion, or -1. Criteria: age [min, max], employment,
    // equipment, household, education (names as in docs/output.md),
    // capital_quintile (1..5), ties [min, max] (network degree),
    // eligible_for (a service name: eligible on the current day).
    double findCitizen(const std::string& criteria_json) const {
        std::map<std::string, Criterion> cr;
        try {
            cr = parse_criteria(criteria_json);
        } catch (const std::exception& e) {
            throw_js_error(e.what());
        }
        const auto& p = engine_->population();
        auto range = [&](const std::string& key, double& lo, double& hi) {
            const auto it = cr.find(key);
            if (it == cr.end()) return false;
            if (it->second.is_text || it->second.numbers.empty() || it->second.numbers.size() > 2)
                throw_js_error("findCitizen: '" + key + "' must be a number or [min, max]");
            lo = it->second.numbers.front();
            hi = it->second.numbers.back();
            return true;
        };
        auto name = [&](const std::string& key, const auto& names) {
            const auto it = cr.find(key);
            if (it == cr.end()) return -1;
            if (!it->second.is_text) throw_js_error("findCitizen: '" + key + "' must be a string");
            try {
                return index_of(names, key, it->second.text);
            } catch (const std::exception& e) {
                throw_js_error(e.what());
            }
        };
        for (const auto& [k, v] : cr) {
            static const char* const known[] = {"age", "employment", "equipment", "household", "education",
                                                "capital_quintile", "ties", "eligible_for", "from"};
            bool ok = false;
            for (const char* n : known) ok = ok || k == n;
            if (!ok)
                throw_js_error("findCitizen: unknown criterion '" + k +
                               "' (expected age, employment, equipment, household, education, capital_quintile, ties, "
                               "eligible_for, from)");
        }
        double age_lo = 0, age_hi = 1e9, q_lo = 1, q_hi = 5, t_lo = 0, t_hi = 1e9, from = 0, unused = 0;
        const bool by_age = range("age", age_lo, age_hi);
        const bool by_q = range("capital_quintile", q_lo, q_hi);
        const bool by_ties = range("ties", t_lo, t_hi);
        range("from", from, unused);
        const int emp = name("employment", employment_names), equ = name("equipment", equipment_names),
                  hh = name("household", household_names), edu = name("education", education_names);
        int service = -1;
        if (const auto it = cr.find("eligible_for"); it != cr.end()) {
            for (int s = 0; s < services_; ++s)
                if (scenario_.services[static_cast<std::size_t>(s)].name == it->second.text) service = s;
            if (service < 0) throw_js_error("findCitizen: 'eligible_for': no service named '" + it->second.text + "'");
        }
        for (std::size_t c = static_cast<std::size_t>(std::max(0.0, from)); c < p.size(); ++c) {
            if (by_age && (p.age[c] < age_lo || p.age[c] > age_hi)) continue;
            if (emp >= 0 && static_cast<int>(p.employment[c]) != emp) continue;
            if (equ >= 0 && static_cast<int>(p.equipment[c]) != equ) continue;
            if (hh >= 0 && static_cast<int>(p.household[c]) != hh) continue;
            if (edu >= 0 && static_cast<int>(p.education[c]) != edu) continue;
            if (by_q) {
                const int q = engine_->capital_quintile(c) + 1;
                if (q < q_lo || q > q_hi) continue;
            }
            if (by_ties) {
                const double d = engine_->network().degree(static_cast<std::uint32_t>(c));
                if (d < t_lo || d > t_hi) continue;
            }
            if (service >= 0 && engine_->claim(c, service).state == demat::ClaimState::not_eligible) continue;
            return static_cast<double>(c);
        }
        return -1;
    }

    // The fully resolved scenario as TOML that `demat run` reads back.
    std::string scenarioTOML() const { return demat::to_toml(scenario_); }

    double engineSeconds() const { return engine_->stats().simulation_seconds; }
    // Every timing of the engine (EngineStats), for docs/performance.md.
    std::string statsJSON() const {
        const auto& st = engine_->stats();
        std::string o = "{\"population_seconds\":";
        put_number(o, st.population_seconds);
        o += ",\"network_seconds\":";
        put_number(o, st.network_seconds);
        o += ",\"setup_seconds\":";
        put_number(o, st.setup_seconds);
        o += ",\"simulation_seconds\":";
        put_number(o, st.simulation_seconds);
        o += ",\"observe_seconds\":";
        put_number(o, st.observe_seconds);
        o += ",\"act_seconds\":";
        put_number(o, st.act_seconds);
        o += ",\"serve_seconds\":";
        put_number(o, st.serve_seconds);
        o += ",\"memory_bytes\":" + std::to_string(st.memory_bytes) + "}";
        return o;
    }
    double setupSeconds() const {
        const auto& st = engine_->stats();
        return st.population_seconds + st.network_seconds + st.setup_seconds;
    }

private:
    static std::size_t states() { return demat::state_names().size(); }
    demat::Scenario scenario_;
    demat::SerialExecutor executor_;
    std::unique_ptr<demat::Engine> engine_;
    int services_ = 0;
    std::vector<std::int32_t> counts_;
    demat::Results last_day_;
    std::string control_json_;  // controlJSON() after the last round, empty when control is off
};

std::string detmath_checksum() {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(demat::dmath::checksum()));
    return buf;
}

}  // namespace

EMSCRIPTEN_BINDINGS(demat_engine) {
    // The bits of core/detmath.hpp over fixed arguments, in hexadecimal:
    // the native build's value (tests/core/test_detmath.cpp) in a correct build.
    emscripten::function("detmathChecksum", &detmath_checksum);
    emscripten::class_<Simulation>("Simulation")
        .constructor<const std::string&, const std::string&>()
        .function("describe", &Simulation::describe)
        .function("step", &Simulation::step)
        .function("completed", &Simulation::completed)
        .function("day", &Simulation::day)
        .function("recordedDay", &Simulation::recordedDay)
        .function("totalDays", &Simulation::totalDays)
        .function("dayJSON", &Simulation::dayJSON)
        .function("counts", &Simulation::counts)
        .function("resultsJSON", &Simulation::resultsJSON)
        .function("setTrace", &Simulation::setTrace)
        .function("traceJSON", &Simulation::traceJSON)
        .function("citizenJSON", &Simulation::citizenJSON)
        .function("findCitizen", &Simulation::findCitizen)
        .function("scenarioTOML", &Simulation::scenarioTOML)
        .function("engineSeconds", &Simulation::engineSeconds)
        .function("statsJSON", &Simulation::statsJSON)
        .function("setupSeconds", &Simulation::setupSeconds);
}
