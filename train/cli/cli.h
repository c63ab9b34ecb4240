// The `heed` command line: one function per subcommand, and the shared option handling
// (Boost.Program_options, INI config files, --dump-config, one-line errors).
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace heed::cli {

namespace po = boost::program_options;

// A user error (bad option, bad input file): printed as one line, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses args (without the program and command names) against `options`, then a --config INI
// file if one was given (command line wins). Handles --help (returns false after printing
// usage) and --dump-config (prints the effective configuration as INI, returns false).
bool parse(const std::string& command, const std::string& usage, const po::options_description& options,
           const std::vector<std::string>& args, po::variables_map& vm, bool config_is_file = true);

// The options every command has: --help, --config, --dump-config.
po::options_description common_options();

int run_train(const std::vector<std::string>& args, bool finetune);
int run_eval(const std::vector<std::string>& args);
int run_translate(const std::vector<std::string>& args);
int run_score(const std::vector<std::string>& args);
int run_data(const std::vector<std::string>& args);
int run_gradcheck(const std::vector<std::string>& args);
int run_bench(const std::vector<std::string>& args);

}  // namespace heed::cli
