// The `heed` command line: each subcommand parses its options into a Command (what the process
// needs, and the work to run); main() then sets the process up once and runs it. Shared option
// handling: Boost.Program_options, INI config files, --dump-config, one-line errors.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "checkpoints/checkpoint_file.h"
#include "train/cli/process.h"

namespace heed::cli {

namespace po = boost::program_options;

// A user error (bad option, bad input file): printed as one line, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A parsed command. An empty `run` means there is nothing to run (--help, --dump-config printed).
struct Command {
  ProcessSetup process;
  std::function<int()> run;
};

// Parses args (without the program and command names) against `options`, then a --config INI
// file if one was given (command line wins; a directory or a bad line is a one-line error naming
// the file). Handles --help (returns false after printing
// usage) and --dump-config (prints the effective configuration as INI, returns false).
// Positional arguments are refused: every input is named by an option.
// before_dump, when given, may replace values that the command would not use (a resumed run's
// model options are its checkpoint's) before --dump-config prints them; it returns comment lines.
using BeforeDump = std::function<std::string(po::variables_map&)>;
bool parse(const std::string& command, const std::string& usage, const po::options_description& options,
           const std::vector<std::string>& args, po::variables_map& vm, const BeforeDump& before_dump = {});

// The options in `vm` that --dump-config prints, typed as checkpoints store them (numbers as
// numbers, the rest as its text): a run records them in /train/options.
std::map<std::string, AttrValue> effective_options(const po::variables_map& vm);

// The options every command has: --help, --config, --dump-config.
po::options_description common_options();

Command parse_train(const std::vector<std::string>& args, bool finetune);
Command parse_eval(const std::vector<std::string>& args);
Command parse_translate(const std::vector<std::string>& args);
Command parse_generate(const std::vector<std::string>& args);
Command parse_score(const std::vector<std::string>& args);
Command parse_average(const std::vector<std::string>& args);
Command parse_data(const std::vector<std::string>& args);
Command parse_gradcheck(const std::vector<std::string>& args);
Command parse_bench(const std::vector<std::string>& args);
Command parse_attention(const std::vector<std::string>& args);
Command parse_plot(const std::vector<std::string>& args);
Command parse_explain(const std::vector<std::string>& args);

}  // namespace heed::cli
