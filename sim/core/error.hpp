// Every error demat raises on purpose is a demat::Error of one kind. The kind
// decides, in one place each, the exit code of the command line
// (apps/demat/main.cpp, exit_code_of) and the Python exception
// (bindings/register_errors.cpp). A new error type derives from Error with a
// kind; it needs no new catch clause anywhere (docs/architecture.md, "Errors").
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace demat {

enum class ErrorKind {
    scenario,      // a scenario file, dict or override that is not valid: exit 2, ValueError
    usage,         // a command-line argument that cannot be honoured (an output path...): exit 2
    results_file,  // a file that is not a readable demat results file: exit 2, ValueError
    checkpoint,    // a file that is not a usable checkpoint, or one of another run: exit 2, ValueError
    io,            // the machine refused a write (disk full, folder gone): exit 2, OSError
    internal,      // a broken invariant of demat itself: exit 1, RuntimeError
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& what, std::string detail = {})
        : std::runtime_error(what), kind_(kind), detail_(std::move(detail)) {}
    ErrorKind kind() const noexcept { return kind_; }
    // What a library said (HDF5's error stack...): for --verbose, not for the first line.
    const std::string& detail() const noexcept { return detail_; }

private:
    ErrorKind kind_;
    std::string detail_;
};

// what() is "file:line: message" ("file:line:column: message" when the
// column is known, "message" alone when there is no file); `message` names
// the key itself, e.g. "key 'days': expected an integer in [1, 36500], got 0".
class ScenarioError : public Error {
public:
    ScenarioError(std::string file, int line, std::string key, const std::string& message);
    ScenarioError(std::string file, int line, int column, std::string key, const std::string& message);
    const std::string& file() const { return file_; }
    int line() const { return line_; }      // 0 when unknown
    int column() const { return column_; }  // 0 when unknown (only TOML syntax errors have one)
    const std::string& key() const { return key_; }  // dotted key, "" when the error is not about one key

private:
    std::string file_;
    int line_;
    int column_;
    std::string key_;
};

// A command-line request that cannot be honoured (an output or checkpoint
// path that cannot be written, a run file that cannot be compared).
class UsageError : public Error {
public:
    explicit UsageError(const std::string& what) : Error(ErrorKind::usage, what) {}
};

// what() is "FILE is not a readable demat results file: WHY".
class ResultsFileError : public Error {
public:
    ResultsFileError(const std::string& path, const std::string& why)
        : Error(ErrorKind::results_file, path + " is not a readable demat results file: " + why), path_(path), why_(why) {}
    const std::string& path() const { return path_; }
    const std::string& why() const { return why_; }

private:
    std::string path_;
    std::string why_;
};

// A file that is not a usable checkpoint: missing, not a checkpoint, from
// another version, truncated or damaged, or a state that does not fit its
// scenario. what() names the file and the problem.
class CheckpointError : public Error {
public:
    explicit CheckpointError(const std::string& what) : Error(ErrorKind::checkpoint, what) {}
};

// A write the machine refused. The first line names the file; the library's
// own words are the detail.
class WriteError : public Error {
public:
    explicit WriteError(const std::string& what, std::string detail = {}) : Error(ErrorKind::io, what, std::move(detail)) {}
};

// A checkpoint that could not be written (folder removed, not writable...).
class CheckpointWriteError : public WriteError {
public:
    using WriteError::WriteError;
};

// A write that failed because the file system is full (or the quota is
// reached): the user's environment, not a bug.
class DiskFullError : public WriteError {
public:
    DiskFullError(const std::string& path, std::string detail)
        : WriteError("no space left on device writing " + path, std::move(detail)), path_(path) {}
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline bool is_disk_full(int error) { return error == ENOSPC || error == EDQUOT; }

// A broken invariant of demat itself (counts that disagree with a recount...).
class InternalError : public Error {
public:
    explicit InternalError(const std::string& what, std::string detail = {})
        : Error(ErrorKind::internal, what, std::move(detail)) {}
};

// An HDF5 call failed where no more precise error applies; the detail is
// HDF5's own error stack.
class Hdf5Error : public Error {
public:
    explicit Hdf5Error(const std::string& what, std::string detail = {})
        : Error(ErrorKind::internal, what, std::move(detail)) {}
};

}  // namespace demat
