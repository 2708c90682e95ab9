// demat_params_doc: prints the parameter table, or rewrites the table between
// the markers of a Markdown file (docs/model.md) in place.
//
//   demat_params_doc                         print the Markdown table
//   demat_params_doc --write-docs FILE       update FILE's "Parameters" section
#include "scenario/schema.hpp"

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

int main(int argc, char** argv) {
    try {
        const std::string usage = "usage: demat_params_doc [--write-docs FILE]\n";
        if (argc == 1) {
            std::cout << demat::parameter_table_markdown();
            return 0;
        }
        if (argc != 3 || std::string(argv[1]) != "--write-docs") {
            std::cerr << usage;
            return 2;
        }
        const std::string path = argv[2];
        std::string current;
        if (std::ifstream in(path, std::ios::binary); in) {
            std::ostringstream buffer;
            buffer << in.rdbuf();
            current = buffer.str();
        }  // a missing file is created with the section alone
        const std::string updated = demat::update_parameter_section(current);
        if (updated == current) {
            std::cout << path << ": parameter table already up to date\n";
            return 0;
        }
        // Write beside and rename, so an interrupted run never leaves half a file.
        const std::string temporary = path + ".tmp";
        {
            std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
            out << updated;
            if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
        }
        if (std::rename(temporary.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot replace " + path);
        std::cout << path << ": parameter table updated\n";
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "demat_params_doc: " << error.what() << "\n";
        return 1;
    }
}
