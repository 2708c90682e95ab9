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
using h5::rethrow_with_context;

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
