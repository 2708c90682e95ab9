#include "io/hdf5_checked.hpp"

#include "core/error.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <string>

namespace demat::h5 {

namespace {

// The text HDF5 keeps for a major or minor error number ("File accessibility",
// "Unable to open file"...). This runs while an error is being reported, so
// it cannot itself throw: a lookup failure falls back to the number.
std::string error_message(hid_t message_id) {
    std::array<char, 256> buffer{};
    const ssize_t length = H5Eget_msg(message_id, nullptr, buffer.data(), buffer.size());
    if (length <= 0) return "error " + std::to_string(message_id);
    return std::string(buffer.data());
}

herr_t append_frame(unsigned n, const H5E_error2_t* error, void* client_data) noexcept {
    try {
        auto& text = *static_cast<std::string*>(client_data);
        text += "\n  #" + std::to_string(n) + " " + (error->func_name ? error->func_name : "?") + "() at " +
                (error->file_name ? error->file_name : "?") + ":" + std::to_string(error->line) + ": " +
                (error->desc ? error->desc : "") + " [" + error_message(error->maj_num) + " / " +
                error_message(error->min_num) + "]";
        return 0;
    } catch (...) {
        return -1;  // out of memory: stop walking, keep what we have
    }
}

}  // namespace

std::string take_error_stack() {
    // H5Eget_current_stack hands over a copy and clears the thread's stack,
    // so the walk below cannot be disturbed by the lookups it makes.
    const hid_t stack = H5Eget_current_stack();
    if (stack < 0) return " (HDF5 error stack unavailable)";
    std::string text;
    const herr_t walked = H5Ewalk2(stack, H5E_WALK_DOWNWARD, append_frame, &text);
    H5Eclose_stack(stack);
    if (walked < 0) text += "\n  (error stack truncated)";
    if (text.empty()) return " (HDF5 recorded no error stack)";
    return text;
}

void throw_error(const char* function) {
    throw Hdf5Error(std::string(function) + " failed:" + take_error_stack());
}

void Handle::close() {
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    if (id < 0) return;
    switch (kind_) {
    case Kind::file: DEMAT_H5(H5Fclose, id); break;
    case Kind::group: DEMAT_H5(H5Gclose, id); break;
    case Kind::dataset: DEMAT_H5(H5Dclose, id); break;
    case Kind::dataspace: DEMAT_H5(H5Sclose, id); break;
    case Kind::datatype: DEMAT_H5(H5Tclose, id); break;
    case Kind::attribute: DEMAT_H5(H5Aclose, id); break;
    case Kind::property_list: DEMAT_H5(H5Pclose, id); break;
    case Kind::object: DEMAT_H5(H5Oclose, id); break;
    }
}

void Handle::release() noexcept {
    try {
        close();
    } catch (...) {
        // Reported nowhere on purpose: see the destructor's comment.
    }
}

QuietErrors::QuietErrors() {
    DEMAT_H5(H5Eget_auto2, H5E_DEFAULT, &previous_, &previous_data_);
    DEMAT_H5(H5Eset_auto2, H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
    // Restoring can only fail if the library is being torn down; nothing
    // useful can be done about it from a destructor.
    H5Eset_auto2(H5E_DEFAULT, previous_, previous_data_);
}

// Adds "writing 'x': " (or similar) in front of an exception's message,
// keeping its type so callers can still tell HDF5 failures from bad input. A
// full disk becomes a DiskFullError whose detail keeps HDF5's stack.
[[noreturn]] void rethrow_with_context(const std::string& context, const std::string& path) {
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
    } catch (const std::filesystem::filesystem_error& error) {
        if (!path.empty() && is_disk_full(error.code().value())) throw DiskFullError(path, context + error.what());
        throw std::runtime_error(context + error.what());
    } catch (const std::system_error& error) {
        if (!path.empty() && is_disk_full(error.code().value())) throw DiskFullError(path, context + error.what());
        throw std::runtime_error(context + error.what());
    } catch (const std::runtime_error& error) {
        throw std::runtime_error(context + error.what());
    }
}

}  // namespace demat::h5
