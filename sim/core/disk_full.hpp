// A write that failed because the file system is full (or the quota is
// reached): the user's environment, not a bug, so commands report it in one
// line (exit 2) and keep the library's own detail for --verbose.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace demat {

class DiskFullError : public std::runtime_error {
public:
    DiskFullError(const std::string& path, std::string detail)
        : std::runtime_error("no space left on device writing " + path), path_(path), detail_(std::move(detail)) {}
    const std::string& path() const { return path_; }
    const std::string& detail() const { return detail_; }

private:
    std::string path_;
    std::string detail_;
};

inline bool is_disk_full(int error) { return error == ENOSPC || error == EDQUOT; }

}  // namespace demat
