// The datasets of why people fail, who helps them and who is discouraged
// (docs/output.md "Reasons", "Identity", "Help", "Self-efficacy"), written by
// a real run: int64, the shapes and dimension scales docs/output.md names,
// and the values of the engine's Results.
#include "io/hdf5_writer.hpp"

#include "../core/engine_fixtures.hpp"
#include "core/engine.hpp"
#include "core/executor.hpp"
#include "core/metrics.hpp"
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

struct Expected {
    std::string path;
    std::vector<std::string> scales;  // one per axis, slowest first
    std::vector<hsize_t> extent;
};

}  // namespace

TEST_CASE("reasons, identity, help and self-efficacy datasets have the layout of docs/output.md", "[io]") {
    const std::size_t days = 20;
    Scenario sc = test::small_scenario(2000, static_cast<int>(days));
    sc.warmup_days = 10;
    SerialExecutor ex;
    Engine engine(sc, ex);
    engine.run();
    const Results results = engine.results();
    const fs::path path = fs::temp_directory_path() / ("demat-tally-layout-" + std::to_string(::getpid()) + ".h5");
    write_hdf5(results, path.string());

    const hsize_t D = days, S = sc.services.size(), R = reason_count, I = tally_index::identity_count;
    const hsize_t HS = help_source_count, HO = help_outcome_count, E = tally_index::efficacy_count;
    std::vector<Expected> expected = {
        {"/reasons/failures", {"/day", "/service", "/reason"}, {D, S, R}},
        {"/reasons/abandonments", {"/day", "/service", "/reason"}, {D, S, R}},
        {"/metrics/identity_attempts", {"/day", "/service"}, {D, S}},
        {"/metrics/identity_first_successes", {"/day", "/service"}, {D, S}},
        {"/help/requests", {"/day", "/service", "/help/source", "/help/outcome"}, {D, S, HS, HO}},
        {"/self_efficacy/declines", {"/day", "/service", "/self_efficacy/measure"}, {D, S, E}},
    };
    for (int di = 0; di < dimension_count; ++di) {
        // agency_contact is written only when a service names an agency (docs/model.md 6.15).
        if (!dimension_in_output(di, false)) continue;
        const DimensionInfo& info = dimensions()[static_cast<std::size_t>(di)];
        const hsize_t G = info.groups.size();
        const std::string r = "/reasons/segments/" + info.name, i = "/identity/segments/" + info.name,
                          h = "/help/segments/" + info.name, e = "/self_efficacy/segments/" + info.name;
        expected.push_back({r + "/failures", {"/day", "/service", r + "/group", "/reason"}, {D, S, G, R}});
        expected.push_back({r + "/abandonments", {"/day", "/service", r + "/group", "/reason"}, {D, S, G, R}});
        expected.push_back({i + "/steps", {"/day", "/service", i + "/group", "/identity/measure"}, {D, S, G, I}});
        expected.push_back(
            {h + "/requests", {"/day", "/service", h + "/group", "/help/source", "/help/outcome"}, {D, S, G, HS, HO}});
        expected.push_back({e + "/declines", {"/day", "/service", e + "/group", "/self_efficacy/measure"}, {D, S, G, E}});
    }

    const hid_t file = H5Fopen(path.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    for (const Expected& x : expected) {
        INFO(x.path);
        const hid_t dataset = H5Dopen2(file, x.path.c_str(), H5P_DEFAULT);
        REQUIRE(dataset >= 0);
        const hid_t type = H5Dget_type(dataset);
        CHECK(H5Tequal(type, H5T_STD_I64LE) > 0);
        H5Tclose(type);
        const hid_t space = H5Dget_space(dataset);
        std::vector<hsize_t> extent(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
        H5Sget_simple_extent_dims(space, extent.data(), nullptr);
        H5Sclose(space);
        CHECK(extent == x.extent);
        for (std::size_t axis = 0; axis < x.scales.size(); ++axis) {
            INFO("axis " << axis << ": " << x.scales[axis]);
            const hid_t scale = H5Dopen2(file, x.scales[axis].c_str(), H5P_DEFAULT);
            REQUIRE(scale >= 0);
            CHECK(H5DSis_scale(scale) > 0);
            CHECK(H5DSis_attached(dataset, scale, static_cast<unsigned>(axis)) > 0);
            H5Dclose(scale);
        }
        // The values are the engine's.
        std::vector<std::int64_t> values(results.array(x.path.substr(1)).size());
        REQUIRE(H5Dread(dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
        CHECK(values == results.array(x.path.substr(1)).integers());
        H5Dclose(dataset);
    }
    H5Fclose(file);
    fs::remove(path);
}
