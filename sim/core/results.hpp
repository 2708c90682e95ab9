// What a run produces, as named arrays over named coordinates.
//
// The engine's metrics fill a Results; writers (HDF5) and bindings (numpy)
// consume it without knowing the model. Array and coordinate paths are the
// HDF5 paths of docs/output.md (without the leading '/').
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace demat {

// A dimension scale: either string labels (service, state, group, channel...)
// or integer values (day).
struct Coordinate {
    std::string path;  // e.g. "day", "service", "segments/age_group/group"
    std::vector<std::string> labels;
    std::vector<std::int64_t> values;
    std::string description;

    std::size_t size() const { return labels.empty() ? values.size() : labels.size(); }
    bool is_text() const { return !labels.empty(); }
    // Name of the dimension: the last component of the path.
    std::string name() const { return path.substr(path.find_last_of('/') + 1); }
};

struct Array {
    std::string path;                      // e.g. "counts", "segments/age_group/counts"
    std::vector<std::string> dims;         // coordinate paths, slowest-varying first
    std::vector<std::size_t> shape;
    std::variant<std::vector<std::int64_t>, std::vector<double>> data;  // row-major
    std::string description;
    std::string unit;

    std::size_t size() const {
        std::size_t n = 1;
        for (auto s : shape) n *= s;
        return n;
    }
    bool is_integer() const { return std::holds_alternative<std::vector<std::int64_t>>(data); }
    const std::vector<std::int64_t>& integers() const { return std::get<std::vector<std::int64_t>>(data); }
    const std::vector<double>& reals() const { return std::get<std::vector<double>>(data); }
};

using AttributeValue = std::variant<std::string, std::int64_t, double>;

struct Results {
    std::map<std::string, AttributeValue> attributes;  // root attributes: demat_version, scenario, seed, ...
    std::vector<Coordinate> coordinates;
    std::vector<Array> arrays;

    const Coordinate& coordinate(const std::string& path) const {
        for (const auto& c : coordinates)
            if (c.path == path) return c;
        throw std::out_of_range("no coordinate '" + path + "' in results");
    }
    const Array& array(const std::string& path) const {
        for (const auto& a : arrays)
            if (a.path == path) return a;
        throw std::out_of_range("no array '" + path + "' in results");
    }
    bool has_array(const std::string& path) const {
        for (const auto& a : arrays)
            if (a.path == path) return true;
        return false;
    }
};

// The seven states of docs/output.md (/counts), in their contractual order.
inline const std::vector<std::string>& state_names() {
    static const std::vector<std::string> names{"eligible",   "receiving",   "non_knowledge", "non_demand",
                                                "in_progress", "non_receipt", "interrupted"};
    return names;
}

}  // namespace demat
