// HDF5 output: round trips, the contractual layout (checked with the HDF5 C
// API, independently of read_hdf5), atomic replacement, and input checks.
#include "io/hdf5_writer.hpp"
#include "io/results_bytes.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace demat;

namespace {

// A fresh folder per test, removed afterwards (permissions restored first so
// that a read-only test folder can be removed too).
class TempFolder {
public:
    TempFolder() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("demat-io-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directories(path_);
    }
    ~TempFolder() {
        std::error_code ignored;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(path_, ignored);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const fs::path& path() const { return path_; }
    std::set<std::string> entries() const {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(path_)) names.insert(entry.path().filename().string());
        return names;
    }

private:
    fs::path path_;
};

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Recognisable values: a wrong axis order or an off-by-one in the layout
// changes them.
std::int64_t count_value(std::size_t day, std::size_t service, std::size_t group, std::size_t state) {
    return static_cast<std::int64_t>(day * 1000 + service * 100 + group * 10 + state);
}

// The shape of what the engine produces: root coordinates, /counts, and one
// segment dimension, plus a double-valued metric.
Results run_like_results(std::size_t days) {
    Results results;
    results.attributes["demat_version"] = std::string("0.1.0");
    results.attributes["scenario"] = std::string("[population]\nsize = 1000\nseed = 42\n");
    results.attributes["seed"] = std::int64_t{42};

    Coordinate day{"day", {}, {}, "day of the run, 0 = start"};
    for (std::size_t d = 0; d < days; ++d) day.values.push_back(static_cast<std::int64_t>(d));
    const Coordinate service{"service", {"minimum_income", "housing_benefit"}, {}, "services of the scenario"};
    const Coordinate state{"state", state_names(), {}, "states of the path to a right"};
    const Coordinate quintile{
        "segments/capital_quintile/group", {"Q1", "Q2", "Q3", "Q4", "Q5"}, {}, "capital quintile, Q1 lowest"};
    results.coordinates = {day, service, state, quintile};

    Array counts{"counts", {"day", "service", "state"}, {days, 2, 7}, std::vector<std::int64_t>{}, "citizens per state",
                 "citizens"};
    Array segment{"segments/capital_quintile/counts",
                  {"day", "service", "segments/capital_quintile/group", "state"},
                  {days, 2, 5, 7},
                  std::vector<std::int64_t>{},
                  "citizens per state and capital quintile",
                  "citizens"};
    Array rate{"segments/capital_quintile/take_up",
               {"day", "segments/capital_quintile/group"},
               {days, 5},
               std::vector<double>{},
               "receiving / eligible",
               "1"};
    auto& c = std::get<std::vector<std::int64_t>>(counts.data);
    auto& s = std::get<std::vector<std::int64_t>>(segment.data);
    auto& r = std::get<std::vector<double>>(rate.data);
    for (std::size_t d = 0; d < days; ++d) {
        for (std::size_t v = 0; v < 2; ++v) {
            for (std::size_t k = 0; k < 7; ++k) c.push_back(count_value(d, v, 0, k));
            for (std::size_t g = 0; g < 5; ++g)
                for (std::size_t k = 0; k < 7; ++k) s.push_back(count_value(d, v, g, k));
        }
        for (std::size_t g = 0; g < 5; ++g) r.push_back(static_cast<double>(d) + 0.125 * static_cast<double>(g));
    }
    results.arrays = {counts, segment, rate};
    return results;
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

// Exact equality, in order; doubles compared bit for bit (NaN, -0.0).
void require_identical(const Results& expected, const Results& actual) {
    REQUIRE(actual.attributes.size() == expected.attributes.size());
    for (const auto& [name, value] : expected.attributes) {
        INFO("attribute " << name);
        REQUIRE(actual.attributes.count(name) == 1);
        const auto& other = actual.attributes.at(name);
        REQUIRE(other.index() == value.index());
        if (const auto* real = std::get_if<double>(&value))
            CHECK(same_bits(*real, std::get<double>(other)));
        else
            CHECK(other == value);
    }
    REQUIRE(actual.coordinates.size() == expected.coordinates.size());
    for (std::size_t i = 0; i < expected.coordinates.size(); ++i) {
        const auto& e = expected.coordinates[i];
        const auto& a = actual.coordinates[i];
        INFO("coordinate " << e.path);
        CHECK(a.path == e.path);
        CHECK(a.labels == e.labels);
        CHECK(a.values == e.values);
        CHECK(a.description == e.description);
    }
    REQUIRE(actual.arrays.size() == expected.arrays.size());
    for (std::size_t i = 0; i < expected.arrays.size(); ++i) {
        const auto& e = expected.arrays[i];
        const auto& a = actual.arrays[i];
        INFO("array " << e.path);
        CHECK(a.path == e.path);
        CHECK(a.dims == e.dims);
        CHECK(a.shape == e.shape);
        CHECK(a.description == e.description);
        CHECK(a.unit == e.unit);
        REQUIRE(a.is_integer() == e.is_integer());
        if (e.is_integer()) {
            CHECK(a.integers() == e.integers());
        } else {
            REQUIRE(a.reals().size() == e.reals().size());
            for (std::size_t k = 0; k < e.reals().size(); ++k) CHECK(same_bits(a.reals()[k], e.reals()[k]));
        }
    }
}

// Redirects file descriptor 2 (where HDF5 prints its "HDF5-DIAG" traces) to a
// file for the lifetime of the object.
class StderrCapture {
public:
    explicit StderrCapture(std::string path) : path_(std::move(path)) {
        std::fflush(stderr);
        saved_ = ::dup(2);
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, 2);
        ::close(fd);
    }
    std::string finish() {
        std::fflush(stderr);
        if (saved_ >= 0) {
            ::dup2(saved_, 2);
            ::close(saved_);
            saved_ = -1;
        }
        return file_bytes(path_);
    }
    ~StderrCapture() { finish(); }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

private:
    std::string path_;
    int saved_ = -1;
};

// Files, groups, datasets, types and attributes still open in the whole
// process: after any write or read, successful or not, there must be none.
ssize_t open_hdf5_objects() { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); }

// Minimal owner for ids opened by the tests themselves.
struct Id {
    hid_t id;
    herr_t (*close)(hid_t);
    ~Id() {
        if (id >= 0) close(id);
    }
    operator hid_t() const { return id; }
};

std::vector<hsize_t> extent(hid_t dataset) {
    Id space{H5Dget_space(dataset), H5Sclose};
    std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

bool is_utf8_variable_string(hid_t dataset) {
    Id type{H5Dget_type(dataset), H5Tclose};
    return H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0 && H5Tget_cset(type) == H5T_CSET_UTF8;
}

std::string string_attribute(hid_t object, const char* name) {
    Id attribute{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
    REQUIRE(attribute.id >= 0);
    Id type{H5Aget_type(attribute), H5Tclose};
    REQUIRE(H5Tis_variable_str(type) > 0);
    char* text = nullptr;
    REQUIRE(H5Aread(attribute, type, &text) >= 0);
    std::string value(text);
    H5free_memory(text);
    return value;
}

}  // namespace

TEST_CASE("write then read returns the same results for every type", "[io]") {
    TempFolder folder;
    Results results;
    // Longer than HDF5's 64 KiB limit for compact attributes: a real
    // scenario with its resolved parameters can be that big.
    std::string scenario = "# scénario — long\n";
    while (scenario.size() < 200'000) scenario += "[[services]]\nname = \"rsa\"\ncomplexity = 0.6\n";
    results.attributes = {{"demat_version", std::string("0.1.0")},
                          {"scenario", scenario},
                          {"seed", std::int64_t{-7}},
                          {"empty", std::string()},
                          {"largest", std::numeric_limits<std::int64_t>::max()},
                          {"smallest", std::numeric_limits<std::int64_t>::min()},
                          {"pi", 3.141592653589793},
                          {"negative_zero", -0.0},
                          {"not_a_number", std::numeric_limits<double>::quiet_NaN()},
                          {"denormal", std::numeric_limits<double>::denorm_min()}};
    results.coordinates = {
        {"day", {}, {0, 1, 2}, "day"},
        {"service", {"allocation logement", "prime d'activité ✓", ""}, {}, "services, one label empty"},
        {"state", state_names(), {}, ""},
        {"channel", {"online", "phone", "counter", "mediation"}, {}, "channels"},
        {"offset", {}, {-5, 0, std::numeric_limits<std::int64_t>::max()}, "integer coordinate, not a day"},
        {"segments/age_group/group", {"18-29", "30-44", "45-59", "60-74", "75+"}, {}, "age group"},
        {"helpers/helps", {}, {1, 2}, "a group with a coordinate, listed before /metrics has any"},
        {"nested/deep/er/level", {}, {10, 20}, "three groups down"},
    };
    const std::vector<double> reals{1.5,
                                    -0.0,
                                    std::numeric_limits<double>::infinity(),
                                    std::numeric_limits<double>::quiet_NaN(),
                                    std::numeric_limits<double>::max(),
                                    std::numeric_limits<double>::denorm_min(),
                                    -1e-300,
                                    0.1,
                                    2.0 / 3.0,
                                    -42.0,
                                    1e300,
                                    7.0};
    std::vector<std::int64_t> integers(3 * 3 * 7);
    for (std::size_t i = 0; i < integers.size(); ++i) integers[i] = static_cast<std::int64_t>(i * i) - 100;
    integers.front() = std::numeric_limits<std::int64_t>::min();
    integers.back() = std::numeric_limits<std::int64_t>::max();
    std::vector<std::int64_t> by_age(3 * 3 * 5 * 7);
    for (std::size_t i = 0; i < by_age.size(); ++i) by_age[i] = static_cast<std::int64_t>(i);
    results.arrays = {
        {"counts", {"day", "service", "state"}, {3, 3, 7}, integers, "citizens per state", "citizens"},
        {"cost_by_channel", {"service", "channel"}, {3, 4}, reals, "cost", "€ per procedure"},
        {"divide_index", {}, {}, std::vector<double>{-0.25}, "scalar: a 0-dimensional dataset", "1"},
        {"by_offset", {"offset"}, {3}, std::vector<std::int64_t>{1, 2, 3}, "", ""},
        {"segments/age_group/counts",
         {"day", "service", "segments/age_group/group", "state"},
         {3, 3, 5, 7},
         by_age,
         "per age group",
         "citizens"},
        // Like the engine's /metrics: a group of arrays only, whose first
        // array comes before the array of /helpers although the /helpers
        // coordinate comes first. The order must still come back as listed.
        {"metrics/take_up_rate", {"day", "service"}, {3, 3}, std::vector<double>(9, 0.5), "receiving / eligible", "1"},
        {"helpers/burden", {"helpers/helps"}, {2}, std::vector<std::int64_t>{12, 3}, "helpers by helps", "citizens"},
        {"nested/deep/er/values",
         {"nested/deep/er/level", "channel"},
         {2, 4},
         std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7},
         "an array beside its own coordinate, using a root one too",
         "days"},
    };
    const std::string path = folder.file("run.h5");
    write_hdf5(results, path);
    require_identical(results, read_hdf5(path));
    CHECK(folder.entries() == std::set<std::string>{"run.h5"});
    CHECK(open_hdf5_objects() == 0);
}

TEST_CASE("packed results unpack equal, and damaged bytes are refused", "[io]") {
    // Sweeps send a run's results this way and keep them so in their journal.
    const Results results = run_like_results(3);
    const std::string bytes = pack_results(results);
    require_identical(results, unpack_results(bytes));
    CHECK_THROWS_AS(unpack_results(bytes.substr(0, bytes.size() / 2)), std::runtime_error);
    CHECK_THROWS_AS(unpack_results(bytes + "x"), std::runtime_error);
    CHECK_THROWS_AS(unpack_results("not packed results"), std::runtime_error);
    std::string flipped = bytes;
    flipped[flipped.size() / 2] = static_cast<char>(~flipped[flipped.size() / 2]);
    CHECK_THROWS_AS(unpack_results(flipped), std::runtime_error);
}

TEST_CASE("a single day and empty coordinates round trip", "[io]") {
    TempFolder folder;
    const std::string path = folder.file("tiny.h5");

    SECTION("one day") {
        const Results results = run_like_results(1);
        write_hdf5(results, path);
        require_identical(results, read_hdf5(path));
    }
    SECTION("no service at all: zero-length axes") {
        Results results;
        results.coordinates = {{"day", {}, {0}, "day"}, {"service", {}, {}, "no services"}, {"state", state_names(), {}, ""}};
        results.arrays = {{"counts", {"day", "service", "state"}, {1, 0, 7}, std::vector<std::int64_t>{}, "", "citizens"}};
        write_hdf5(results, path);
        require_identical(results, read_hdf5(path));
    }
    SECTION("no attributes, coordinates or arrays") {
        write_hdf5(Results{}, path);
        require_identical(Results{}, read_hdf5(path));
    }
}

TEST_CASE("the file has the layout of docs/output.md", "[io]") {
    TempFolder folder;
    const std::string path = folder.file("layout.h5");
    const std::size_t days = 730;
    write_hdf5(run_like_results(days), path);

    Id file{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    REQUIRE(file.id >= 0);

    SECTION("root attributes have the contractual types") {
        Id root{H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose};
        CHECK(string_attribute(root, "demat_version") == "0.1.0");
        CHECK(string_attribute(root, "scenario").find("size = 1000") != std::string::npos);
        Id seed{H5Aopen(root, "seed", H5P_DEFAULT), H5Aclose};
        Id seed_type{H5Aget_type(seed), H5Tclose};
        CHECK(H5Tequal(seed_type, H5T_STD_I64LE) > 0);
        std::int64_t value = 0;
        H5Aread(seed, H5T_NATIVE_INT64, &value);
        CHECK(value == 42);
    }
    SECTION("/day, /service, /state are dimension scales named after themselves") {
        for (const char* name : {"/day", "/service", "/state"}) {
            INFO(name);
            Id scale{H5Dopen2(file, name, H5P_DEFAULT), H5Dclose};
            REQUIRE(scale.id >= 0);
            CHECK(H5DSis_scale(scale) > 0);
            char label[32] = {};
            REQUIRE(H5DSget_scale_name(scale, label, sizeof label) > 0);
            CHECK(std::string("/") + label == name);
            CHECK_FALSE(string_attribute(scale, "description").empty());
        }
        Id day{H5Dopen2(file, "/day", H5P_DEFAULT), H5Dclose};
        Id day_type{H5Dget_type(day), H5Tclose};
        CHECK(H5Tequal(day_type, H5T_STD_I64LE) > 0);
        CHECK(extent(day) == std::vector<hsize_t>{days});
        Id service{H5Dopen2(file, "/service", H5P_DEFAULT), H5Dclose};
        Id state{H5Dopen2(file, "/state", H5P_DEFAULT), H5Dclose};
        CHECK(is_utf8_variable_string(service));
        CHECK(is_utf8_variable_string(state));
        CHECK(extent(state) == std::vector<hsize_t>{7});
    }
    SECTION("/counts is int64 [day, service, state], scales attached in order, compressed") {
        Id counts{H5Dopen2(file, "/counts", H5P_DEFAULT), H5Dclose};
        REQUIRE(counts.id >= 0);
        Id type{H5Dget_type(counts), H5Tclose};
        CHECK(H5Tequal(type, H5T_STD_I64LE) > 0);
        CHECK(extent(counts) == std::vector<hsize_t>{days, 2, 7});
        CHECK(H5DSis_scale(counts) == 0);
        const char* order[] = {"/day", "/service", "/state"};
        for (unsigned axis = 0; axis < 3; ++axis) {
            INFO("axis " << axis);
            CHECK(H5DSget_num_scales(counts, axis) == 1);
            for (unsigned other = 0; other < 3; ++other) {
                Id scale{H5Dopen2(file, order[other], H5P_DEFAULT), H5Dclose};
                CHECK((H5DSis_attached(counts, scale, axis) > 0) == (axis == other));
            }
        }
        CHECK(string_attribute(counts, "units") == "citizens");
        CHECK(string_attribute(counts, "description") == "citizens per state");

        Id creation{H5Dget_create_plist(counts), H5Pclose};
        REQUIRE(H5Pget_layout(creation) == H5D_CHUNKED);
        REQUIRE(H5Pget_nfilters(creation) == 2);
        unsigned flags = 0;
        std::size_t count = 1;
        unsigned level = 0;
        char name[64];
        unsigned config = 0;
        CHECK(H5Pget_filter2(creation, 0, &flags, &count, &level, sizeof name, name, &config) == H5Z_FILTER_SHUFFLE);
        count = 1;
        CHECK(H5Pget_filter2(creation, 1, &flags, &count, &level, sizeof name, name, &config) == H5Z_FILTER_DEFLATE);
        CHECK(level == 4);
        // Compression must actually happen: these counts are very regular.
        CHECK(H5Dget_storage_size(counts) < days * 2 * 7 * sizeof(std::int64_t) / 2);
    }
    SECTION("segment counts are int64 [day, service, group, state] with chunks of a few hundred kB along day") {
        Id counts{H5Dopen2(file, "/segments/capital_quintile/counts", H5P_DEFAULT), H5Dclose};
        REQUIRE(counts.id >= 0);
        Id type{H5Dget_type(counts), H5Tclose};
        CHECK(H5Tequal(type, H5T_STD_I64LE) > 0);
        CHECK(extent(counts) == std::vector<hsize_t>{days, 2, 5, 7});
        const char* order[] = {"/day", "/service", "/segments/capital_quintile/group", "/state"};
        for (unsigned axis = 0; axis < 4; ++axis) {
            INFO("axis " << axis);
            Id scale{H5Dopen2(file, order[axis], H5P_DEFAULT), H5Dclose};
            CHECK(H5DSis_attached(counts, scale, axis) > 0);
        }
        Id group{H5Dopen2(file, "/segments/capital_quintile/group", H5P_DEFAULT), H5Dclose};
        CHECK(H5DSis_scale(group) > 0);
        CHECK(is_utf8_variable_string(group));

        Id creation{H5Dget_create_plist(counts), H5Pclose};
        REQUIRE(H5Pget_layout(creation) == H5D_CHUNKED);
        hsize_t chunk[4] = {};
        REQUIRE(H5Pget_chunk(creation, 4, chunk) == 4);
        // Whole service, group and state axes; cut along day only.
        CHECK(chunk[1] == 2);
        CHECK(chunk[2] == 5);
        CHECK(chunk[3] == 7);
        CHECK(chunk[0] > 1);
        CHECK(chunk[0] < days);
        const hsize_t chunk_bytes = chunk[0] * chunk[1] * chunk[2] * chunk[3] * sizeof(std::int64_t);
        CHECK(chunk_bytes <= 256 * 1024);
        CHECK(chunk_bytes > 64 * 1024);
    }
    SECTION("double arrays are IEEE F64LE") {
        Id rate{H5Dopen2(file, "/segments/capital_quintile/take_up", H5P_DEFAULT), H5Dclose};
        REQUIRE(rate.id >= 0);
        Id type{H5Dget_type(rate), H5Tclose};
        CHECK(H5Tequal(type, H5T_IEEE_F64LE) > 0);
        CHECK(string_attribute(rate, "units") == "1");
    }
}

TEST_CASE("a failed write leaves no file and keeps an existing one", "[io]") {
    TempFolder folder;
    const std::string path = folder.file("out.h5");
    Results broken = run_like_results(3);
    broken.arrays.back().path = "segments/capital_quintile/zz_broken";
    std::get<std::vector<double>>(broken.arrays.back().data).pop_back();  // one value short of its shape

    SECTION("nothing existed before: nothing is left, not even the temporary file") {
        REQUIRE_THROWS_MATCHES(write_hdf5(broken, path), std::invalid_argument,
                               Catch::Matchers::Message(
                                   "writing '" + path +
                                   "': array 'segments/capital_quintile/zz_broken' has 14 values but its shape "
                                   "[3, 5] needs 15"));
        CHECK(folder.entries().empty());
        // Every id opened before the failure was closed on the way out.
        CHECK(open_hdf5_objects() == 0);
    }
    SECTION("a previous file is left byte for byte intact") {
        write_hdf5(run_like_results(2), path);
        const std::string before = file_bytes(path);
        REQUIRE(before.size() > 0);
        CHECK_THROWS_AS(write_hdf5(broken, path), std::invalid_argument);
        CHECK(file_bytes(path) == before);
        CHECK(folder.entries() == std::set<std::string>{"out.h5"});
    }
    SECTION("a successful write replaces the previous file and leaves nothing else") {
        write_hdf5(run_like_results(2), path);
        write_hdf5(run_like_results(4), path);
        CHECK(read_hdf5(path).coordinate("day").size() == 4);
        CHECK(folder.entries() == std::set<std::string>{"out.h5"});
    }
}

TEST_CASE("writing into a missing folder fails cleanly", "[io]") {
    TempFolder folder;
    const std::string path = folder.file("missing/out.h5");
    REQUIRE_THROWS_WITH(write_hdf5(run_like_results(2), path),
                        Catch::Matchers::Contains(path) && Catch::Matchers::Contains("does not exist"));
    CHECK(folder.entries().empty());
}

TEST_CASE("invalid results are rejected with a message naming the item", "[io]") {
    TempFolder folder;
    const std::string path = folder.file("out.h5");
    struct Case {
        const char* what;
        std::function<void(Results&)> spoil;
        const char* message;
    };
    const std::vector<Case> cases{
        {"dims and shape disagree", [](Results& r) { r.arrays[0].dims.pop_back(); },
         "array 'counts' has 3 axes (shape [3, 2, 7]) but 2 dims"},
        {"unknown coordinate", [](Results& r) { r.arrays[0].dims[1] = "services"; },
         "array 'counts' axis 1 refers to coordinate 'services', which is not among"},
        {"axis length differs from the coordinate", [](Results& r) { r.coordinates[1].labels.push_back("third"); },
         "array 'counts' axis 1 has length 2 but coordinate 'service' has 3 entries"},
        {"coordinate out of the array's scope",
         [](Results& r) {
             r.arrays[0].dims[2] = "segments/capital_quintile/group";
             r.arrays[0].shape[2] = 5;
             std::get<std::vector<std::int64_t>>(r.arrays[0].data).resize(3 * 2 * 5);
         },
         "uses coordinate 'segments/capital_quintile/group', which is neither in the array's group"},
        {"duplicate path", [](Results& r) { r.arrays[2].path = "segments/capital_quintile/counts"; },
         "'segments/capital_quintile/counts' is already used"},
        {"dataset used as a group", [](Results& r) { r.arrays[2].path = "counts/take_up"; },
         "array 'counts': 'counts' is already used by another coordinate, array or group"},
        {"malformed path", [](Results& r) { r.arrays[0].path = "segments//counts"; }, "is not of the form"},
        {"text and values in one coordinate", [](Results& r) { r.coordinates[1].values = {1, 2}; },
         "coordinate 'service' has both labels (2) and values (2)"},
        {"invalid UTF-8 label", [](Results& r) { r.coordinates[1].labels[0] = "caf\xe9"; },
         "label 0 of coordinate 'service' is not valid UTF-8"},
        {"NUL inside an attribute", [](Results& r) { r.attributes["scenario"] = std::string("a\0b", 3); },
         "attribute 'scenario' of the root group contains a NUL character"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        Results results = run_like_results(3);
        c.spoil(results);
        CHECK_THROWS_WITH(write_hdf5(results, path), Catch::Matchers::Contains(c.message));
        CHECK(folder.entries().empty());
    }
}

TEST_CASE("HDF5 failures carry the error stack and print nothing", "[io]") {
    TempFolder folder;
    const std::string not_hdf5 = folder.file("not_hdf5.h5");
    std::ofstream(not_hdf5) << "this is not an HDF5 file\n";

    H5E_auto2_t handler_before = nullptr;
    void* data_before = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &handler_before, &data_before);

    StderrCapture capture(folder.file("stderr.txt"));
    std::string message;
    try {
        read_hdf5(not_hdf5);
    } catch (const Hdf5Error& error) {
        message = error.what();
    }
    const std::string printed = capture.finish();

    INFO(message);
    CHECK(message.rfind("reading '" + not_hdf5 + "': H5Fopen failed:", 0) == 0);
    // HDF5's own diagnosis, taken from its error stack.
    CHECK(message.find("file signature not found") != std::string::npos);
    CHECK(printed.find("HDF5-DIAG") == std::string::npos);
    CHECK(printed.empty());
    CHECK(open_hdf5_objects() == 0);

    // The caller's HDF5 error printing is left as it was.
    H5E_auto2_t handler_after = nullptr;
    void* data_after = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &handler_after, &data_after);
    CHECK(handler_after == handler_before);
    CHECK(data_after == data_before);
}

TEST_CASE("reading a missing file names it", "[io]") {
    TempFolder folder;
    const std::string path = folder.file("absent.h5");
    CHECK_THROWS_WITH(read_hdf5(path), "reading '" + path + "': no such file");
}

TEST_CASE("check_output_writable accepts a writable folder and rejects others", "[io]") {
    TempFolder folder;
    SECTION("writable folder: accepted, and the probe file is gone") {
        CHECK_NOTHROW(check_output_writable(folder.file("out.h5")));
        CHECK(folder.entries().empty());
    }
    SECTION("missing folder") {
        const std::string path = folder.file("nope/out.h5");
        CHECK_THROWS_WITH(check_output_writable(path), Catch::Matchers::Contains("'" + path + "'") &&
                                                           Catch::Matchers::Contains("does not exist"));
    }
    SECTION("the output path is a folder") {
        CHECK_THROWS_WITH(check_output_writable(folder.path().string()), Catch::Matchers::Contains("is a folder"));
    }
    SECTION("the parent is a file") {
        std::ofstream(folder.file("plain")) << "x";
        CHECK_THROWS_WITH(check_output_writable(folder.file("plain/out.h5")),
                          Catch::Matchers::Contains("is not a folder"));
    }
    SECTION("read-only folder") {
        if (::geteuid() == 0) {
            // root ignores permission bits; the /proc case below still runs.
            WARN("running as root: the chmod-based read-only case is skipped");
        } else {
            const fs::path locked = folder.path() / "locked";
            fs::create_directory(locked);
            fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
            const std::string path = (locked / "out.h5").string();
            CHECK_THROWS_WITH(check_output_writable(path), Catch::Matchers::Contains("'" + path + "'") &&
                                                               Catch::Matchers::Contains("cannot create a file"));
            fs::permissions(locked, fs::perms::owner_all);
        }
#ifdef __linux__
        // Not writable even for root.
        CHECK_THROWS_WITH(check_output_writable("/proc/demat-out.h5"),
                          Catch::Matchers::Contains("'/proc/demat-out.h5'") &&
                              Catch::Matchers::Contains("cannot create a file"));
#endif
    }
}

// Hidden: run by CTest before tests/io/check_xarray.py (FIXTURES_SETUP), which
// opens this file with xarray and checks dimension names and values
// against the same count_value() formula.
TEST_CASE("write the xarray fixture", "[.][fixture]") {
    // 5 days and 5 quintiles on purpose: equal lengths, so a reader that
    // guessed dimensions from sizes instead of the attached scales would
    // mix them up.
    const Results results = run_like_results(5);
    const std::string path = std::string(DEMAT_BINARY_DIR) + "/tests/io_fixture.h5";
    write_hdf5(results, path);
    require_identical(results, read_hdf5(path));
}
