// The one mapping from demat::Error kinds (core/error.hpp) to Python
// exceptions. Each class also derives from the built-in exception a Python
// user expects for it (ValueError for bad input, OSError for a refused
// write, RuntimeError for misuse or a broken invariant), so that
// `except ValueError` keeps working, and all from demat.Error.
#include "register.hpp"

#include "core/error.hpp"

#include <string>

namespace py = pybind11;

namespace demat::python {

namespace {

struct PythonErrors {
    PyObject* base = nullptr;
    PyObject* scenario = nullptr;
    PyObject* results = nullptr;
    PyObject* checkpoint = nullptr;
    PyObject* write = nullptr;
    PyObject* checkpoint_write = nullptr;
    PyObject* disk_full = nullptr;
    PyObject* simulation = nullptr;
    PyObject* internal = nullptr;
};

PythonErrors errors;

PyObject* new_class(py::module_& m, const char* name, std::initializer_list<PyObject*> bases, const char* doc) {
    py::tuple tuple(bases.size());
    std::size_t i = 0;
    for (PyObject* b : bases) tuple[i++] = py::reinterpret_borrow<py::object>(b);
    PyObject* cls = PyErr_NewExceptionWithDoc((std::string("demat.") + name).c_str(), doc, tuple.ptr(), nullptr);
    if (!cls) throw py::error_already_set();
    m.add_object(name, py::reinterpret_borrow<py::object>(cls));
    return cls;
}

PyObject* class_of(const Error& e) {
    switch (e.kind()) {
    case ErrorKind::scenario: return errors.scenario;
    case ErrorKind::results_file: return errors.results;
    case ErrorKind::checkpoint: return errors.checkpoint;
    case ErrorKind::io:
        if (dynamic_cast<const DiskFullError*>(&e)) return errors.disk_full;
        if (dynamic_cast<const CheckpointWriteError*>(&e)) return errors.checkpoint_write;
        return errors.write;
    case ErrorKind::usage: return errors.simulation;
    case ErrorKind::internal: return errors.internal;
    }
    return errors.internal;
}

}  // namespace

void register_errors(py::module_& m) {
    errors.base = new_class(m, "Error", {PyExc_Exception}, "Base class of every error demat raises on purpose.");
    errors.scenario = new_class(m, "ScenarioError", {errors.base, PyExc_ValueError},
                                "A scenario that is not valid; .file, .line and .key say where.");
    errors.results = new_class(m, "ResultsError", {errors.base, PyExc_ValueError},
                               "A file that is not a readable demat results file.");
    errors.checkpoint = new_class(m, "CheckpointError", {errors.base, PyExc_ValueError},
                                  "A file that is not a usable checkpoint.");
    errors.write = new_class(m, "WriteError", {errors.base, PyExc_OSError}, "A write the machine refused.");
    errors.checkpoint_write =
        new_class(m, "CheckpointWriteError", {errors.write}, "A checkpoint that could not be written.");
    errors.disk_full = new_class(m, "DiskFullError", {errors.write}, "No space left on the device written to.");
    errors.simulation = new_class(m, "SimulationError", {errors.base, PyExc_RuntimeError},
                                  "A Simulation used out of order (results before the run, a busy simulation...).");
    errors.internal = new_class(m, "InternalError", {errors.base, PyExc_RuntimeError},
                                "A broken invariant of demat itself: please report it.");

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Error& e) {
            PyObject* cls = class_of(e);
            py::object instance = py::reinterpret_borrow<py::object>(cls)(e.what());
            instance.attr("detail") = e.detail();
            if (const auto* s = dynamic_cast<const ScenarioError*>(&e)) {
                instance.attr("file") = s->file();
                instance.attr("line") = s->line();
                instance.attr("key") = s->key();
            }
            if (const auto* r = dynamic_cast<const ResultsFileError*>(&e)) instance.attr("path") = r->path();
            if (const auto* d = dynamic_cast<const DiskFullError*>(&e)) instance.attr("path") = d->path();
            PyErr_SetObject(cls, instance.ptr());
        }
    });
}

}  // namespace demat::python
