#include "checkpoint/checkpoint.hpp"
#include "core/error.hpp"
#include "core/error.hpp"

#include "scenario/reader.hpp"

#include <zlib.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace demat {

namespace {

static_assert(std::endian::native == std::endian::little, "checkpoint files are little-endian");

// Layout (all integers little-endian):
//   prefix:   "DEMAT CHECKPOINT" (16 bytes), u32 format version, string demat
//             version, u32 CRC of the prefix. Every format starts so, so that
//             any version can say which version wrote a file.
//   header:   u64 seed, i32 day, i32 total days, u64 citizens, strings
//             scenario_resolved, source_text, source_path, u32 CRC.
//   sections: string name, u32 element size, u64 count, u32 CRC of these;
//             count * element size bytes, u32 CRC of them.
//   end:      "DEMATEND", u64 number of sections, u32 CRC of these.
// A string is a u32 length and its bytes.
constexpr std::array<char, 16> signature{'D', 'E', 'M', 'A', 'T', ' ', 'C', 'H',
                                         'E', 'C', 'K', 'P', 'O', 'I', 'N', 'T'};
constexpr std::array<char, 8> end_marker{'D', 'E', 'M', 'A', 'T', 'E', 'N', 'D'};
constexpr std::uint32_t longest_version = 256;
constexpr std::uint32_t longest_name = 256;

std::uint32_t crc_of(std::uint32_t crc, const void* data, std::size_t bytes) {
    return static_cast<std::uint32_t>(crc32_z(crc, static_cast<const Bytef*>(data), bytes));
}

// ------------------------------------------------------------------ writing

class Writer {
public:
    Writer(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}

    void bytes(const void* data, std::size_t n) {
        if (n == 0) return;
        if (std::fwrite(data, 1, n, file_) != n) fail();
        crc_ = crc_of(crc_, data, n);
    }
    template <class T>
    void value(T v) { bytes(&v, sizeof v); }
    void text(const std::string& s) {
        value(static_cast<std::uint32_t>(s.size()));
        bytes(s.data(), s.size());
    }
    void start_crc() { crc_ = crc_of(0, nullptr, 0); }
    void write_crc() {
        const std::uint32_t crc = crc_;
        bytes(&crc, sizeof crc);
    }
    [[noreturn]] void fail() const {
        const int error = errno;
        if (is_disk_full(error)) throw DiskFullError(path_, "cannot write checkpoint " + path_ + ": " + std::strerror(error));
        throw CheckpointWriteError("cannot write checkpoint " + path_ + ": " + std::strerror(error));
    }

private:
    std::FILE* file_;
    std::string path_;
    std::uint32_t crc_ = 0;
};

class SavingVisitor final : public StateVisitor {
public:
    explicit SavingVisitor(Writer& out) : out_(out) {}
    bool restoring() const override { return false; }
    std::uint64_t sections() const { return sections_; }

protected:
    std::size_t begin_section(std::string_view name, std::size_t element_size, std::size_t count) override {
        out_.start_crc();
        out_.text(std::string(name));
        out_.value(static_cast<std::uint32_t>(element_size));
        out_.value(static_cast<std::uint64_t>(count));
        out_.write_crc();
        out_.start_crc();
        ++sections_;
        return count;
    }
    void section_data(void* data, std::size_t bytes) override { out_.bytes(data, bytes); }
    void end_section() override { out_.write_crc(); }
    void count_mismatch(std::string_view, std::size_t, std::size_t) override {
        throw InternalError("count mismatch while saving a checkpoint");
    }

private:
    Writer& out_;
    std::uint64_t sections_ = 0;
};

// ------------------------------------------------------------------ reading

class Reader {
public:
    explicit Reader(const std::string& path) : path_(path) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw CheckpointError("cannot read checkpoint " + path + ": " +
                                  (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
        size_ = std::filesystem::file_size(path, ec);
        file_ = std::fopen(path.c_str(), "rb");
        if (!file_ || ec) throw CheckpointError("cannot read checkpoint " + path + ": " + std::strerror(errno));
        std::setvbuf(file_, nullptr, _IOFBF, 1 << 22);
    }
    ~Reader() {
        if (file_) std::fclose(file_);
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    std::uint64_t remaining() const { return size_ - position_; }
    std::uint64_t position() const { return position_; }
    const std::string& path() const { return path_; }

    [[noreturn]] void refuse(const std::string& what) const { throw CheckpointError(path_ + ": " + what); }

    void bytes(void* data, std::size_t n, const std::string& what) {
        if (n > remaining())
            refuse("truncated: " + what + " needs " + std::to_string(n) + " bytes at offset " +
                   std::to_string(position_) + ", but the file ends at " + std::to_string(size_));
        if (n > 0 && std::fread(data, 1, n, file_) != n) refuse("cannot read " + what + ": " + std::strerror(errno));
        position_ += n;
        crc_ = crc_of(crc_, data, n);
    }
    template <class T>
    T value(const std::string& what) {
        T v;
        bytes(&v, sizeof v, what);
        return v;
    }
    std::string text(const std::string& what, std::uint64_t longest) {
        const auto n = value<std::uint32_t>(what);
        if (n > longest || n > remaining())
            refuse("damaged or truncated: " + what + " claims " + std::to_string(n) + " bytes, " +
                   std::to_string(remaining()) + " left in the file");
        std::string s(n, '\0');
        bytes(s.data(), n, what);
        return s;
    }
    void start_crc() { crc_ = crc_of(0, nullptr, 0); }
    // Compares the running CRC with the stored one that follows.
    bool crc_matches(const std::string& what) {
        const std::uint32_t computed = crc_;
        const auto stored = value<std::uint32_t>(what);
        return stored == computed;
    }

private:
    std::string path_;
    std::FILE* file_ = nullptr;
    std::uint64_t size_ = 0;
    std::uint64_t position_ = 0;
    std::uint32_t crc_ = 0;
};

// The prefix and header; leaves the reader at the first section.
CheckpointInfo read_info(Reader& in) {
    std::array<char, 16> magic{};
    if (in.remaining() < magic.size()) in.refuse("not a demat checkpoint (too short to hold its signature)");
    in.start_crc();
    in.bytes(magic.data(), magic.size(), "the signature");
    if (magic != signature) in.refuse("not a demat checkpoint (no \"DEMAT CHECKPOINT\" signature at the start)");
    const auto format = in.value<std::uint32_t>("the format version");
    CheckpointInfo info;
    info.demat_version = in.text("the demat version", longest_version);
    if (!in.crc_matches("the prefix checksum")) in.refuse("damaged: checksum mismatch in the file's prefix (format and version)");
    if (format != checkpoint_format_version || info.demat_version != DEMAT_VERSION)
        in.refuse("written by demat " + info.demat_version + " (checkpoint format " + std::to_string(format) +
                  "), this is demat " + DEMAT_VERSION + " (format " + std::to_string(checkpoint_format_version) +
                  "): a checkpoint resumes only with the demat version that wrote it");

    in.start_crc();
    info.seed = in.value<std::uint64_t>("the seed");
    info.day = in.value<std::int32_t>("the day");
    info.total_days = in.value<std::int32_t>("the total days");
    info.citizens = in.value<std::uint64_t>("the number of citizens");
    info.scenario_resolved = in.text("the scenario", in.remaining());
    info.source_text = in.text("the scenario file's text", in.remaining());
    info.source_path = in.text("the scenario file's path", in.remaining());
    if (!in.crc_matches("the header checksum")) in.refuse("damaged: checksum mismatch in the header (seed, day, scenario)");
    return info;
}

class RestoringVisitor final : public StateVisitor {
public:
    explicit RestoringVisitor(Reader& in) : in_(in) {}
    bool restoring() const override { return true; }
    std::uint64_t sections() const { return sections_; }

protected:
    std::size_t begin_section(std::string_view name, std::size_t element_size, std::size_t) override {
        name_ = std::string(name);
        const std::string what = "the header of section '" + name_ + "'";
        in_.start_crc();
        const std::string found = in_.text(what, longest_name);
        const auto size = in_.value<std::uint32_t>(what);
        const auto count = in_.value<std::uint64_t>(what);
        if (!in_.crc_matches(what)) in_.refuse("damaged: checksum mismatch in " + what);
        if (found != name_)
            in_.refuse("the state layout differs from this demat's: expected section '" + name_ + "', found '" + found + "'");
        if (size != element_size)
            in_.refuse("the state layout differs from this demat's: section '" + name_ + "' holds " +
                       std::to_string(size) + "-byte elements, this demat's are " + std::to_string(element_size) + " bytes");
        if (count > in_.remaining() / std::max<std::uint64_t>(size, 1))
            in_.refuse("truncated: section '" + name_ + "' needs " + std::to_string(count) + " x " + std::to_string(size) +
                       " bytes at offset " + std::to_string(in_.position()) + ", but only " +
                       std::to_string(in_.remaining()) + " remain");
        in_.start_crc();
        ++sections_;
        return static_cast<std::size_t>(count);
    }
    void section_data(void* data, std::size_t bytes) override { in_.bytes(data, bytes, "section '" + name_ + "'"); }
    void end_section() override {
        if (!in_.crc_matches("the checksum of section '" + name_ + "'"))
            in_.refuse("damaged: checksum mismatch in section '" + name_ + "'");
    }
    void count_mismatch(std::string_view name, std::size_t expected, std::size_t found) override {
        in_.refuse("section '" + std::string(name) + "' holds " + std::to_string(found) + " elements where its scenario needs " +
                   std::to_string(expected));
    }

private:
    Reader& in_;
    std::string name_;
    std::uint64_t sections_ = 0;
};

}  // namespace

std::string checkpoint_file_name(int day) {
    char name[64];
    std::snprintf(name, sizeof name, "checkpoint-day-%06d.demat-checkpoint", day);
    return name;
}

void save_checkpoint(Engine& engine, const std::string& path) {
    // A name of our own next to the target, so that the rename is atomic and
    // two processes writing the same checkpoint do not mix their bytes.
    const std::string temporary = path + ".tmp" + std::to_string(::getpid());
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (!file && is_disk_full(errno)) throw DiskFullError(path, "cannot write checkpoint " + path + ": " + std::strerror(errno));
    if (!file) throw CheckpointWriteError("cannot write checkpoint " + path + ": " + std::strerror(errno));
    std::vector<char> buffer(1 << 22);
    std::setvbuf(file, buffer.data(), _IOFBF, buffer.size());
    try {
        Writer out(file, path);
        const Scenario& sc = engine.scenario();
        out.start_crc();
        out.bytes(signature.data(), signature.size());
        out.value(checkpoint_format_version);
        out.text(DEMAT_VERSION);
        out.write_crc();

        out.start_crc();
        out.value(static_cast<std::uint64_t>(sc.seed));
        out.value(static_cast<std::int32_t>(engine.current_day()));
        out.value(static_cast<std::int32_t>(engine.total_days()));
        out.value(static_cast<std::uint64_t>(engine.population().size()));
        out.text(to_toml(sc));
        out.text(sc.source_text);
        out.text(sc.source_path);
        out.write_crc();

        SavingVisitor visit(out);
        engine.visit_state(visit);

        out.start_crc();
        out.bytes(end_marker.data(), end_marker.size());
        out.value(visit.sections());
        out.write_crc();
        // On disk before it replaces anything: a checkpoint exists to survive a crash.
        if (std::fflush(file) != 0 || ::fsync(::fileno(file)) != 0) out.fail();
        const int closed = std::fclose(file);
        file = nullptr;
        if (closed != 0) out.fail();
        std::error_code ec;
        std::filesystem::rename(temporary, path, ec);
        if (ec && is_disk_full(ec.value())) throw DiskFullError(path, "cannot write checkpoint " + path + ": " + ec.message());
        if (ec) throw CheckpointWriteError("cannot write checkpoint " + path + ": " + ec.message());
    } catch (...) {
        if (file) std::fclose(file);
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
    Reader in(path);
    return read_info(in);
}

std::unique_ptr<Engine> load_checkpoint(const std::string& path, Executor& executor) {
    Reader in(path);
    const CheckpointInfo info = read_info(in);
    Scenario scenario;
    try {
        scenario = parse_scenario(info.scenario_resolved, path + " (its scenario)");
    } catch (const ScenarioError& e) {
        in.refuse(std::string("its scenario does not read back: ") + e.what());
    }
    // As in the original run's outputs: the file's own text and path.
    scenario.source_text = info.source_text;
    scenario.source_path = info.source_path;
    if (scenario.seed != info.seed || static_cast<std::uint64_t>(scenario.population.size) != info.citizens)
        in.refuse("damaged: its header and its scenario disagree on the seed or the population size");

    RestoringVisitor visit(in);
    std::unique_ptr<Engine> engine;
    try {
        engine = std::make_unique<Engine>(scenario, executor, visit);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::runtime_error& e) {  // the state does not fit the scenario
        in.refuse(e.what());
    } catch (const std::invalid_argument& e) {
        in.refuse(e.what());
    }
    if (engine->current_day() != info.day) in.refuse("damaged: its header and its state disagree on the day");

    std::array<char, 8> marker{};
    in.start_crc();
    in.bytes(marker.data(), marker.size(), "the end marker");
    const auto sections = in.value<std::uint64_t>("the end marker");
    if (!in.crc_matches("the end marker")) in.refuse("damaged: checksum mismatch in the end marker");
    if (marker != end_marker || sections != visit.sections())
        in.refuse("damaged: the end marker is missing or counts " + std::to_string(sections) + " sections, not " +
                  std::to_string(visit.sections()));
    if (in.remaining() != 0) in.refuse("damaged: " + std::to_string(in.remaining()) + " unexpected bytes after the end marker");
    return engine;
}

}  // namespace demat
