// HDF5 -> Results: reads back what hdf5_writer.cpp writes (docs/output.md),
// in this process; files demat did not just write go through
// io/results_file.hpp, which reads them in a child process with a time limit.
#include "io/hdf5_writer.hpp"

#include "io/hdf5_checked.hpp"
#include "core/error.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace demat {

namespace {

namespace fs = std::filesystem;
using h5::Handle;
using Kind = h5::Handle::Kind;
using h5::rethrow_with_context;

// ---------------------------------------------------------------------------
// Reading

// Variable-length data read by HDF5 is allocated by HDF5 and must be given
// back, including when copying it out throws.
// H5Treclaim is declared by 1.10 headers but only exported from 1.12 on.
#if H5_VERSION_GE(1, 12, 0)
#define DEMAT_H5_RECLAIM H5Treclaim
#else
#define DEMAT_H5_RECLAIM H5Dvlen_reclaim
#endif

class VlenBuffer {
public:
    VlenBuffer(hid_t type, hid_t space, void* buffer) : type_(type), space_(space), buffer_(buffer) {}
    VlenBuffer(const VlenBuffer&) = delete;
    VlenBuffer& operator=(const VlenBuffer&) = delete;
    ~VlenBuffer() {
        if (buffer_) DEMAT_H5_RECLAIM(type_, space_, H5P_DEFAULT, buffer_);  // already failing: nothing to report to
    }
    void reclaim() { DEMAT_H5(DEMAT_H5_RECLAIM, type_, space_, H5P_DEFAULT, std::exchange(buffer_, nullptr)); }

private:
    hid_t type_;
    hid_t space_;
    void* buffer_;
};

H5T_class_t type_class(hid_t object_type) { return DEMAT_H5(H5Tget_class, object_type); }

std::string read_string_attribute(hid_t attribute) {
    Handle file_type(DEMAT_H5(H5Aget_type, attribute), Kind::datatype);
    Handle space(DEMAT_H5(H5Aget_space, attribute), Kind::dataspace);
    Handle memory_type(DEMAT_H5(H5Tget_native_type, file_type, H5T_DIR_DEFAULT), Kind::datatype);
    if (DEMAT_H5(H5Tis_variable_str, file_type) > 0) {
        char* pointer = nullptr;
        DEMAT_H5(H5Aread, attribute, memory_type, &pointer);
        VlenBuffer owned(memory_type, space, &pointer);
        std::string text = pointer ? pointer : "";
        owned.reclaim();
        return text;
    }
    // Fixed-length strings, as netCDF-C and some tools write them.
    const std::size_t size = DEMAT_H5(H5Tget_size, file_type);
    std::string text(size, '\0');
    DEMAT_H5(H5Aread, attribute, memory_type, text.data());
    text.resize(std::min(text.find('\0'), text.size()));
    if (DEMAT_H5(H5Tget_strpad, file_type) == H5T_STR_SPACEPAD) text.erase(text.find_last_not_of(' ') + 1);
    return text;
}

AttributeValue read_attribute(hid_t attribute, const std::string& what) {
    Handle space(DEMAT_H5(H5Aget_space, attribute), Kind::dataspace);
    if (DEMAT_H5(H5Sget_simple_extent_type, space) != H5S_SCALAR)
        throw std::runtime_error(what + " is not a scalar; read_hdf5 reads the scalar attributes write_hdf5 writes");
    Handle file_type(DEMAT_H5(H5Aget_type, attribute), Kind::datatype);
    switch (type_class(file_type)) {
    case H5T_STRING: return read_string_attribute(attribute);
    case H5T_INTEGER: {
        std::int64_t value = 0;
        DEMAT_H5(H5Aread, attribute, H5T_NATIVE_INT64, &value);
        return value;
    }
    case H5T_FLOAT: {
        double value = 0;
        DEMAT_H5(H5Aread, attribute, H5T_NATIVE_DOUBLE, &value);
        return value;
    }
    default: throw std::runtime_error(what + " is neither a string, an integer nor a floating-point number");
    }
}

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* names) noexcept {
    try {
        static_cast<std::vector<std::string>*>(names)->emplace_back(name);
        return 0;
    } catch (...) {
        return -1;
    }
}

std::map<std::string, AttributeValue> read_attributes(hid_t object, const std::string& owner) {
    std::vector<std::string> names;
    DEMAT_H5(H5Aiterate2, object, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute_name, &names);
    std::map<std::string, AttributeValue> attributes;
    for (const auto& name : names) {
        Handle attribute(DEMAT_H5(H5Aopen, object, name.c_str(), H5P_DEFAULT), Kind::attribute);
        attributes.emplace(name, read_attribute(attribute, "attribute '" + name + "' of " + owner));
    }
    return attributes;
}

std::string read_text_attribute_if_present(hid_t object, const char* name, const std::string& owner) {
    if (DEMAT_H5(H5Aexists, object, name) == 0) return {};
    Handle attribute(DEMAT_H5(H5Aopen, object, name, H5P_DEFAULT), Kind::attribute);
    const std::string what = "attribute '" + std::string(name) + "' of " + owner;
    auto value = read_attribute(attribute, what);
    if (const auto* text = std::get_if<std::string>(&value)) return *text;
    throw std::runtime_error(what + " is not a string");
}

std::vector<std::size_t> extent_of(hid_t dataset) {
    Handle space(DEMAT_H5(H5Dget_space, dataset), Kind::dataspace);
    const int rank = DEMAT_H5(H5Sget_simple_extent_ndims, space);
    std::vector<hsize_t> extent(static_cast<std::size_t>(rank));
    DEMAT_H5(H5Sget_simple_extent_dims, space, extent.data(), nullptr);
    return {extent.begin(), extent.end()};
}

std::vector<std::string> read_labels(hid_t dataset, std::size_t count) {
    if (count == 0) return {};
    Handle file_type(DEMAT_H5(H5Dget_type, dataset), Kind::datatype);
    Handle memory_type(DEMAT_H5(H5Tget_native_type, file_type, H5T_DIR_DEFAULT), Kind::datatype);
    Handle space(DEMAT_H5(H5Dget_space, dataset), Kind::dataspace);
    std::vector<char*> pointers(count, nullptr);
    DEMAT_H5(H5Dread, dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data());
    VlenBuffer owned(memory_type, space, pointers.data());
    std::vector<std::string> labels;
    labels.reserve(count);
    for (const char* pointer : pointers) labels.emplace_back(pointer ? pointer : "");
    owned.reclaim();
    return labels;
}

Coordinate read_coordinate(hid_t dataset, const std::string& path) {
    const std::string what = "coordinate '/" + path + "'";
    const auto extent = extent_of(dataset);
    if (extent.size() != 1)
        throw std::runtime_error(what + " has " + std::to_string(extent.size()) + " dimensions; expected 1");
    Coordinate coordinate;
    coordinate.path = path;
    Handle file_type(DEMAT_H5(H5Dget_type, dataset), Kind::datatype);
    const auto kind = type_class(file_type);
    if (kind == H5T_STRING) {
        if (DEMAT_H5(H5Tis_variable_str, file_type) == 0)
            throw std::runtime_error(what + " holds fixed-length strings; expected variable-length UTF-8 strings");
        coordinate.labels = read_labels(dataset, extent[0]);
    } else if (kind == H5T_INTEGER) {
        coordinate.values.resize(extent[0]);
        if (extent[0] > 0)
            DEMAT_H5(H5Dread, dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, coordinate.values.data());
    } else {
        throw std::runtime_error(what + " holds neither strings nor integers");
    }
    coordinate.description = read_text_attribute_if_present(dataset, "description", what);
    return coordinate;
}

struct ScaleLookup {
    std::string path;
    std::exception_ptr error;
};

herr_t record_scale_path(hid_t, unsigned, hid_t scale, void* data) noexcept {
    auto& lookup = *static_cast<ScaleLookup*>(data);
    try {
        const ssize_t length = DEMAT_H5(H5Iget_name, scale, nullptr, 0);
        std::string name(static_cast<std::size_t>(length) + 1, '\0');
        DEMAT_H5(H5Iget_name, scale, name.data(), name.size());
        name.resize(static_cast<std::size_t>(length));
        // Several scales on one axis: the last one wins, as in netCDF-C and h5netcdf.
        lookup.path = name.empty() || name[0] != '/' ? name : name.substr(1);
        return 0;
    } catch (...) {
        // An exception must not cross HDF5's C frames: carry it out instead.
        lookup.error = std::current_exception();
        return -1;
    }
}

Array read_array(hid_t dataset, const std::string& path) {
    const std::string what = "array '/" + path + "'";
    Array array;
    array.path = path;
    array.shape = extent_of(dataset);
    Handle file_type(DEMAT_H5(H5Dget_type, dataset), Kind::datatype);
    const auto kind = type_class(file_type);
    if (kind == H5T_INTEGER) {
        std::vector<std::int64_t> values(array.size());
        if (!values.empty())
            DEMAT_H5(H5Dread, dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
        array.data = std::move(values);
    } else if (kind == H5T_FLOAT) {
        std::vector<double> values(array.size());
        if (!values.empty())
            DEMAT_H5(H5Dread, dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
        array.data = std::move(values);
    } else {
        throw std::runtime_error(what + " holds neither integers nor floating-point numbers");
    }
    for (unsigned axis = 0; axis < array.shape.size(); ++axis) {
        if (DEMAT_H5(H5DSget_num_scales, dataset, axis) < 1)
            throw std::runtime_error(what + " has no dimension scale attached to axis " + std::to_string(axis));
        ScaleLookup lookup;
        const herr_t status = H5DSiterate_scales(dataset, axis, nullptr, record_scale_path, &lookup);
        if (lookup.error) std::rethrow_exception(lookup.error);
        if (status < 0) {
            h5::take_error_stack();
            throw std::runtime_error(what + ": the dimension scale of axis " + std::to_string(axis) +
                                     " is missing or damaged");
        }
        array.dims.push_back(lookup.path);
    }
    array.description = read_text_attribute_if_present(dataset, "description", what);
    array.unit = read_text_attribute_if_present(dataset, "units", what);
    return array;
}

herr_t collect_hard_link(hid_t, const char* name, const H5L_info_t* info, void* names) noexcept {
    try {
        if (info->type == H5L_TYPE_HARD) static_cast<std::vector<std::string>*>(names)->emplace_back(name);
        return 0;
    } catch (...) {
        return -1;
    }
}

// Each group's datasets in creation order, then its subgroups, also in
// creation order: for a Results that lists root-level entries before nested
// ones (as the engine does), this is the order they were written in, even
// though a group such as /segments is created, by its first coordinate,
// before the root-level arrays.
void read_group(hid_t file, const std::string& prefix, Results& results, const std::function<void()>& progress) {
    Handle group(DEMAT_H5(H5Gopen2, file, prefix.empty() ? "/" : prefix.c_str(), H5P_DEFAULT), Kind::group);
    Handle creation(DEMAT_H5(H5Gget_create_plist, group), Kind::property_list);
    unsigned order_flags = 0;
    DEMAT_H5(H5Pget_link_creation_order, creation, &order_flags);
    const H5_index_t index = (order_flags & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    std::vector<std::string> names;
    DEMAT_H5(H5Literate, group, index, H5_ITER_INC, nullptr, collect_hard_link, &names);
    std::vector<std::string> subgroups;
    for (const auto& name : names) {
        // The per-citizen snapshot is not part of a Results (it can hold
        // gigabytes at national scale): readers of the aggregates skip it.
        if (prefix.empty() && name == "snapshot") continue;
        const std::string path = prefix.empty() ? name : prefix + "/" + name;
        Handle object(DEMAT_H5(H5Oopen, group, name.c_str(), H5P_DEFAULT), Kind::object);
        const H5I_type_t type = DEMAT_H5(H5Iget_type, object);
        if (type == H5I_GROUP) {
            subgroups.push_back(path);
        } else if (type == H5I_DATASET) {
            // A copy of a coordinate from above, for netCDF readers: not part of the Results.
            if (DEMAT_H5(H5Aexists, object, "coordinate_copy") > 0) continue;
            if (DEMAT_H5(H5DSis_scale, object) > 0)
                results.coordinates.push_back(read_coordinate(object, path));
            else
                results.arrays.push_back(read_array(object, path));
            if (progress) progress();
        }
        // Committed datatypes are not part of a Results: nothing to read.
    }
    group.close();
    for (const auto& path : subgroups) read_group(file, path, results, progress);
}

}  // namespace

Results read_hdf5(const std::string& path, const std::function<void()>& progress) {
    h5::QuietErrors quiet;
    std::error_code status;
    if (!fs::is_regular_file(path, status)) throw std::runtime_error("reading '" + path + "': no such file");
    try {
        Handle file(DEMAT_H5(H5Fopen, path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), Kind::file);
        Results results;
        {
            Handle root(DEMAT_H5(H5Gopen2, file, "/", H5P_DEFAULT), Kind::group);
            results.attributes = read_attributes(root, "the root group");
        }
        read_group(file, "", results, progress);
        return results;
    } catch (...) {
        rethrow_with_context("reading '" + path + "': ");
    }
}

}  // namespace demat
