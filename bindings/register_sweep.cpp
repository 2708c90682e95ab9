// Ensembles and sweeps: the plan (child seeds, changes per run) and the
// gathering of finished runs into one Results. Running the plan is Python's
// job (demat/_ensemble.py), so that runs spread over threads.
#include "register.hpp"

#include "sweep/sweep.hpp"

#include <pybind11/stl.h>

#include <memory>

namespace py = pybind11;

namespace demat::python {

namespace {

std::vector<SweepAxis> to_axes(const std::vector<std::pair<std::string, std::vector<ParameterValue>>>& axes) {
    std::vector<SweepAxis> out;
    for (const auto& [key, values] : axes) out.push_back({key, values});
    return out;
}

}  // namespace

void register_sweep(py::module_& m) {
    m.def("child_seed", &child_seed, py::arg("root"), py::arg("index"),
          "Seed of replicate `index` under root seed `root` (SplitMix64, 63 bits)");

    py::class_<PlannedRun>(m, "PlannedRun")
        .def_readonly("point", &PlannedRun::point)
        .def_readonly("replicate", &PlannedRun::replicate)
        .def_readonly("seed", &PlannedRun::seed)
        .def_property_readonly("changes", [](const PlannedRun& r) {
            std::vector<std::pair<std::string, ParameterValue>> out;
            for (const auto& c : r.changes) out.emplace_back(c.key, c.value);
            return out;
        });

    m.def(
        "plan_sweep",
        [](std::uint64_t root, const std::vector<std::pair<std::string, std::vector<ParameterValue>>>& axes,
           std::size_t replicates) { return plan_sweep(root, to_axes(axes), replicates); },
        py::arg("root_seed"), py::arg("axes"), py::arg("replicates"));
    m.def("planned_scenario", &planned_scenario, py::arg("base"), py::arg("run"));
    m.def(
        "combine_runs",
        [](const Scenario& base, std::uint64_t root,
           const std::vector<std::pair<std::string, std::vector<ParameterValue>>>& axes,
           const std::vector<PlannedRun>& plan, const std::vector<std::shared_ptr<Results>>& runs,
           const std::vector<std::string>& errors) {
            // A failed run comes as None with its error in `errors`.
            std::vector<Results> copies;
            copies.reserve(runs.size());
            for (const auto& r : runs) copies.push_back(r ? *r : Results{});
            py::gil_scoped_release nogil;
            return std::make_shared<Results>(combine_runs(base, root, to_axes(axes), plan, copies, errors));
        },
        py::arg("base"), py::arg("root_seed"), py::arg("axes"), py::arg("plan"), py::arg("runs"),
        py::arg("errors") = std::vector<std::string>{});
}

}  // namespace demat::python
