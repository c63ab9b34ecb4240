// Shared option parsing: config files, --dump-config, --help.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "train/cli/cli.h"
#include "train/cli/option_checks.h"

namespace heed::cli {

po::options_description common_options() {
  po::options_description o("General");
  o.add_options()("help,h", "show this help and exit")(
      "config", po::value<std::string>(), "read options from an INI file (key = value, keys as the long option names; on/off options "
      "take true|false, yes|no, 1|0); the command line wins")(
      "dump-config", "print the effective configuration as INI and exit");
  return o;
}

namespace {

// The value of an option as text, for --dump-config.
std::string value_text(const po::variable_value& v) {
  const auto& any = v.value();
  if (const auto* s = boost::any_cast<std::string>(&any)) return *s;
  if (const auto* i = boost::any_cast<int>(&any)) return std::to_string(*i);
  if (const auto* l = boost::any_cast<long long>(&any)) return std::to_string(*l);
  if (const auto* z = boost::any_cast<std::size_t>(&any)) return std::to_string(*z);
  if (const auto* u = boost::any_cast<unsigned>(&any)) return std::to_string(*u);
  if (const auto* ull = boost::any_cast<unsigned long long>(&any)) return std::to_string(*ull);
  if (const auto* list = boost::any_cast<std::vector<std::string>>(&any)) {
    std::string joined;  // a repeatable option (--freeze): its values, space-separated
    for (const std::string& item : *list) joined += (joined.empty() ? "" : " ") + item;
    return joined;
  }
  if (const auto* d = boost::any_cast<double>(&any)) return format_number(*d);
  if (const auto* b = boost::any_cast<bool>(&any)) return *b ? "true" : "false";
  return "?";
}

// What --dump-config prints and checkpoints record: every option with a value, but not the
// one-shot actions.
bool is_setting(const std::string& name, const po::variable_value& value) {
  return name != "dump-config" && name != "config" && name != "help" && name != "overwrite" && !value.empty();
}

// Boost.Program_options (1.74) builds its error messages by replacing placeholders such as
// %value% or %invalid_line% for as long as one occurs, so a user's text holding one never ends
// the loop (fuzz/findings/README.md). Any %name% of Boost's form (lower case letters and '_') is
// refused before Boost sees the text: its list of placeholders is not public.
void refuse_placeholders(const std::string& text, const std::string& where) {
  for (std::size_t open = text.find('%'); open != std::string::npos; open = text.find('%', open + 1)) {
    std::size_t end = open + 1;
    while (end < text.size() && ((text[end] >= 'a' && text[end] <= 'z') || text[end] == '_')) ++end;
    if (end > open + 1 && end < text.size() && text[end] == '%')
      throw UsageError(where + ": '" + text.substr(open, end - open + 1) + "' cannot be used in an option or its value");
  }
}

}  // namespace

std::map<std::string, AttrValue> effective_options(const po::variables_map& vm) {
  std::map<std::string, AttrValue> out;
  for (const auto& [name, value] : vm) {
    if (!is_setting(name, value)) continue;
    const auto& any = value.value();
    if (const auto* d = boost::any_cast<double>(&any)) out[name] = *d;
    else if (const auto* i = boost::any_cast<int>(&any)) out[name] = std::int64_t(*i);
    else if (const auto* l = boost::any_cast<long long>(&any)) out[name] = std::int64_t(*l);
    else out[name] = value_text(value);  // text, lists, on/off as true/false
  }
  return out;
}

bool parse(const std::string& command, const std::string& usage, const po::options_description& options,
           const std::vector<std::string>& args, po::variables_map& vm, const BeforeDump& before_dump) {
  for (const std::string& arg : args) refuse_placeholders(arg, "argument '" + arg + "'");
  try {
    // No abbreviations: "--ov" must not mean --overwrite
    const po::parsed_options parsed =
        po::command_line_parser(args)
            .options(options)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run();
    for (const po::option& o : parsed.options)
      if (o.position_key >= 0)  // a word that belongs to no option: refused, never ignored
        throw UsageError("unexpected argument '" + o.value.front() + "': every input is given by an option (see heed " +
                         command + " --help)");
    po::store(parsed, vm);
    // One-shot actions are taken from the command line only: a saved configuration must not
    // delete a run each time it is used.
    const bool overwrite_given = vm.count("overwrite") > 0;
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::error_code error;
      if (std::filesystem::is_directory(path, error)) throw UsageError(path + ": is a directory, not a config file");
      std::ifstream file(path);
      if (!file) throw UsageError(path + ": cannot open config file");
      std::stringstream in;
      in << file.rdbuf();
      if (in.str().rfind("\xEF\xBB\xBF", 0) == 0) in.str(in.str().substr(3));  // a UTF-8 BOM
      std::istringstream lines(in.str());
      int number = 0;
      for (std::string line; std::getline(lines, line);) refuse_placeholders(line, path + ":" + std::to_string(++number));
      try {
        po::store(po::parse_config_file(in, options), vm);  // values already set on the command line win
      } catch (const po::error& e) {  // a bad line or value: name the file, not only the option
        throw UsageError(path + ": " + e.what());
      }
      if (vm.count("overwrite") && !overwrite_given)
        throw UsageError(path + ": overwrite is taken from the command line only");
    }
    if (vm.count("help")) {
      std::cout << "usage: heed " << command << " " << usage << "\n\n" << options << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see heed " + command + " --help)");
  }
  if (vm.count("dump-config")) {
    const std::string note = before_dump ? before_dump(vm) : "";
    std::cout << "# heed " << command << " effective configuration\n" << note;
    for (const auto& [name, value] : vm)
      if (is_setting(name, value))
        std::cout << name << " = " << value_text(value) << "\n";
    return false;
  }
  return true;
}

}  // namespace heed::cli
