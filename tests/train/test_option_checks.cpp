// The command line's shared option checks: range errors name the option, the value as typed
// and the allowed range; INI booleans mean their value; defaults shown as a person writes them;
// --threads capped.
#include <gtest/gtest.h>

#include <sstream>

#include "train/cli/option_checks.h"

namespace heed::cli {
namespace {

po::variables_map parse_args(const po::options_description& options, std::vector<std::string> args) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  return vm;
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(OptionChecks, IntegerErrorsNameOptionValueAndRange) {
  po::options_description o;
  o.add_options()("batch-size", po::value<long long>())("wrapped", po::value<std::size_t>())("n", po::value<int>());
  const po::variables_map vm = parse_args(o, {"--batch-size", "-8", "--wrapped", "-8", "--n", "7"});
  EXPECT_EQ(usage_error([&] { checked_int(vm, "batch-size", 1); }), "--batch-size -8 is out of range: must be >= 1");
  // Boost wraps "-8" into a size_t; the message shows what was typed.
  EXPECT_EQ(usage_error([&] { checked_int(vm, "wrapped", 0); }), "--wrapped -8 is out of range: must be >= 0");
  EXPECT_EQ(usage_error([&] { checked_int(vm, "n", 1, 5); }), "--n 7 is out of range: must be in [1, 5]");
  EXPECT_EQ(checked_int(vm, "n", 1), 7);
}

TEST(OptionChecks, RealErrorsRefuseNanAndInfinity) {
  po::options_description o;
  o.add_options()("lr", po::value<double>())("clip", po::value<double>())("smoothing", po::value<double>());
  const po::variables_map vm = parse_args(o, {"--lr", "nan", "--clip", "inf", "--smoothing", "1"});
  EXPECT_EQ(usage_error([&] { checked_real(vm, "lr", above(0)); }), "--lr nan is out of range: must be > 0");
  EXPECT_EQ(usage_error([&] { checked_real(vm, "clip", at_least(0)); }), "--clip inf is out of range: must be >= 0");
  EXPECT_EQ(usage_error([&] { checked_real(vm, "smoothing", from_to(0, 1, true)); }),
            "--smoothing 1 is out of range: must be in [0, 1)");
  EXPECT_EQ(checked_real(vm, "smoothing", from_to(0, 1)), 1.0);
}

TEST(OptionChecks, IniBooleansMeanTheirValue) {
  po::options_description o;
  o.add_options()("quiet", flag(), "");
  for (const auto& [text, meaning] : std::vector<std::pair<std::string, bool>>{
           {"false", false}, {"0", false}, {"no", false}, {"off", false},
           {"true", true}, {"1", true}, {"yes", true}, {"on", true}}) {
    std::istringstream ini("quiet = " + text + "\n");
    po::variables_map vm;
    po::store(po::parse_config_file(ini, o), vm);
    EXPECT_EQ(vm["quiet"].as<bool>(), meaning) << text;
  }
  EXPECT_TRUE(parse_args(o, {"--quiet"})["quiet"].as<bool>());
  EXPECT_FALSE(parse_args(o, {})["quiet"].as<bool>());
}

TEST(OptionChecks, HelpShowsDefaultsAsAPersonWritesThem) {
  po::options_description o;
  o.add_options()("momentum", real_value(0.9), "")("smoothing", real_value(0.1), "")("norm-first", bool_value(true), "");
  std::ostringstream help;
  help << o;
  EXPECT_NE(help.str().find("(=0.9)"), std::string::npos) << help.str();
  EXPECT_NE(help.str().find("(=0.1)"), std::string::npos) << help.str();
  EXPECT_NE(help.str().find("(=true)"), std::string::npos) << help.str();
}

TEST(ProcessSetup, ThreadsAreCappedAtFourPerCore) {
  EXPECT_EQ(capped_threads(10000, 2), 8);
  EXPECT_EQ(capped_threads(3, 2), 3);
  EXPECT_EQ(capped_threads(0, 2), 0);  // 0 = all cores
  EXPECT_EQ(capped_threads(9, 0), 4);  // core count unknown: counted as one
}

}  // namespace
}  // namespace heed::cli
