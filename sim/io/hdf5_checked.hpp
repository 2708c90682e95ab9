// The one way demat talks to the HDF5 C API (internal to sim/io).
//
// HDF5 reports failure through negative return codes and an error stack that
// it prints to stderr by default. Both are easy to lose: a forgotten check
// lets a run end "successfully" with a broken file, and the printed
// "HDF5-DIAG" noise lands in the middle of a user's terminal or notebook.
// So every call goes through DEMAT_H5(...), which turns a failure into an
// Hdf5Error carrying the error stack as text, and QuietErrors switches the
// automatic printing off for the duration of a read or write.
#pragma once

#include "io/hdf5_writer.hpp"

#include <hdf5.h>

#include <string>
#include <type_traits>
#include <utility>

namespace demat::h5 {

// Takes HDF5's current error stack (of the calling thread), formats it one
// frame per line, outermost API call first like h5dump does, and clears it.
std::string take_error_stack();

// What counts as failure differs with the return type of the C function.
template <class R>
bool failed(R result) {
    if constexpr (std::is_enum_v<R>) {
        // H5T_NO_CLASS, H5S_NO_CLASS, H5I_BADID, ... are all -1.
        return static_cast<std::underlying_type_t<R>>(result) < 0;
    } else if constexpr (std::is_pointer_v<R>) {
        return result == nullptr;
    } else if constexpr (std::is_unsigned_v<R>) {
        // size_t results (H5Tget_size, ...) signal failure with 0.
        return result == 0;
    } else {
        // hid_t, herr_t, htri_t, ssize_t, hssize_t, int: negative on failure.
        return result < 0;
    }
}

[[noreturn]] void throw_error(const char* function);

template <class Fn, class... Args>
auto call(const char* function, Fn fn, Args&&... args) {
    auto result = fn(std::forward<Args>(args)...);
    if (failed(result)) throw_error(function);
    return result;
}

// DEMAT_H5(H5Dcreate2, loc, "name", ...) calls H5Dcreate2 and throws
// Hdf5Error("H5Dcreate2 failed: <stack>") on failure.
#define DEMAT_H5(function, ...) ::demat::h5::call(#function, function, __VA_ARGS__)

// Owns one HDF5 identifier and closes it with the function matching its kind.
class Handle {
public:
    // `object` is for ids from H5Oopen, whose kind is only known afterwards.
    enum class Kind { file, group, dataset, dataspace, datatype, attribute, property_list, object };

    Handle() = default;
    Handle(hid_t id, Kind kind) : id_(id), kind_(kind) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), kind_(other.kind_) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            release();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            kind_ = other.kind_;
        }
        return *this;
    }
    // A destructor cannot throw, and it only runs on paths that are already
    // failing (or after close()), so a failed close here is not reported.
    ~Handle() { release(); }

    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }  // NOLINT: lets handles go straight into C calls

    // Closes now and throws on failure: used where a failed close means lost
    // data (the file itself, before it is renamed into place).
    void close();

private:
    void release() noexcept;

    hid_t id_ = H5I_INVALID_HID;
    Kind kind_ = Kind::dataset;
};

// Switches HDF5's automatic error printing off for the calling thread (HDF5
// keeps one error stack per thread in thread-safe builds) and restores the
// previous handler on destruction, so that code sharing the library in the
// same process, e.g. h5py next to the Python bindings, keeps its settings.
class QuietErrors {
public:
    QuietErrors();
    ~QuietErrors();
    QuietErrors(const QuietErrors&) = delete;
    QuietErrors& operator=(const QuietErrors&) = delete;

private:
    H5E_auto2_t previous_ = nullptr;
    void* previous_data_ = nullptr;
};

// Rethrows the exception being handled with `context` ("writing 'x': ")
// in front of its message, keeping its type so that callers can still tell
// HDF5 failures from bad input; with a `path`, a full disk becomes a
// DiskFullError whose detail keeps HDF5's stack.
[[noreturn]] void rethrow_with_context(const std::string& context, const std::string& path = {});

}  // namespace demat::h5
