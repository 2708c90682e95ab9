// demat._core: the private extension under the pure-Python package `demat`.
#include "register.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "demat's C++ engine (private: use the `demat` package)";
    m.attr("__version__") = DEMAT_VERSION;
    demat::python::register_errors(m);  // first: the other parts raise them
    demat::python::register_scenario(m);
    demat::python::register_results(m);
    demat::python::register_simulation(m);
    demat::python::register_sweep(m);
}
