// The table `demat compare A.h5 B.h5` prints.
#pragma once

#include "core/compare.hpp"

#include <cstdint>
#include <ostream>
#include <string>

namespace demat {

// What a file holds, so that every figure names its measure: the number of
// citizens and of recorded days of its runs (-1 when the file does not say).
struct ComparedFile {
    std::string name;
    std::int64_t citizens = -1;
    std::int64_t recorded_days = -1;
};

void print_comparison(std::ostream& out, const Comparison& c, const ComparedFile& a, const ComparedFile& b);

}  // namespace demat
