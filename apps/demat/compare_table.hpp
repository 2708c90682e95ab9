// The table `demat compare A.h5 B.h5` prints.
#pragma once

#include "core/compare.hpp"

#include <ostream>
#include <string>

namespace demat {

void print_comparison(std::ostream& out, const Comparison& c, const std::string& a_name, const std::string& b_name);

}  // namespace demat
