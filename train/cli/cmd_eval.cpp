// heed eval, heed translate, heed score, heed data.
#include <fstream>
#include <iostream>

#include "data/tsv.h"
#include "data/utf8.h"
#include "train/checkpoint/checkpoint_io.h"
#include "train/cli/cli.h"
#include "train/eval/evaluate.h"
#include "train/eval/metrics.h"

namespace heed::cli {

namespace {

// A checkpoint's model (any family) and its tokenizer and vocabularies.
struct LoadedModel {
  std::unique_ptr<Seq2SeqModel> model;
  std::unique_ptr<Preprocessor> pre;
};

LoadedModel load_model(const std::string& path) {
  const Checkpoint checkpoint = read_checkpoint(path);
  return {load_model(checkpoint), std::make_unique<Preprocessor>(Preprocessor::from_state(checkpoint.vocab))};
}

po::options_description decode_options() {
  po::options_description o("Decoding");
  o.add_options()("beam", po::value<int>()->default_value(1), "beam size (1 = greedy)")(
      "length-penalty", po::value<double>()->default_value(0.6), "beam: GNMT length-penalty exponent")(
      "max-output", po::value<long long>()->default_value(0), "longest output in tokens (0 = 2 x source + 10)")(
      "threads", po::value<int>()->default_value(0), "threads (0 = all cores)");
  return o;
}

DecodeOptions read_decode_options(const po::variables_map& vm) {
  DecodeOptions d;
  d.beam = vm["beam"].as<int>();
  if (d.beam < 1) throw UsageError("--beam: must be at least 1, got " + std::to_string(d.beam));
  d.length_penalty = vm["length-penalty"].as<double>();
  d.max_len = vm["max-output"].as<long long>();
  return d;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError(path + ": no such file");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

int run_eval(const po::variables_map& vm);
int run_translate(const po::variables_map& vm);
int run_score(const po::variables_map& vm);
int run_data(const po::variables_map& vm);

}  // namespace

Command parse_eval(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("checkpoint", po::value<std::string>()->required(), "the model")(
      "task", po::value<std::string>(), "a built-in task")("split", po::value<std::string>()->default_value("test"),
                                                          "train | valid | test")(
      "data", po::value<std::string>(), "a TSV file of source<TAB>target pairs")(
      "seed", po::value<unsigned long long>()->default_value(1), "the task's seed (as in training)")(
      "min-length", po::value<int>()->default_value(1), "task sequences: shortest")(
      "max-length", po::value<int>()->default_value(20), "task sequences: longest")(
      "json", "print one JSON object")("show", po::value<int>()->default_value(0), "print the first N translations")(
      "by-length", po::value<int>()->default_value(0),
      "also exact match by source length, in buckets of N words (0 = off); JSON: by_length");
  options.add(decode_options());
  po::variables_map vm;
  if (!parse("eval", "--checkpoint CKPT.h5 (--task NAME [--split test] | --data FILE.tsv) [--beam K] [--json]", options,
             args, vm))
    return {};
  return Command{.process = {.threads = vm["threads"].as<int>()}, .run = [vm] { return run_eval(vm); }};
}

Command parse_translate(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("checkpoint", po::value<std::string>()->required(), "the model")(
      "batch-size", po::value<std::size_t>()->default_value(64), "sentences decoded together");
  options.add(decode_options());
  po::variables_map vm;
  if (!parse("translate", "--checkpoint CKPT.h5 [--beam K]  < sources > translations", options, args, vm)) return {};
  return Command{.process = {.threads = vm["threads"].as<int>()}, .run = [vm] { return run_translate(vm); }};
}

Command parse_score(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("hyp", po::value<std::string>()->required(), "hypotheses, one per line")(
      "ref", po::value<std::string>()->required(), "references, one per line")("json", "print one JSON object");
  po::variables_map vm;
  if (!parse("score", "--hyp FILE --ref FILE [--json]", options, args, vm)) return {};
  return Command{.process = {}, .run = [vm] { return run_score(vm); }};
}

Command parse_data(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("task", po::value<std::string>()->required(), "copy, reverse, sort, toy-fr")(
      "split", po::value<std::string>()->default_value("train"), "train | valid | test")(
      "seed", po::value<unsigned long long>()->default_value(1), "the generator's seed")(
      "min-length", po::value<int>()->default_value(1), "shortest sequence")(
      "max-length", po::value<int>()->default_value(20), "longest sequence")(
      "size", po::value<std::size_t>()->default_value(0), "examples (0 = the split's default)");
  po::variables_map vm;
  if (!parse("data", "--task NAME --split train|valid|test", options, args, vm)) return {};
  return Command{.process = {}, .run = [vm] { return run_data(vm); }};
}

namespace {

int run_eval(const po::variables_map& vm) {
  DataSource source;
  if (vm.count("task") == vm.count("data")) throw UsageError("give exactly one of --task and --data");
  if (vm.count("task")) {
    source.task = vm["task"].as<std::string>();
    source.task_options.seed = vm["seed"].as<unsigned long long>();
    source.task_options.min_len = vm["min-length"].as<int>();
    source.task_options.max_len = vm["max-length"].as<int>();
  } else {
    source.tsv = vm["data"].as<std::string>();
  }
  const DecodeOptions decode = read_decode_options(vm);
  const int width = vm["by-length"].as<int>();
  if (width < 0) throw UsageError("--by-length: must be >= 0, got " + std::to_string(width));
  LoadedModel m = load_model(vm["checkpoint"].as<std::string>());
  std::vector<Example> examples;
  try {
    examples = load_examples(source, vm["split"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const EvalResult r = evaluate(*m.model, *m.pre, examples, EvalOptions{.batch_size = 64, .decode = decode});
  for (int i = 0; i < vm["show"].as<int>() && i < int(examples.size()); ++i)
    std::cout << "src: " << examples[std::size_t(i)].source << "\nref: " << examples[std::size_t(i)].target
              << "\nhyp: " << r.hypotheses[std::size_t(i)] << "\n\n";
  const std::vector<LengthBucket> buckets = width > 0 ? exact_match_by_length(examples, r.hypotheses, width)
                                                      : std::vector<LengthBucket>{};
  if (vm.count("json")) {
    std::string json = r.json();
    if (width > 0) {
      json.pop_back();  // the closing brace: by_length goes inside the object
      json += ", \"by_length\": [";
      for (std::size_t i = 0; i < buckets.size(); ++i) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s{\"min_words\": %d, \"max_words\": %d, \"sentences\": %zu, \"exact_match\": %.6f}",
                      i ? ", " : "", buckets[i].min_words, buckets[i].max_words, buckets[i].sentences, buckets[i].exact_match);
        json += buf;
      }
      json += "]}";
    }
    std::cout << json << std::endl;
    return 0;
  }
  std::cout << r.summary() << std::endl;
  for (const LengthBucket& b : buckets)
    std::printf("  source %3d-%-3d words: exact %6.2f%%  (%zu sentences)\n", b.min_words, b.max_words,
                100 * b.exact_match, b.sentences);
  return 0;
}

int run_translate(const po::variables_map& vm) {
  const DecodeOptions decode = read_decode_options(vm);
  LoadedModel m = load_model(vm["checkpoint"].as<std::string>());
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (utf8_error_offset(line) != std::string::npos)
      throw UsageError("stdin:" + std::to_string(n) + ": invalid UTF-8 at byte " + std::to_string(utf8_error_offset(line)));
    lines.push_back(line);
  }
  for (const std::string& t : translate(*m.model, *m.pre, lines, decode, vm["batch-size"].as<std::size_t>()))
    std::cout << t << "\n";
  return 0;
}

int run_score(const po::variables_map& vm) {
  const std::vector<std::string> hyp = read_lines(vm["hyp"].as<std::string>()), ref = read_lines(vm["ref"].as<std::string>());
  if (hyp.size() != ref.size())
    throw UsageError(vm["hyp"].as<std::string>() + " has " + std::to_string(hyp.size()) + " lines but " +
                     vm["ref"].as<std::string>() + " has " + std::to_string(ref.size()));
  const double b = corpus_bleu(hyp, ref), c = corpus_chrf(hyp, ref), em = exact_match(hyp, ref),
               ta = token_accuracy(hyp, ref);
  if (vm.count("json")) {
    std::printf("{\"bleu\": %.4f, \"chrf\": %.4f, \"exact_match\": %.6f, \"token_accuracy\": %.6f, \"sentences\": %zu}\n",
                b, c, em, ta, hyp.size());
  } else {
    std::printf("%s\nchrF2 = %.2f\nexact match %.2f%%  token accuracy %.2f%%  (%zu sentences)\n",
                format_bleu(bleu(hyp, ref)).c_str(), c, 100 * em, 100 * ta, hyp.size());
  }
  return 0;
}

int run_data(const po::variables_map& vm) {
  TaskOptions t;
  t.seed = vm["seed"].as<unsigned long long>();
  t.min_len = vm["min-length"].as<int>();
  t.max_len = vm["max-length"].as<int>();
  const std::string split = vm["split"].as<std::string>();
  if (const std::size_t size = vm["size"].as<std::size_t>(); size > 0) t.train_size = t.valid_size = t.test_size = size;
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
