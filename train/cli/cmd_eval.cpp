// heed eval and heed data.
#include <cstdio>
#include <iostream>

#include "train/cli/cli.h"
#include "train/cli/option_checks.h"
#include "train/cli/translation_setup.h"
#include "train/eval/evaluate.h"
#include "train/eval/evaluate_text.h"
#include "train/eval/json.h"

namespace heed::cli {

namespace {

int run_eval(const po::variables_map& vm);
int run_data(const po::variables_map& vm);

}  // namespace

Command parse_eval(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("checkpoint", po::value<std::string>()->required(), "the model")(
      "task", po::value<std::string>(), "a built-in task")("split", po::value<std::string>()->default_value("test"),
                                                          "train | valid | test")(
      "data", po::value<std::string>(),
      "a TSV file of source<TAB>target pairs (a pair longer than the checkpoint's max_len is refused, as train does)")(
      "text", po::value<std::string>(),
      "a language model (--arch lm): a plain text, evaluated for loss, perplexity and bits per character")(
      "seed", po::value<long long>()->default_value(1), "the task's seed (as in training)")(
      "min-length", po::value<int>()->default_value(1), "task sequences: shortest")(
      "max-length", po::value<int>()->default_value(20), "task sequences: longest")(
      "json", flag(), "print one JSON object (numbers that are not finite as null, named in null_reasons)")(
      "show", po::value<int>()->default_value(0),
      "print the first N translations (with --json: as \"shown\", a list of {source, reference, hypothesis})")(
      "by-length", po::value<int>()->default_value(0),
      "also exact match by source length, in buckets of N words (0 = off); JSON: by_length");
  options.add(decode_options());
  options.add(int8_option());
  po::variables_map vm;
  if (!parse("eval", "--checkpoint CKPT.h5 (--task NAME [--split test] | --data FILE.tsv | --text FILE) [--beam K] [--json]", options,
             args, vm))
    return {};
  return Command{.process = {.threads = vm["threads"].as<int>()}, .run = [vm] { return run_eval(vm); }};
}

Command parse_data(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("task", po::value<std::string>()->required(), "copy, reverse, sort, toy-fr")(
      "split", po::value<std::string>()->default_value("train"), "train | valid | test")(
      "seed", po::value<long long>()->default_value(1), "the generator's seed")(
      "min-length", po::value<int>()->default_value(1), "shortest sequence")(
      "max-length", po::value<int>()->default_value(20), "longest sequence")(
      "size", po::value<long long>()->default_value(0), "examples (0 = the split's default)");
  po::variables_map vm;
  if (!parse("data", "--task NAME --split train|valid|test", options, args, vm)) return {};
  return Command{.process = {}, .run = [vm] { return run_data(vm); }};
}

namespace {

// The pairs a model cannot read whole are refused, as `heed train` refuses them.
void check_lengths(const Preprocessor& pre, const std::vector<Example>& examples, Index max_len, const std::string& what) {
  const std::vector<EncodedPair> pairs = pre.encode(examples);
  for (std::size_t i = 0; i < pairs.size(); ++i)
    if (const std::size_t tokens = std::max(pairs[i].src.size(), pairs[i].tgt.size()); Index(tokens) + 1 > max_len)
      throw UsageError(what + ": pair " + std::to_string(i + 1) + " has " + std::to_string(tokens) +
                       " tokens, more than the checkpoint's max_len " + std::to_string(max_len) + " allows");
}

Json by_length_json(const std::vector<LengthBucket>& buckets) {
  Json list = Json::array();
  for (const LengthBucket& b : buckets)
    list.push_back(JsonObject()
                       .integer("min_words", b.min_words)
                       .integer("max_words", b.max_words)
                       .integer("sentences", (long long)b.sentences)
                       .number("exact_match", b.exact_match)
                       .json());
  return list;
}

Json shown_json(const std::vector<Example>& examples, const std::vector<std::string>& hypotheses, std::size_t n) {
  Json list = Json::array();
  for (std::size_t i = 0; i < n; ++i)
    list.push_back(JsonObject()
                       .text("source", examples[i].source)
                       .text("reference", examples[i].target)
                       .text("hypothesis", hypotheses[i])
                       .json());
  return list;
}

// A language model on a text: loss, perplexity, bits per character.
int run_eval_text(const po::variables_map& vm, LoadedModel& m, const std::string& precision) {
  for (const char* pairs_only : {"task", "data"})
    if (vm.count(pairs_only)) throw UsageError(std::string("--") + pairs_only + ": give --text alone (a language model)");
  for (const char* translation_only : {"show", "by-length", "beam", "max-output"})
    if (!vm[translation_only].defaulted())
      throw UsageError(std::string("--") + translation_only + ": a language model is evaluated on --text, not by translating");
  const std::string path = vm["text"].as<std::string>();
  const TokenStream text = encode_text(*m.pre, read_text_file(path));
  if (text.predicted() == 0) throw UsageError(path + ": no text");
  const EvalResult r = evaluate_text(*m.model, text, m.model->config().max_len, 64);
  std::cout << (vm["json"].as<bool>() ? r.json().text("precision", precision).str() : r.summary()) << std::endl;
  return 0;
}

int run_eval(const po::variables_map& vm) {
  DataSource source;
  const std::string checkpoint = vm["checkpoint"].as<std::string>();
  if (vm.count("text")) {
    LoadedModel m = load_for_decoding(checkpoint);
    if (m.model->config().arch != Arch::Lm)
      throw UsageError("--text: " + checkpoint + " is a " + arch_name(m.model->config().arch) +
                       " model, not a language model; give --data or --task");
    return run_eval_text(vm, m, quantize_if_asked(vm, m));
  }
  if (vm.count("task") == vm.count("data")) throw UsageError("give exactly one of --task and --data");
  if (vm.count("task")) {
    source.task = vm["task"].as<std::string>();
    source.task_options.seed = std::uint64_t(checked_int(vm, "seed", 0));
    source.task_options.min_len = vm["min-length"].as<int>();
    source.task_options.max_len = vm["max-length"].as<int>();
  } else {
    source.tsv = vm["data"].as<std::string>();
  }
  const DecodeOptions decode = read_decode_options(vm);
  const int width = int(checked_int(vm, "by-length", 0));
  const std::size_t show = std::size_t(checked_int(vm, "show", 0));
  const bool json = vm["json"].as<bool>();
  LoadedModel m = load_for_decoding(checkpoint);
  if (m.model->config().arch == Arch::Lm) throw UsageError(checkpoint + " is a language model: give --text FILE");
  const std::string precision = quantize_if_asked(vm, m);
  std::vector<Example> examples;
  try {
    examples = load_examples(source, vm["split"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  check_lengths(*m.pre, examples, m.model->config().max_len, source.describe());
  const EvalResult r = evaluate(*m.model, *m.pre, examples, EvalOptions{.batch_size = 64, .decode = decode});
  const std::size_t shown = std::min(show, examples.size());
  const std::vector<LengthBucket> buckets = width > 0 ? exact_match_by_length(examples, r.hypotheses, width)
                                                      : std::vector<LengthBucket>{};
  if (json) {  // one object on stdout and nothing else, so that it always parses
    JsonObject out = r.json();
    out.text("precision", precision);
    if (width > 0) out.value("by_length", by_length_json(buckets));
    if (shown > 0) out.value("shown", shown_json(examples, r.hypotheses, shown));
    std::cout << out.str() << std::endl;
    return 0;
  }
  for (std::size_t i = 0; i < shown; ++i)
    std::cout << "src: " << examples[i].source << "\nref: " << examples[i].target << "\nhyp: " << r.hypotheses[i]
              << "\n\n";
  std::cout << r.summary() << std::endl;
  for (const LengthBucket& b : buckets)
    std::printf("  source %3d-%-3d words: exact %6.2f%%  (%zu sentences)\n", b.min_words, b.max_words,
                100 * b.exact_match, b.sentences);
  return 0;
}

int run_data(const po::variables_map& vm) {
  TaskOptions t;
  t.seed = std::uint64_t(checked_int(vm, "seed", 0));
  t.min_len = vm["min-length"].as<int>();
  t.max_len = vm["max-length"].as<int>();
  const std::string split = vm["split"].as<std::string>();
  if (const std::size_t size = std::size_t(checked_int(vm, "size", 0)); size > 0)
    t.train_size = t.valid_size = t.test_size = size;
  std::vector<Example> examples;
  try {
    examples = make_task(vm["task"].as<std::string>(), split, t);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  for (const Example& e : examples) std::cout << e.source << "\t" << e.target << "\n";
  return 0;
}

}  // namespace

}  // namespace heed::cli
