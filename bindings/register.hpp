// One register_* function per part of the API; module.cpp only dispatches.
#pragma once

#include <pybind11/pybind11.h>

namespace demat::python {

void register_errors(pybind11::module_& m);
void register_scenario(pybind11::module_& m);
void register_results(pybind11::module_& m);
void register_simulation(pybind11::module_& m);
void register_sweep(pybind11::module_& m);

}  // namespace demat::python
