// Scenarios: loading, building from a dict, changing by dotted key, and
// ScenarioError (a ValueError carrying the file, line and key).
#include "register.hpp"

#include "core/scenario.hpp"
#include "scenario/reader.hpp"
#include "scenario/schema.hpp"
#include "sweep/overrides.hpp"

#include <pybind11/stl.h>
#include <toml++/toml.h>

#include <algorithm>
#include <optional>
#include <cctype>
#include <sstream>

namespace py = pybind11;

namespace demat::python {

namespace {

// numpy scalars (numpy.bool_, numpy.int64...) behave as the Python value they hold.
py::object plain(py::handle value) {
    if (!py::isinstance<py::str>(value) && !py::isinstance<py::bool_>(value) && py::hasattr(value, "item") &&
        !py::isinstance<py::dict>(value) && !py::isinstance<py::list>(value))
        return value.attr("item")();
    return py::reinterpret_borrow<py::object>(value);
}

[[noreturn]] void bad_type(const std::string& key, py::handle value) {
    throw ScenarioError("", 0, key,
                        "key '" + key + "': a scenario value must be a bool, int, float, str, list or dict, got " +
                            std::string(py::str(py::type::of(value).attr("__name__"))));
}

// Deeper than any scenario (services.<name>.channels.<channel>.<key> is 5):
// a dict or list that contains itself, or a very deep one, would otherwise
// recurse until the C stack overflows.
constexpr int max_depth = 32;

void check_depth(int depth, const std::string& key) {
    if (depth > max_depth)
        throw ScenarioError("", 0, key,
                            "key '" + key + "': nested more than " + std::to_string(max_depth) +
                                " levels deep (a dict or list that contains itself?); a scenario is a few levels of "
                                "tables of bool, int, float and str");
}

// Where a converted value goes: a key of a table, or the end of an array.
struct TableSink {
    toml::table& table;
    std::string name;
    template <class T>
    void put(T&& value) { table.insert_or_assign(name, std::forward<T>(value)); }
};
struct ArraySink {
    toml::array& array;
    template <class T>
    void put(T&& value) { array.push_back(std::forward<T>(value)); }
};

toml::table to_table(const py::dict& d, const std::string& prefix, int depth);

template <class Sink>
void convert_value(py::handle raw, const std::string& key, Sink sink, int depth) {
    check_depth(depth, key);
    const py::object value = plain(raw);
    if (py::isinstance<py::bool_>(value)) {
        sink.put(value.cast<bool>());
    } else if (py::isinstance<py::int_>(value)) {
        // TOML integers are signed 64-bit: a bigger one is the user's value to fix.
        int overflow = 0;
        const long long integer = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
        if (overflow != 0 || (integer == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            throw ScenarioError("", 0, key,
                                "key '" + key + "': expected an integer within 64 bits, got " + std::string(py::str(value)));
        }
        sink.put(static_cast<std::int64_t>(integer));
    } else if (py::isinstance<py::float_>(value)) {
        sink.put(value.cast<double>());
    } else if (py::isinstance<py::str>(value)) {
        sink.put(value.cast<std::string>());
    } else if (py::isinstance<py::dict>(value)) {
        sink.put(to_table(value.cast<py::dict>(), key, depth + 1));
    } else if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
        toml::array array;
        for (const auto& element : value) convert_value(element, key, ArraySink{array}, depth + 1);
        sink.put(std::move(array));
    } else {
        bad_type(key, value);
    }
}

toml::table to_table(const py::dict& d, const std::string& prefix, int depth) {
    check_depth(depth, prefix);
    toml::table table;
    for (const auto& [k, v] : d) {
        if (!py::isinstance<py::str>(k))
            throw ScenarioError("", 0, prefix, "table '" + prefix + "': keys must be strings");
        const std::string name = k.cast<std::string>();
        const std::string key = prefix.empty() ? name : prefix + "." + name;
        convert_value(v, key, TableSink{table, name}, depth + 1);
    }
    return table;
}

std::string toml_key(const std::string& name) {
    const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (bare) return name;
    std::ostringstream quoted;
    quoted << toml::value<std::string>(name);
    return quoted.str();
}

// Written by hand, in the dict's order: toml++ would sort the keys, and the
// order of the services is the order of the results' `service` axis.
void emit(std::ostream& out, const py::dict& d, const std::string& path, int depth = 0) {
    check_depth(depth, path);
    bool header = path.empty();
    for (const auto& [k, v] : d) {
        if (!py::isinstance<py::str>(k)) throw ScenarioError("", 0, path, "table '" + path + "': keys must be strings");
        const std::string name = k.cast<std::string>();
        const py::object value = plain(v);
        if (py::isinstance<py::dict>(value)) continue;
        toml::table one;
        convert_value(value, path.empty() ? name : path + "." + name, TableSink{one, name}, depth + 1);
        if (!header) {
            out << "\n[" << path << "]\n";
            header = true;
        }
        out << toml_key(name) << " = ";
        one.get(name)->visit([&](const auto& node) { out << node; });
        out << "\n";
    }
    for (const auto& [k, v] : d) {
        const py::object value = plain(v);
        if (py::isinstance<py::dict>(value)) {
            const std::string name = toml_key(k.cast<std::string>());
            emit(out, value.cast<py::dict>(), path.empty() ? name : path + "." + name, depth + 1);
        }
    }
}

Scenario from_dict(const py::dict& d) {
    std::ostringstream text;
    emit(text, d, "");
    // No source name: a `base` path is taken relative to the working directory,
    // and errors name the key, not a line of text the user never wrote.
    return parse_scenario(text.str(), "");
}

}  // namespace

void register_scenario(py::module_& m) {
    py::class_<Scenario>(m, "Scenario")
        .def_static("load", &load_scenario, py::arg("path"), py::call_guard<py::gil_scoped_release>())
        .def_static("parse", &parse_scenario, py::arg("text"), py::arg("source_name") = "")
        .def_static("from_dict", &from_dict, py::arg("d"))
        .def("to_toml", [](const Scenario& s) { return to_toml(s); })
        .def(
            "with_changes",
            [](const Scenario& s, const std::vector<std::pair<std::string, ParameterValue>>& changes) {
                std::vector<ParameterChange> list;
                for (const auto& [k, v] : changes) list.push_back({k, v});
                return with_changes(s, list);
            },
            py::arg("changes"))
        .def("with_seed",
             [](const Scenario& s, std::uint64_t seed) {
                 Scenario copy = s;
                 set_seed(copy, seed);
                 return copy;
             })
        // The command line's --population and --days, applied as `demat sweep`
        // applies them (the source text is kept), so that python3 -m
        // demat.sweep writes the very file `demat sweep` writes.
        .def(
            "with_sizes",
            [](const Scenario& s, std::optional<std::int64_t> population, std::optional<std::int64_t> days) {
                Scenario copy = s;
                if (population) set_population_size(copy, *population, "--population");
                if (days) set_days(copy, *days, "--days");
                return copy;
            },
            py::arg("population") = py::none(), py::arg("days") = py::none())
        .def_readonly("name", &Scenario::name)
        .def_readonly("description", &Scenario::description)
        .def_readonly("days", &Scenario::days)
        .def_readonly("warmup_days", &Scenario::warmup_days)
        .def_readonly("seed", &Scenario::seed)
        .def_property_readonly("population_size", [](const Scenario& s) { return s.population.size; })
        .def_property_readonly("services",
                               [](const Scenario& s) {
                                   std::vector<std::string> names;
                                   for (const auto& service : s.services) names.push_back(service.name);
                                   return names;
                               })
        .def_readonly("source_text", &Scenario::source_text)
        .def_readonly("source_path", &Scenario::source_path);

    m.def("parse_parameter_value", [](const std::string& text) { return parse_parameter_value(text); });
    m.def("parameter_schema", [] {
        py::list out;
        for (const auto& p : parameter_schema()) {
            py::dict d;
            d["key"] = p.key;
            d["type"] = p.type;
            d["default"] = p.default_value;
            d["range"] = p.range;
            d["unit"] = p.unit;
            d["description"] = p.description;
            d["source"] = p.source;
            out.append(d);
        }
        return out;
    });
}

}  // namespace demat::python
