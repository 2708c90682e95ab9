// Results: numpy views over the engine's arrays (no copy), HDF5 save and load,
// and the run summary.
#include "register.hpp"

#include "core/results.hpp"
#include "core/summary.hpp"
#include "core/error.hpp"
#include "io/hdf5_writer.hpp"
#include "io/results_bytes.hpp"
#include "io/results_file.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <string_view>

namespace py = pybind11;

namespace demat::python {

namespace {

using ResultsPtr = std::shared_ptr<Results>;

// A read-only array over `data`, kept alive by a capsule holding the Results:
// the view outlives the Python object it came from.
template <class T>
py::array view(const ResultsPtr& owner, const T* data, const std::vector<std::size_t>& shape) {
    std::vector<py::ssize_t> extents(shape.begin(), shape.end());
    std::vector<py::ssize_t> strides(shape.size());
    py::ssize_t stride = static_cast<py::ssize_t>(sizeof(T));
    for (std::size_t i = shape.size(); i-- > 0;) {
        strides[i] = stride;
        stride *= extents[i];
    }
    py::capsule keep(new ResultsPtr(owner), [](void* p) { delete static_cast<ResultsPtr*>(p); });
    py::array out(py::dtype::of<T>(), extents, strides, data, keep);
    // Shared with every other view and with save(): writes would change them all.
    py::detail::array_proxy(out.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return out;
}

py::object attribute_value(const AttributeValue& v) {
    return std::visit([](const auto& x) -> py::object { return py::cast(x); }, v);
}

py::dict service_summary(const ServiceSummary& s) {
    py::dict d;
    d["service"] = s.service;
    py::dict counts;
    for (std::size_t i = 0; i < s.counts.size(); ++i) counts[py::str(state_names()[i])] = s.counts[i];
    d["counts"] = counts;
    d["take_up_rate"] = s.take_up_rate;
    d["take_up_by_capital"] = std::vector<double>(s.take_up_by_capital.begin(), s.take_up_by_capital.end());
    d["divide_index"] = s.divide_index;
    d["concentration_index"] = s.concentration_index;
    d["unclaimed_euros_per_year"] = s.unclaimed_euros_per_year;
    d["mean_time_to_right_days"] = s.mean_time_to_right_days;
    d["autonomy_share"] = s.autonomy_share;  // without answers to document requests
    d["answer_autonomy_share"] = s.answer_autonomy_share;
    return d;
}

}  // namespace

void register_results(py::module_& m) {
    py::class_<Results, ResultsPtr>(m, "Results")
        .def_static(
            // A file from anywhere: read in a child process, layout checked (io/results_file.hpp).
            "load", [](const std::string& path) { return std::make_shared<Results>(read_results_file(path)); },
            py::arg("path"), py::call_guard<py::gil_scoped_release>())
        .def(
            "save", [](const Results& r, const std::string& path) { write_hdf5(r, path); }, py::arg("path"),
            py::call_guard<py::gil_scoped_release>())
        // The results as one flat byte string (a copy, no HDF5): how a run's
        // results travel from the worker that ran it (demat._distributed).
        .def("to_bytes",
             [](const Results& r) {
                 std::string packed;
                 {
                     py::gil_scoped_release nogil;
                     packed = pack_results(r);
                 }
                 return py::bytes(packed);
             })
        .def_static(
            "from_bytes",
            [](const py::bytes& data) {
                const std::string_view view = data;
                py::gil_scoped_release nogil;
                return std::make_shared<Results>(unpack_results(view));
            },
            py::arg("data"))
        .def_property_readonly("attributes",
                               [](const Results& r) {
                                   py::dict d;
                                   for (const auto& [k, v] : r.attributes) d[py::str(k)] = attribute_value(v);
                                   return d;
                               })
        .def_property_readonly("coordinate_paths",
                               [](const Results& r) {
                                   std::vector<std::string> paths;
                                   for (const auto& c : r.coordinates) paths.push_back(c.path);
                                   return paths;
                               })
        .def_property_readonly("array_paths",
                               [](const Results& r) {
                                   std::vector<std::string> paths;
                                   for (const auto& a : r.arrays) paths.push_back(a.path);
                                   return paths;
                               })
        .def(
            "coordinate",
            [](const ResultsPtr& r, const std::string& path) -> py::object {
                const Coordinate& c = r->coordinate(path);
                if (c.is_text()) return py::cast(c.labels);
                return view(r, c.values.data(), {c.values.size()});
            },
            py::arg("path"), "String labels as a list, integer values as a read-only int64 array")
        .def("coordinate_description",
             [](const Results& r, const std::string& path) { return r.coordinate(path).description; })
        .def(
            "array",
            [](const ResultsPtr& r, const std::string& path) -> py::array {
                const Array& a = r->array(path);
                if (a.is_integer()) return view(r, a.integers().data(), a.shape);
                return view(r, a.reals().data(), a.shape);
            },
            py::arg("path"), "A read-only numpy view (no copy) of the array")
        .def("dims", [](const Results& r, const std::string& path) { return r.array(path).dims; })
        .def("description", [](const Results& r, const std::string& path) { return r.array(path).description; })
        .def("unit", [](const Results& r, const std::string& path) { return r.array(path).unit; })
        .def("summary", [](const Results& r) {
            const RunSummary s = summarise(r);
            py::dict d;
            d["recorded_days"] = s.recorded_days;
            py::list services;
            for (const auto& service : s.services) services.append(service_summary(service));
            d["services"] = services;
            if (s.control) {
                const ControlSummary& c = *s.control;
                py::dict control;
                control["controls"] = c.controls;
                control["errors_found"] = c.errors_found;
                control["suspensions"] = c.suspensions;
                control["wrongful_suspensions"] = c.wrongful_suspensions;
                control["control_rate_per_1000"] = py::cast(c.control_rate_per_1000);
                control["over_control_index"] = py::cast(c.over_control_index);
                control["wrongful_suspension_per_1000"] = py::cast(c.wrongful_suspension_per_1000);
                control["precision"] = c.precision;
                control["random_precision"] = c.random_precision;
                d["control"] = control;
            }
            return d;
        });
}

}  // namespace demat::python
