// Results <-> HDF5, with the layout of docs/output.md.
//
// Layout choices that readers depend on:
// - every coordinate is an HDF5 dimension scale (H5DSset_scale) named after
//   the last component of its path, and every array has one scale attached
//   per axis: h5netcdf (hence xarray) takes dimension names from the
//   attached scales, and refuses a dataset with an unlabelled axis;
// - strings are variable-length UTF-8, which h5py and h5netcdf return as str;
// - groups track link creation order, as netCDF-4 files do, so that readers
//   (and read_hdf5) list variables in the order they were written.
#include "io/hdf5_writer.hpp"

#include "io/hdf5_checked.hpp"
#include "io/hdf5_snapshot.hpp"
#include "core/error.hpp"

#include <hdf5_hl.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
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

// Chunks stay below this size: small enough that reading a few days of one
// series does not decompress megabytes, large enough that a 730-day run of
// the per-segment tables is a handful of chunks.
constexpr std::size_t chunk_target_bytes = 256 * 1024;
constexpr unsigned deflate_level = 4;

// ---------------------------------------------------------------------------
// Validation of what is written: invalid input is rejected with a message
// naming the item, not left to an HDF5 error several layers down.

std::string join(const std::vector<std::size_t>& values) {
    std::string text = "[";
    for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
    return text + "]";
}

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF):
// h5py and h5netcdf decode these strings and would fail on anything else.
bool valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        char32_t code = 0;
        char32_t minimum = 0;
        if (byte < 0x80) {
            ++i;
            continue;
        } else if ((byte & 0xE0) == 0xC0) {
            length = 2, code = byte & 0x1Fu, minimum = 0x80;
        } else if ((byte & 0xF0) == 0xE0) {
            length = 3, code = byte & 0x0Fu, minimum = 0x800;
        } else if ((byte & 0xF8) == 0xF0) {
            length = 4, code = byte & 0x07u, minimum = 0x10000;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3Fu);
        }
        if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

void check_text(std::string_view text, const std::string& what) {
    // HDF5 variable-length strings are C strings: a NUL would silently cut them.
    if (text.find('\0') != std::string_view::npos)
        throw std::invalid_argument(what + " contains a NUL character");
    if (!valid_utf8(text)) throw std::invalid_argument(what + " is not valid UTF-8");
}

// Splits "segments/age_group/counts" into its components, rejecting paths
// HDF5 would interpret differently from what was meant.
std::vector<std::string> split_path(const std::string& path, const std::string& what) {
    if (path.empty()) throw std::invalid_argument(what + " has an empty path");
    check_text(path, what + " path '" + path + "'");
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty() || part == "." || part == "..")
            throw std::invalid_argument(what + " path '" + path +
                                        "' is not of the form name/name/...: no leading, trailing or doubled "
                                        "'/', no '.' or '..'");
        parts.push_back(std::move(part));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return parts;
}

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string name_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// ---------------------------------------------------------------------------
// Small HDF5 building blocks

Handle variable_string_type() {
    Handle type(DEMAT_H5(H5Tcopy, H5T_C_S1), Kind::datatype);
    DEMAT_H5(H5Tset_size, type, H5T_VARIABLE);
    DEMAT_H5(H5Tset_cset, type, H5T_CSET_UTF8);
    return type;
}

Handle creation_ordered(hid_t property_list_class) {
    Handle plist(DEMAT_H5(H5Pcreate, property_list_class), Kind::property_list);
    DEMAT_H5(H5Pset_link_creation_order, plist, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    return plist;
}

void write_attribute(hid_t object, const std::string& name, const AttributeValue& value, const std::string& owner) {
    if (name.empty()) throw std::invalid_argument("an attribute of " + owner + " has an empty name");
    check_text(name, "attribute name '" + name + "' of " + owner);
    Handle space(DEMAT_H5(H5Screate, H5S_SCALAR), Kind::dataspace);
    if (const auto* text = std::get_if<std::string>(&value)) {
        check_text(*text, "attribute '" + name + "' of " + owner);
        Handle type = variable_string_type();
        Handle attribute(DEMAT_H5(H5Acreate2, object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                         Kind::attribute);
        const char* pointer = text->c_str();
        DEMAT_H5(H5Awrite, attribute, type, &pointer);
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        Handle attribute(
            DEMAT_H5(H5Acreate2, object, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
            Kind::attribute);
        DEMAT_H5(H5Awrite, attribute, H5T_NATIVE_INT64, integer);
    } else {
        const auto& real = std::get<double>(value);
        Handle attribute(
            DEMAT_H5(H5Acreate2, object, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
            Kind::attribute);
        DEMAT_H5(H5Awrite, attribute, H5T_NATIVE_DOUBLE, &real);
    }
}

// Keeps the trailing dimensions whole and cuts along the leading ones (the
// day axis for every time series), so that a chunk is at most
// chunk_target_bytes unless a single element is larger.
std::vector<hsize_t> chunk_shape(const std::vector<std::size_t>& shape, std::size_t element_bytes) {
    std::vector<hsize_t> chunk(shape.size(), 1);
    std::size_t budget = std::max<std::size_t>(1, chunk_target_bytes / element_bytes);
    for (std::size_t i = shape.size(); i-- > 0;) {
        const std::size_t extent = std::min(shape[i], budget);
        chunk[i] = extent;
        budget = std::max<std::size_t>(1, budget / extent);
    }
    return chunk;
}

// ---------------------------------------------------------------------------
// Writing

class Writer {
public:
    explicit Writer(hid_t file) : file_(file), group_plist_(creation_ordered(H5P_GROUP_CREATE)) {}

    void coordinate(const Coordinate& coordinate) {
        const std::string what = "coordinate '" + coordinate.path + "'";
        const auto parts = split_path(coordinate.path, "a coordinate");
        if (!coordinate.labels.empty() && !coordinate.values.empty())
            throw std::invalid_argument(what + " has both labels (" + std::to_string(coordinate.labels.size()) +
                                        ") and values (" + std::to_string(coordinate.values.size()) +
                                        "); a coordinate is either text or integer");
        check_text(coordinate.description, "description of " + what);
        parent_group(coordinate.path, parts, what);
        Handle dataset = write_values(coordinate, what);
        DEMAT_H5(H5DSset_scale, dataset, parts.back().c_str());
        write_attribute(dataset, "description", coordinate.description, what);
        coordinate_sizes_[coordinate.path] = coordinate.size();
    }

    // The coordinate's values as a 1-D dataset at its path (its group exists).
    Handle write_values(const Coordinate& coordinate, const std::string& what) {
        const auto parts = split_path(coordinate.path, "a coordinate");
        Handle group = open_parent(parts, what);
        const hsize_t length = coordinate.size();
        Handle space(DEMAT_H5(H5Screate_simple, 1, &length, nullptr), Kind::dataspace);
        // Coordinates are read whole (and most are a few labels): contiguous
        // storage, no chunk index to go through.
        Handle dataset;
        if (coordinate.is_text()) {
            std::vector<const char*> pointers;
            pointers.reserve(coordinate.labels.size());
            for (std::size_t i = 0; i < coordinate.labels.size(); ++i) {
                check_text(coordinate.labels[i], "label " + std::to_string(i) + " of " + what);
                pointers.push_back(coordinate.labels[i].c_str());
            }
            Handle type = variable_string_type();
            dataset = Handle(DEMAT_H5(H5Dcreate2, group, parts.back().c_str(), type, space, H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                             Kind::dataset);
            DEMAT_H5(H5Dwrite, dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data());
        } else {
            // An empty coordinate lands here too: with no labels it has no text
            // to tell apart, and reads back as an equal empty Coordinate.
            dataset = Handle(DEMAT_H5(H5Dcreate2, group, parts.back().c_str(), H5T_STD_I64LE, space, H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                             Kind::dataset);
            if (length > 0)
                DEMAT_H5(H5Dwrite, dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                         coordinate.values.data());
        }
        return dataset;
    }

    void array(const Array& array) {
        const std::string what = "array '" + array.path + "'";
        const auto parts = split_path(array.path, "an array");
        Handle group = parent_group(array.path, parts, what);
        check_shape(array, what);
        check_dims(array, what);
        check_text(array.description, "description of " + what);
        check_text(array.unit, "unit of " + what);

        const std::vector<hsize_t> extent(array.shape.begin(), array.shape.end());
        Handle space(extent.empty() ? DEMAT_H5(H5Screate, H5S_SCALAR)
                                    : DEMAT_H5(H5Screate_simple, static_cast<int>(extent.size()), extent.data(),
                                               nullptr),
                     Kind::dataspace);
        Handle creation(DEMAT_H5(H5Pcreate, H5P_DATASET_CREATE), Kind::property_list);
        // HDF5 cannot chunk a scalar or a dataset with an empty axis
        // (chunk extents must be positive and within fixed dimensions).
        if (!extent.empty() && array.size() > 0) {
            const auto chunk = chunk_shape(array.shape, array.is_integer() ? sizeof(std::int64_t) : sizeof(double));
            DEMAT_H5(H5Pset_chunk, creation, static_cast<int>(chunk.size()), chunk.data());
            // Shuffle first: counts are small integers in 8-byte words, and
            // grouping their bytes lets deflate see the runs of zeros.
            DEMAT_H5(H5Pset_shuffle, creation);
            DEMAT_H5(H5Pset_deflate, creation, deflate_level);
        }
        const hid_t file_type = array.is_integer() ? H5T_STD_I64LE : H5T_IEEE_F64LE;
        Handle dataset(DEMAT_H5(H5Dcreate2, group, parts.back().c_str(), file_type, space, H5P_DEFAULT, creation,
                                H5P_DEFAULT),
                       Kind::dataset);
        if (array.size() > 0) {
            if (array.is_integer())
                DEMAT_H5(H5Dwrite, dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.integers().data());
            else
                DEMAT_H5(H5Dwrite, dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.reals().data());
        }
        write_attribute(dataset, "description", array.description, what);
        write_attribute(dataset, "units", array.unit, what);
        for (std::size_t axis = 0; axis < array.dims.size(); ++axis) {
            Handle scale(DEMAT_H5(H5Dopen2, file_, ("/" + array.dims[axis]).c_str(), H5P_DEFAULT), Kind::dataset);
            DEMAT_H5(H5DSattach_scale, dataset, scale, static_cast<unsigned>(axis));
        }
    }

    // netCDF readers (h5netcdf, hence xarray) opening one group do not load
    // the coordinate variables of the groups above it, so
    // xr.open_dataset(..., group="segments/capital_quintile") had axes
    // without labels. Each group holding arrays gets a copy of every
    // coordinate from above that its arrays use, under the dimension's name,
    // attached to the original scale (so the dimension stays shared) and
    // marked `coordinate_copy` so that read_hdf5 skips it.
    void coordinate_copies(const Results& results) {
        std::map<std::string, std::set<std::string>> used;  // group -> coordinate paths from above
        for (const auto& array : results.arrays) {
            const std::string group = parent_of(array.path);
            if (group.empty()) continue;
            for (const auto& dim : array.dims)
                if (parent_of(dim) != group) used[group].insert(dim);
        }
        for (const auto& [group, dims] : used) {
            for (const auto& dim : dims) {
                const std::string copy = group + "/" + name_of(dim);
                if (datasets_.count(copy) || groups_.count(copy)) continue;  // the group has its own of that name
                const Coordinate* source = nullptr;
                for (const auto& c : results.coordinates)
                    if (c.path == dim) source = &c;
                if (!source) continue;
                Coordinate duplicate = *source;
                duplicate.path = copy;
                write_values(duplicate, copy);
                Handle dataset(DEMAT_H5(H5Dopen2, file_, ("/" + copy).c_str(), H5P_DEFAULT), Kind::dataset);
                Handle scale(DEMAT_H5(H5Dopen2, file_, ("/" + dim).c_str(), H5P_DEFAULT), Kind::dataset);
                DEMAT_H5(H5DSattach_scale, dataset, scale, 0u);
                write_attribute(dataset, "description", source->description, "coordinate '" + copy + "'");
                write_attribute(dataset, "coordinate_copy", "/" + dim, "coordinate '" + copy + "'");
                datasets_.insert(copy);
            }
        }
    }

    // Creates the groups above `path` now, fixing their order in the file.
    void create_groups(const std::string& path, const std::string& what) { open_parent(split_path(path, what), what); }

private:
    static void check_shape(const Array& array, const std::string& what) {
        const std::size_t values = array.is_integer() ? array.integers().size() : array.reals().size();
        if (values != array.size())
            throw std::invalid_argument(what + " has " + std::to_string(values) + " values but its shape " +
                                        join(array.shape) + " needs " + std::to_string(array.size()));
    }

    void check_dims(const Array& array, const std::string& what) const {
        if (array.dims.size() != array.shape.size())
            throw std::invalid_argument(what + " has " + std::to_string(array.shape.size()) + " axes (shape " +
                                        join(array.shape) + ") but " + std::to_string(array.dims.size()) +
                                        " dims; every axis needs a coordinate");
        const std::string group = parent_of(array.path);
        std::set<std::string> names;
        for (std::size_t axis = 0; axis < array.dims.size(); ++axis) {
            const std::string& dim = array.dims[axis];
            const auto found = coordinate_sizes_.find(dim);
            if (found == coordinate_sizes_.end())
                throw std::invalid_argument(what + " axis " + std::to_string(axis) + " refers to coordinate '" +
                                            dim + "', which is not among the results' coordinates");
            if (found->second != array.shape[axis])
                throw std::invalid_argument(what + " axis " + std::to_string(axis) + " has length " +
                                            std::to_string(array.shape[axis]) + " but coordinate '" + dim +
                                            "' has " + std::to_string(found->second) + " entries");
            // netCDF scoping, which h5netcdf follows: a variable sees the
            // dimensions of its own group and of the groups above it only.
            const std::string scope = parent_of(dim);
            if (!scope.empty() && group != scope && group.rfind(scope + "/", 0) != 0)
                throw std::invalid_argument(what + " axis " + std::to_string(axis) + " uses coordinate '" + dim +
                                            "', which is neither in the array's group nor in a group above it");
            if (!names.insert(name_of(dim)).second)
                throw std::invalid_argument(what + " has two axes named '" + name_of(dim) +
                                            "'; xarray needs distinct dimension names");
        }
    }

    // Opens the group that will hold `path`, after checking that the path
    // collides with nothing written before.
    Handle parent_group(const std::string& path, const std::vector<std::string>& parts, const std::string& what) {
        if (datasets_.count(path) || groups_.count(path))
            throw std::invalid_argument(what + ": '" + path + "' is already used by another coordinate, array or group");
        Handle group = open_parent(parts, what);
        datasets_.insert(path);
        return group;
    }

    // Opens the groups above the last component of `parts`, creating those
    // that do not exist yet.
    Handle open_parent(const std::vector<std::string>& parts, const std::string& what) {
        Handle group(DEMAT_H5(H5Gopen2, file_, "/", H5P_DEFAULT), Kind::group);
        std::string prefix;
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
            prefix += (i ? "/" : "") + parts[i];
            if (datasets_.count(prefix))
                throw std::invalid_argument(what + ": '" + prefix +
                                            "' is a coordinate or array, so it cannot also be a group");
            if (groups_.insert(prefix).second)
                group = Handle(DEMAT_H5(H5Gcreate2, group, parts[i].c_str(), H5P_DEFAULT, group_plist_, H5P_DEFAULT),
                               Kind::group);
            else
                group = Handle(DEMAT_H5(H5Gopen2, group, parts[i].c_str(), H5P_DEFAULT), Kind::group);
        }
        return group;
    }

    hid_t file_;
    Handle group_plist_;
    std::set<std::string> datasets_;
    std::set<std::string> groups_;
    std::map<std::string, std::size_t> coordinate_sizes_;
};

void write_contents(hid_t file, const Results& results, const Snapshot* snapshot);

void write_file(const Results& results, const std::string& file_name, const Snapshot* snapshot) {
    Handle file_creation = creation_ordered(H5P_FILE_CREATE);
    Handle file_access(DEMAT_H5(H5Pcreate, H5P_FILE_ACCESS), Kind::property_list);
    // "Semi" makes H5Fclose fail while any object is still open, instead of
    // silently keeping the file open: the close below then proves that
    // everything was flushed before the file is renamed into place.
    DEMAT_H5(H5Pset_fclose_degree, file_access, H5F_CLOSE_SEMI);
    Handle file(DEMAT_H5(H5Fcreate, file_name.c_str(), H5F_ACC_EXCL, file_creation, file_access), Kind::file);
    write_contents(file, results, snapshot);
    file.close();
}

void sync_to_disk(const fs::path& path, bool directory);

// What a failed write in the child was, so that the parent throws the same type.
enum class Failure : char { none = 'K', invalid = 'I', hdf5 = 'H', disk_full = 'D', other = 'R' };

bool send_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Writes and syncs `file_name` in a forked child. A write that fails half-way
// (a full disk above all) leaves libhdf5 holding a file it cannot close, and
// it then crashes or loops when the process exits (H5F__close_cb); in a child
// that state dies with it, and the caller's process keeps a clean library.
// The child shares the parent's memory copy-on-write: no copy of the results.
void write_file_in_child(const Results& results, const std::string& file_name, const Snapshot* snapshot) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
    const pid_t child = ::fork();
    if (child < 0) {
        // No process to spare (a strict overcommit policy and a large engine,
        // say): write here rather than lose the run; only a failure half-way
        // is then exposed to libhdf5's trouble at exit.
        ::close(fds[0]);
        ::close(fds[1]);
        write_file(results, file_name, snapshot);
        sync_to_disk(file_name, false);
        return;
    }
    if (child == 0) {
        ::close(fds[0]);
        for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);  // the parent's handlers are not ours
        Failure kind = Failure::none;
        std::string message;
        try {
            write_file(results, file_name, snapshot);
            sync_to_disk(file_name, false);
        } catch (const std::invalid_argument& e) {
            kind = Failure::invalid, message = e.what();
        } catch (const Hdf5Error& e) {
            kind = Failure::hdf5, message = e.what();
        } catch (const std::system_error& e) {
            kind = is_disk_full(e.code().value()) ? Failure::disk_full : Failure::other, message = e.what();
        } catch (const std::exception& e) {
            kind = Failure::other, message = e.what();
        } catch (...) {
            kind = Failure::other, message = "unknown error";
        }
        const bool sent = send_all(fds[1], std::string(1, static_cast<char>(kind)) + message);
        ::_exit(sent ? 0 : 3);
    }
    ::close(fds[1]);
    std::string answer;
    char buffer[4096];
    while (true) {
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (answer.empty()) {
        if (WIFSIGNALED(status))
            throw std::runtime_error("the writer process was killed by signal " + std::to_string(WTERMSIG(status)));
        throw std::runtime_error("the writer process ended without an answer");
    }
    const auto kind = static_cast<Failure>(answer[0]);
    const std::string message = answer.substr(1);
    switch (kind) {
    case Failure::none: return;
    case Failure::invalid: throw std::invalid_argument(message);
    case Failure::hdf5: throw Hdf5Error(message);
    case Failure::disk_full: throw std::system_error(std::make_error_code(std::errc::no_space_on_device), message);
    default: throw std::runtime_error(message);
    }
}

void write_contents(hid_t file, const Results& results, const Snapshot* snapshot) {
    {
        Handle root(DEMAT_H5(H5Gopen2, file, "/", H5P_DEFAULT), Kind::group);
        for (const auto& [name, value] : results.attributes) write_attribute(root, name, value, "the root group");
    }
    {
        Writer writer(file);
        // Groups are created before any dataset, in the order the arrays then
        // the coordinates first use them: read_hdf5 walks groups in creation
        // order, so a group holding only arrays (/metrics) created after one
        // holding a coordinate (/helpers) would otherwise read back out of order.
        for (const auto& array : results.arrays) writer.create_groups(array.path, "an array");
        for (const auto& coordinate : results.coordinates) writer.create_groups(coordinate.path, "a coordinate");
        for (const auto& coordinate : results.coordinates) writer.coordinate(coordinate);
        for (const auto& array : results.arrays) writer.array(array);
        writer.coordinate_copies(results);
    }
    if (snapshot) h5::write_snapshot(file, *snapshot);
}

// H5Fclose leaves the data in the page cache; without this, a crash just
// after the rename could leave a complete-looking name on incomplete data.
void sync_to_disk(const fs::path& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open '" + path.string() + "' to sync it");
    const int synced = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (synced != 0) throw std::system_error(error, std::generic_category(), "cannot sync '" + path.string() + "'");
}

fs::path folder_of(const fs::path& path) { return path.has_parent_path() ? path.parent_path() : fs::path("."); }

// Adds "writing 'x': " (or similar) in front of an exception's message,
// keeping its type so callers can still tell HDF5 failures from bad input. A
// full disk becomes a DiskFullError whose detail keeps HDF5's stack.
[[noreturn]] void rethrow_with_context(const std::string& context, const std::string& path = {}) {
    try {
        throw;
    } catch (const DiskFullError&) {
        throw;
    } catch (const Hdf5Error& error) {
        const std::string text = error.what();
        if (!path.empty() && (text.find(std::strerror(ENOSPC)) != std::string::npos ||
                              text.find(std::strerror(EDQUOT)) != std::string::npos))
            throw DiskFullError(path, context + text);
        throw Hdf5Error(context + text);
    } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(context + error.what());
    } catch (const fs::filesystem_error& error) {
        if (!path.empty() && is_disk_full(error.code().value())) throw DiskFullError(path, context + error.what());
        throw std::runtime_error(context + error.what());
    } catch (const std::system_error& error) {
        if (!path.empty() && is_disk_full(error.code().value())) throw DiskFullError(path, context + error.what());
        throw std::runtime_error(context + error.what());
    } catch (const std::runtime_error& error) {
        throw std::runtime_error(context + error.what());
    }
}

// An existing output that is not a regular file (a device such as /dev/null
// or /dev/full, a pipe, a socket, a folder) would be replaced by the rename:
// refused, whoever runs demat (root may replace device nodes).
void refuse_special_target(const fs::path& target, const std::string& context) {
    // A name the file system cannot hold would only fail at the final rename.
    const long name_max = ::pathconf(folder_of(target).c_str(), _PC_NAME_MAX);
    const std::size_t length = target.filename().string().size();
    if (length > static_cast<std::size_t>(name_max > 0 ? name_max : 255))
        throw std::runtime_error(context + "the file name is " + std::to_string(length) + " bytes long; this file system takes at most " +
                                 std::to_string(name_max > 0 ? name_max : 255));
    std::error_code status;
    const auto st = fs::status(target, status);
    if (fs::is_directory(st)) throw std::runtime_error(context + "it is a folder, not a file name");
    if (fs::exists(st) && !fs::is_regular_file(st))
        throw std::runtime_error(context + "it exists and is not a regular file (a device, pipe or socket); "
                                           "give the name of a new or regular file");
}

// "OUT.tmp-..." beside the target, shortened when the target's name is near
// the file system's 255-byte limit for a name.
fs::path temporary_beside(const fs::path& target, const std::string& suffix) {
    const std::string name = target.filename().string();
    if (name.size() + suffix.size() <= 255) return fs::path(target.string() + suffix);
    return folder_of(target) / (".demat" + suffix);
}

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
void read_group(hid_t file, const std::string& prefix, Results& results) {
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
        }
        // Committed datatypes are not part of a Results: nothing to read.
    }
    group.close();
    for (const auto& path : subgroups) read_group(file, path, results);
}

}  // namespace

void write_hdf5(const Results& results, const std::string& path) { write_hdf5(results, path, nullptr); }

void write_hdf5(const Results& results, const std::string& path, const Snapshot* snapshot) {
    h5::QuietErrors quiet;
    const std::string context = "writing '" + path + "': ";
    if (path.empty()) throw std::invalid_argument("write_hdf5: the output path is empty");
    const fs::path target(path);
    const fs::path folder = folder_of(target);
    std::error_code status;
    if (!fs::is_directory(folder, status))
        throw std::runtime_error(context + "the folder '" + folder.string() + "' does not exist");
    refuse_special_target(target, context);

    // pid and a counter: concurrent runs, or threads of one run, writing the
    // same target never share a temporary file.
    static std::atomic<unsigned> counter{0};
    const fs::path temporary =
        temporary_beside(target, ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
    try {
        write_file_in_child(results, temporary.string(), snapshot);
        fs::rename(temporary, target);
    } catch (...) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        rethrow_with_context(context, path);
    }
    // The file is complete and in place: a failure to make the rename itself
    // durable must not turn a finished run into an error, so it is not checked.
    try {
        sync_to_disk(folder, true);
    } catch (const std::system_error&) {
    }
}

Results read_hdf5(const std::string& path) {
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
        read_group(file, "", results);
        return results;
    } catch (...) {
        rethrow_with_context("reading '" + path + "': ");
    }
}

void check_output_writable(const std::string& path) {
    if (path.empty()) throw std::runtime_error("the output path is empty: give a file name");
    const fs::path target(path);
    const fs::path folder = folder_of(target);
    const std::string prefix = "cannot write output '" + path + "': ";
    std::error_code status;
    if (!fs::exists(folder, status)) throw std::runtime_error(prefix + "folder '" + folder.string() + "' does not exist");
    if (!fs::is_directory(folder, status))
        throw std::runtime_error(prefix + "'" + folder.string() + "' is not a folder");
    refuse_special_target(target, prefix);
    // Permission bits do not tell the whole story (read-only mounts, ACLs,
    // root): actually creating a file does. A short name, so that an output
    // name near the 255-byte limit is not refused because of the probe.
    const fs::path probe = folder / (".demat-probe-" + std::to_string(::getpid()));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        const std::error_code error(errno, std::generic_category());
        throw std::runtime_error(prefix + "cannot create a file in folder '" + folder.string() + "' (" +
                                 error.message() + ")");
    }
    ::close(fd);
    fs::remove(probe, status);
}

}  // namespace demat
