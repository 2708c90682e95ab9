#include "io/results_file.hpp"

#include "io/hdf5_writer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace demat {

namespace {

// ---- the layout demat's own readers rely on -----------------------------------

std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

const Array& need_array(const Results& r, const std::string& path, const std::string& file, bool integer,
                        std::size_t rank) {
    if (!r.has_array(path)) throw ResultsFileError(file, "it has no /" + path + " dataset");
    const Array& a = r.array(path);
    if (a.is_integer() != integer)
        throw ResultsFileError(file, "/" + path + " holds " + (a.is_integer() ? "integers" : "floating-point numbers") +
                                         "; expected " + (integer ? "integers" : "floating-point numbers"));
    if (a.shape.size() != rank)
        throw ResultsFileError(file, "/" + path + " has " + std::to_string(a.shape.size()) + " dimensions " +
                                         shape_text(a.shape) + "; expected " + std::to_string(rank));
    const std::size_t values = a.is_integer() ? a.integers().size() : a.reals().size();
    if (values != a.size()) throw ResultsFileError(file, "/" + path + " does not hold as many values as its shape says");
    return a;
}

// Non-negative counts whose first state (eligible) is the sum of the others:
// the decomposition every figure of `compare` and the summary is built on.
void check_counts(const Array& a, const std::string& file) {
    const std::size_t states = a.shape.back();
    const auto& v = a.integers();
    for (std::size_t row = 0; row * states < v.size(); ++row) {
        std::int64_t sum = 0;
        for (std::size_t k = 0; k < states; ++k) {
            const std::int64_t x = v[row * states + k];
            if (x < 0)
                throw ResultsFileError(file, "/" + a.path + " holds a negative count (" + std::to_string(x) +
                                                 " at flat index " + std::to_string(row * states + k) + ")");
            if (k > 0) {
                // Counts of citizens cannot come near 2^62: bigger is damage, and must not overflow.
                if (x > (std::int64_t{1} << 56)) throw ResultsFileError(file, "/" + a.path + " holds an impossible count");
                sum += x;
            }
        }
        if (sum != v[row * states])
            throw ResultsFileError(file, "/" + a.path + " breaks the decomposition: eligible " +
                                             std::to_string(v[row * states]) + " but the other states add up to " +
                                             std::to_string(sum) + " (flat row " + std::to_string(row) + ")");
    }
}

}  // namespace

void check_results_layout(const Results& r, const std::string& file) {
    if (!r.has_array("counts")) throw ResultsFileError(file, "it has no /counts dataset");
    const std::size_t rank = r.array("counts").shape.size();
    if (rank != 3 && rank != 4)
        throw ResultsFileError(file, "/counts has " + std::to_string(rank) +
                                         " dimensions; expected 3 [day, service, state] or 4 [run, day, service, state]");
    const bool sweep = rank == 4;
    const Array& counts = need_array(r, "counts", file, true, rank);
    const std::size_t lead = sweep ? 1 : 0;
    if (sweep && (counts.dims.empty() || counts.dims[0] != "run"))
        throw ResultsFileError(file, "/counts has 4 dimensions but the first is not `run`");
    const std::size_t days = counts.shape[lead], services = counts.shape[lead + 1], states = counts.shape[lead + 2];
    if (days == 0) throw ResultsFileError(file, "/counts has no recorded day");
    if (sweep && counts.shape[0] == 0) throw ResultsFileError(file, "/counts has no run");
    if (states != state_names().size())
        throw ResultsFileError(file, "/counts has " + std::to_string(states) + " states; expected " +
                                         std::to_string(state_names().size()));
    bool has_service = false;
    for (const auto& c : r.coordinates) has_service = has_service || c.path == "service";
    if (!has_service) throw ResultsFileError(file, "it has no /service coordinate");
    const Coordinate& service = r.coordinate("service");
    if (service.size() != services || (services > 0 && !service.is_text()))
        throw ResultsFileError(file, "/service has " + std::to_string(service.size()) + " labels but /counts has " +
                                         std::to_string(services) + " services");
    if (services == 0) throw ResultsFileError(file, "it holds no service");

    const Array& capital = need_array(r, "segments/capital_quintile/counts", file, true, rank + 1);
    std::vector<std::size_t> expected(counts.shape.begin(), counts.shape.end() - 1);
    expected.push_back(5);
    expected.push_back(states);
    if (capital.shape != expected)
        throw ResultsFileError(file, "/segments/capital_quintile/counts has shape " + shape_text(capital.shape) +
                                         "; expected " + shape_text(expected));
    const Array& unclaimed = need_array(r, "metrics/unclaimed_euros", file, false, rank - 1);
    const std::vector<std::size_t> per_day(counts.shape.begin(), counts.shape.end() - 1);
    if (unclaimed.shape != per_day)
        throw ResultsFileError(file, "/metrics/unclaimed_euros has shape " + shape_text(unclaimed.shape) +
                                         "; expected " + shape_text(per_day));
    check_counts(counts, file);
    check_counts(capital, file);
}

namespace {

// ---- Results through a pipe ---------------------------------------------------
// The child sends what it read in this private format; both ends are this
// build of demat, so there is no versioning.

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Written straight to the pipe as it is encoded: a sweep's arrays can add up
// to hundreds of megabytes (dense tallies by segment, day and service), which
// a copy in the child would double, and the parent counts each chunk that
// arrives as a sign of life (read_results_file).
class Out {
public:
    explicit Out(int fd) : fd_(fd) {}
    void u64(std::uint64_t x) { raw(&x, sizeof x); }
    void str(const std::string& s) {
        u64(s.size());
        raw(s.data(), s.size());
    }
    template <class T>
    void vec(const std::vector<T>& v) {
        u64(v.size());
        raw(v.data(), v.size() * sizeof(T));
    }
    void strings(const std::vector<std::string>& v) {
        u64(v.size());
        for (const auto& s : v) str(s);
    }
    // True if every byte reached the pipe.
    bool flush() {
        ok_ = ok_ && write_all(fd_, buffer_.data(), buffer_.size());
        buffer_.clear();
        return ok_;
    }

private:
    static constexpr std::size_t chunk = std::size_t{1} << 20;
    void raw(const void* p, std::size_t n) {
        if (n == 0) return;
        if (n >= chunk) {
            flush();
            ok_ = ok_ && write_all(fd_, static_cast<const char*>(p), n);
            return;
        }
        buffer_.append(static_cast<const char*>(p), n);
        if (buffer_.size() >= chunk) flush();
    }
    int fd_;
    bool ok_ = true;
    std::string buffer_;
};

class In {
public:
    explicit In(std::string_view bytes) : bytes_(bytes) {}
    std::uint64_t u64() {
        std::uint64_t x = 0;
        raw(&x, sizeof x);
        return x;
    }
    std::string str() {
        const std::size_t n = count(1);
        std::string s(bytes_.data() + at_, n);
        at_ += n;
        return s;
    }
    template <class T>
    std::vector<T> vec() {
        const std::size_t n = count(sizeof(T));
        std::vector<T> v(n);
        raw(v.data(), n * sizeof(T));
        return v;
    }
    std::vector<std::string> strings() {
        const std::size_t n = count(8);
        std::vector<std::string> v;
        for (std::size_t i = 0; i < n; ++i) v.push_back(str());
        return v;
    }
    bool done() const { return at_ == bytes_.size(); }

private:
    std::size_t count(std::size_t element) {
        const std::uint64_t n = u64();
        if (n > (bytes_.size() - at_) / element) throw std::runtime_error("truncated answer from the reader process");
        return static_cast<std::size_t>(n);
    }
    void raw(void* p, std::size_t n) {
        if (n == 0) return;  // an empty vector's data() may be null, which memcpy must not get
        if (bytes_.size() - at_ < n) throw std::runtime_error("truncated answer from the reader process");
        std::memcpy(p, bytes_.data() + at_, n);
        at_ += n;
    }
    std::string_view bytes_;
    std::size_t at_ = 0;
};

void encode(const Results& r, Out& o) {
    o.u64(r.attributes.size());
    for (const auto& [name, value] : r.attributes) {
        o.str(name);
        o.u64(value.index());
        if (const auto* s = std::get_if<std::string>(&value)) o.str(*s);
        else if (const auto* i = std::get_if<std::int64_t>(&value)) o.u64(static_cast<std::uint64_t>(*i));
        else {
            std::uint64_t bits = 0;
            const double d = std::get<double>(value);
            std::memcpy(&bits, &d, sizeof bits);
            o.u64(bits);
        }
    }
    o.u64(r.coordinates.size());
    for (const auto& c : r.coordinates) {
        o.str(c.path);
        o.str(c.description);
        o.strings(c.labels);
        o.vec(c.values);
    }
    o.u64(r.arrays.size());
    for (const auto& a : r.arrays) {
        o.str(a.path);
        o.str(a.description);
        o.str(a.unit);
        o.strings(a.dims);
        std::vector<std::uint64_t> shape(a.shape.begin(), a.shape.end());
        o.vec(shape);
        o.u64(a.is_integer() ? 0 : 1);
        if (a.is_integer()) o.vec(a.integers());
        else o.vec(a.reals());
    }
}

Results decode(std::string_view bytes) {
    In in(bytes);
    Results r;
    for (std::uint64_t n = in.u64(), i = 0; i < n; ++i) {
        std::string name = in.str();
        const std::uint64_t kind = in.u64();
        if (kind == 0) r.attributes[name] = in.str();
        else if (kind == 1) r.attributes[name] = static_cast<std::int64_t>(in.u64());
        else {
            const std::uint64_t bits = in.u64();
            double d = 0;
            std::memcpy(&d, &bits, sizeof d);
            r.attributes[name] = d;
        }
    }
    for (std::uint64_t n = in.u64(), i = 0; i < n; ++i) {
        Coordinate c;
        c.path = in.str();
        c.description = in.str();
        c.labels = in.strings();
        c.values = in.vec<std::int64_t>();
        r.coordinates.push_back(std::move(c));
    }
    for (std::uint64_t n = in.u64(), i = 0; i < n; ++i) {
        Array a;
        a.path = in.str();
        a.description = in.str();
        a.unit = in.str();
        a.dims = in.strings();
        const auto shape = in.vec<std::uint64_t>();
        a.shape.assign(shape.begin(), shape.end());
        if (in.u64() == 0) a.data = in.vec<std::int64_t>();
        else a.data = in.vec<double>();
        r.arrays.push_back(std::move(a));
    }
    if (!in.done()) throw std::runtime_error("unexpected bytes after the reader process's answer");
    return r;
}


// Runs in the forked child: nothing here may return to the caller's code
// (no exceptions out, no atexit handlers, no stdio flush of the parent's buffers).
[[noreturn]] void child_read(const std::string& path, int fd) {
    // The parent's crash handlers (Python's faulthandler, say) would print
    // the parent's stack for a crash that is the child's, expected, and reported.
    for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
    // If the kernel runs out of memory on a crafted size, take the child, not the parent.
    if (const int oom = ::open("/proc/self/oom_score_adj", O_WRONLY); oom >= 0) {
        (void)!::write(oom, "1000", 4);
        ::close(oom);
    }
    std::string message;
    try {
        // One byte per dataset read: the parent's time limit is on silence,
        // so a big file that reads steadily is not taken for a stuck one.
        Results r = read_hdf5(path, [fd] {
            if (!write_all(fd, ".", 1)) ::_exit(3);
        });
        check_results_layout(r, path);
        // Past the status byte nothing can be taken back: a failure ends the
        // child without an answer, which the parent reports as such.
        if (!write_all(fd, "R", 1)) ::_exit(3);
        try {
            Out out(fd);
            encode(r, out);
            ::_exit(out.flush() ? 0 : 3);
        } catch (...) {
            ::_exit(3);
        }
    } catch (const ResultsFileError& e) {
        message = e.why();
    } catch (const std::bad_alloc&) {
        message = "it declares more data than fits in memory";
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
        message = "unknown error";
    }
    const bool ok = write_all(fd, "E", 1) && write_all(fd, message.data(), message.size());
    ::_exit(ok ? 0 : 3);
}

// HDF5's messages start with "reading 'PATH': " and carry the error stack:
// the first line, without the path already named by ResultsFileError, is enough.
std::string first_line(std::string text, const std::string& path) {
    const std::string prefix = "reading '" + path + "': ";
    if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
    const auto newline = text.find('\n');
    if (newline != std::string::npos) text.resize(newline);
    while (!text.empty() && (text.back() == ':' || text.back() == ' ')) text.pop_back();
    return text.empty() ? "HDF5 could not read it" : text;
}

}  // namespace

double read_time_limit(const std::string& path) {
    if (const char* env = std::getenv("DEMAT_READ_TIMEOUT")) {
        char* end = nullptr;
        const double seconds = std::strtod(env, &end);
        if (end != env && *end == '\0' && seconds > 0 && std::isfinite(seconds)) return seconds;
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return 10.0 + (ec ? 0.0 : static_cast<double>(size) / 20e6);
}

Results read_results_file(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) throw ResultsFileError(path, "no such file");
    if (fs::is_directory(status)) throw ResultsFileError(path, "it is a directory");
    if (!fs::is_regular_file(status)) throw ResultsFileError(path, "it is not a regular file");
    if (::access(path.c_str(), R_OK) != 0) throw ResultsFileError(path, std::strerror(errno));

    const double limit = read_time_limit(path);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    const pid_t child = ::fork();
    if (child < 0) {
        const int error = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error(std::string("cannot start the reader process: ") + std::strerror(error));
    }
    if (child == 0) {
        ::close(fds[0]);
        child_read(path, fds[1]);
    }
    ::close(fds[1]);
    // A bigger pipe: fewer wake-ups for an answer of hundreds of megabytes
    // (best effort: the default still works).
    (void)::fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);

    // The limit is on silence, not on the whole read: the child sends a byte
    // per dataset and then its answer in chunks, so a large file that is
    // read steadily gets the time it needs, while libhdf5 spinning on a
    // damaged block (no byte for `limit` seconds) is killed.
    std::string answer;
    bool timed_out = false;
    const auto silence = std::chrono::duration<double>(limit);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(silence);
    std::vector<char> buffer(std::size_t{1} << 20);
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        const ssize_t n = ::read(fds[0], buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        answer.append(buffer.data(), static_cast<std::size_t>(n));
        deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(silence);
    }
    ::close(fds[0]);
    if (timed_out) ::kill(child, SIGKILL);
    int wstatus = 0;
    while (::waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.0f", limit);
        throw ResultsFileError(path, std::string("reading it took longer than ") + seconds +
                                         " s without progress (a damaged file can make libhdf5 loop; "
                                         "DEMAT_READ_TIMEOUT sets the limit)");
    }
    if (WIFSIGNALED(wstatus))
        throw ResultsFileError(path, "libhdf5 crashed reading it (signal " + std::to_string(WTERMSIG(wstatus)) + ", " +
                                         strsignal(WTERMSIG(wstatus)) + "): the file is damaged");
    std::string_view body(answer);
    body.remove_prefix(std::min(body.find_first_not_of('.'), body.size()));  // the progress bytes
    if (body.empty() || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        throw ResultsFileError(path, "the reader process ended without an answer");
    if (body[0] != 'R') throw ResultsFileError(path, first_line(std::string(body.substr(1)), path));
    body.remove_prefix(1);
    return decode(body);
}

}  // namespace demat
