// The per-citizen snapshot under /snapshot: read back with the HDF5 C API,
// its values are the engine's, chunk after chunk, and every dataset is
// chunked and compressed.
#include "io/hdf5_writer.hpp"

#include "../core/engine_fixtures.hpp"
#include "core/engine.hpp"
#include "core/executor.hpp"
#include "core/snapshot.hpp"
#include "core/segments.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace demat;

namespace {

// Reads a whole dataset in its memory type T.
template <typename T>
std::vector<T> read_all(hid_t file, const std::string& path, hid_t memory_type, std::vector<hsize_t>* shape) {
    const hid_t dataset = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
    REQUIRE(dataset >= 0);
    const hid_t space = H5Dget_space(dataset);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> extent(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space, extent.data(), nullptr);
    hsize_t total = 1;
    for (hsize_t e : extent) total *= e;
    std::vector<T> values(total);
    REQUIRE(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
    H5Sclose(space);
    H5Dclose(dataset);
    if (shape) *shape = extent;
    return values;
}

struct Storage {
    bool chunked = false;
    std::vector<hsize_t> chunk;
    bool shuffle = false;
    bool deflate = false;
    hsize_t stored_bytes = 0;
    std::size_t element_bytes = 0;
    std::size_t scales_on_axis0 = 0;
};

Storage storage_of(hid_t file, const std::string& path) {
    Storage s;
    const hid_t dataset = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
    REQUIRE(dataset >= 0);
    const hid_t plist = H5Dget_create_plist(dataset);
    s.chunked = H5Pget_layout(plist) == H5D_CHUNKED;
    if (s.chunked) {
        s.chunk.resize(2);
        const int rank = H5Pget_chunk(plist, 2, s.chunk.data());
        s.chunk.resize(static_cast<std::size_t>(rank));
    }
    const int filters = H5Pget_nfilters(plist);
    for (int i = 0; i < filters; ++i) {
        unsigned flags = 0;
        std::size_t elements = 0;
        const H5Z_filter_t filter = H5Pget_filter2(plist, static_cast<unsigned>(i), &flags, &elements, nullptr, 0,
                                                   nullptr, nullptr);
        s.shuffle = s.shuffle || filter == H5Z_FILTER_SHUFFLE;
        s.deflate = s.deflate || filter == H5Z_FILTER_DEFLATE;
    }
    s.stored_bytes = H5Dget_storage_size(dataset);
    const hid_t type = H5Dget_type(dataset);
    s.element_bytes = H5Tget_size(type);
    s.scales_on_axis0 = static_cast<std::size_t>(H5DSget_num_scales(dataset, 0));
    H5Tclose(type);
    H5Pclose(plist);
    H5Dclose(dataset);
    return s;
}

}  // namespace

TEST_CASE("the snapshot holds the engine's final values, chunked and compressed", "[io][snapshot]") {
    // More citizens than one chunk (65536), so that a chunk boundary is crossed.
    Scenario sc = test::small_scenario(70000, 20);
    SerialExecutor executor;
    Engine engine(sc, executor);
    engine.run();
    const Results results = engine.results();
    const Snapshot snapshot = make_snapshot(engine);
    const std::size_t n = engine.population().size();
    const int services = static_cast<int>(sc.services.size());
    REQUIRE(snapshot.citizens == n);

    const fs::path path = fs::temp_directory_path() / ("demat-snapshot-" + std::to_string(::getpid()) + ".h5");
    write_hdf5(results, path.string(), &snapshot);
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);

    std::vector<hsize_t> shape;
    const auto citizen = read_all<std::uint32_t>(file, "/snapshot/citizen", H5T_NATIVE_UINT32, &shape);
    REQUIRE(shape == std::vector<hsize_t>{n});
    for (std::size_t c = 0; c < n; ++c) REQUIRE(citizen[c] == c);

    const auto age = read_all<std::uint8_t>(file, "/snapshot/age", H5T_NATIVE_UINT8, nullptr);
    const auto quintile = read_all<std::uint8_t>(file, "/snapshot/capital_quintile", H5T_NATIVE_UINT8, nullptr);
    const auto territory = read_all<std::uint8_t>(file, "/snapshot/territory", H5T_NATIVE_UINT8, nullptr);
    const auto degree = read_all<std::uint32_t>(file, "/snapshot/degree", H5T_NATIVE_UINT32, nullptr);
    const auto trust = read_all<float>(file, "/snapshot/trust", H5T_NATIVE_FLOAT, nullptr);
    const auto helps = read_all<std::uint16_t>(file, "/snapshot/helps_given", H5T_NATIVE_UINT16, nullptr);
    const auto state = read_all<std::uint8_t>(file, "/snapshot/claim_state", H5T_NATIVE_UINT8, &shape);
    REQUIRE(shape == std::vector<hsize_t>{n, static_cast<hsize_t>(services)});
    const auto channel = read_all<std::uint8_t>(file, "/snapshot/channel", H5T_NATIVE_UINT8, nullptr);
    const Population& p = engine.population();
    std::size_t mismatches = 0, receiving = 0, helpers = 0;
    for (std::size_t c = 0; c < n; ++c) {
        mismatches += age[c] != p.age[c];
        mismatches += quintile[c] != engine.capital_quintile(c);
        mismatches += territory[c] != static_cast<std::uint8_t>(p.zones[p.zone_of(c)].type);
        mismatches += degree[c] != engine.network().degree(static_cast<std::uint32_t>(c));
        mismatches += trust[c] != p.trust[c];  // bit for bit: written as float
        mismatches += helps[c] != engine.helps_given(c);
        helpers += helps[c] > 0;
        for (int s = 0; s < services; ++s) {
            const std::size_t i = c * static_cast<std::size_t>(services) + static_cast<std::size_t>(s);
            mismatches += state[i] != static_cast<std::uint8_t>(engine.claim(c, s).state);
            mismatches += channel[i] != static_cast<std::uint8_t>(engine.claim(c, s).channel);
            receiving += engine.claim(c, s).state == ClaimState::receiving;
        }
    }
    CHECK(mismatches == 0);
    // The run did something worth checking: claims in several states, helpers.
    CHECK(receiving > n / 20);
    CHECK(helpers > 0);

    for (const SnapshotField& field : snapshot.fields) {
        INFO(field.name);
        const Storage s = storage_of(file, "/snapshot/" + field.name);
        CHECK(s.chunked);
        CHECK(s.shuffle);
        CHECK(s.deflate);
        REQUIRE(!s.chunk.empty());
        CHECK(s.chunk[0] == 65536);
        CHECK(s.chunk.size() == (field.per_service ? 2u : 1u));
        CHECK(s.element_bytes == snapshot_type_bytes(field.type));
        CHECK(s.scales_on_axis0 == 1);
        const std::size_t raw = n * (field.per_service ? static_cast<std::size_t>(services) : 1) * s.element_bytes;
        // Codes compress: the claim states of three services, the territory.
        if (!field.labels.empty()) CHECK(s.stored_bytes < raw / 2);
    }

    // Coded fields name their codes (CF flag_meanings).
    const hid_t states = H5Dopen2(file, "/snapshot/claim_state", H5P_DEFAULT);
    CHECK(H5Aexists(states, "flag_meanings") > 0);
    CHECK(H5Aexists(states, "flag_values") > 0);
    H5Dclose(states);
    H5Fclose(file);

    // The aggregate reader ignores the snapshot: same results as without it.
    const Results back = read_hdf5(path.string());
    CHECK(back.arrays.size() == results.arrays.size());
    CHECK(back.coordinates.size() == results.coordinates.size());
    fs::remove(path);
}
