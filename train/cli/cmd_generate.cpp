// heed generate: text from a language model (--arch lm), greedy or sampled, streamed to stdout
// token by token as it is produced.
#include <iostream>
#include <string_view>

#include "data/token_stream.h"
#include "data/vocab.h"
#include "train/cli/cli.h"
#include "train/cli/option_checks.h"
#include "train/cli/translation_setup.h"
#include "train/eval/generate.h"
#include "train/eval/sampling.h"

namespace heed::cli {

namespace {

constexpr const char* kUsage = R"(--checkpoint LM.h5 (--prompt TEXT | --prompts FILE) [--max-tokens N] [options]

Continues a prompt with a language model trained by heed train --arch lm, printing the prompt as
the model reads it and then each token as soon as it is chosen. A line end the model produces
is a newline. Greedy by default (the most probable token); --temperature, --top-k, --top-p or
--sample draw each token instead, from a generator seeded by --seed and the prompt's number
(0 for --prompt, the 0-based line for --prompts): the same seed gives the same text. With
--prompts each line of FILE is one prompt and its output one line: generation stops at the
first line end.)";

int run_generate(const po::variables_map& vm);

}  // namespace

Command parse_generate(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("checkpoint", po::value<std::string>()->required(), "the language model")(
      "prompt", po::value<std::string>(), "the text to continue (may be empty: the model starts a line)")(
      "prompts", po::value<std::string>(), "a file of prompts, one per line (- = stdin); one output line each")(
      "max-tokens", po::value<long long>()->default_value(200), "tokens to generate per prompt, line ends included")(
      "sample", flag(), "draw each token from the model's distribution (the default is greedy)")(
      "temperature", real_value(1), "sampling: divide log-probabilities by T > 0 (< 1 sharper, > 1 flatter)")(
      "top-k", po::value<int>()->default_value(0), "sampling: draw among the K most probable tokens (0 = all)")(
      "top-p", real_value(1), "sampling: draw among the fewest most probable tokens whose probability reaches P, in (0, 1]")(
      "seed", po::value<long long>()->default_value(1), "sampling: the seed")(
      "threads", po::value<int>()->default_value(0), "threads (0 = all cores)");
  po::variables_map vm;
  if (!parse("generate", kUsage, options, args, vm)) return {};
  return Command{.process = {.threads = int(checked_int(vm, "threads", 0))}, .run = [vm] { return run_generate(vm); }};
}

namespace {

SamplingOptions read_sampling(const po::variables_map& vm) {
  SamplingOptions s;
  s.enabled = vm["sample"].as<bool>();
  for (const char* name : {"temperature", "top-k", "top-p"}) s.enabled = s.enabled || !vm[name].defaulted();
  s.temperature = checked_real(vm, "temperature", above(0));
  s.top_k = int(checked_int(vm, "top-k", 0));
  s.top_p = checked_real(vm, "top-p", {.min = 0, .max = 1, .min_open = true});
  s.seed = std::uint64_t(checked_int(vm, "seed", 0));
  if (!s.enabled && !vm["seed"].defaulted())
    throw UsageError("--seed: only used when sampling (--temperature, --top-k, --top-p or --sample)");
  return s;
}

// Prints one prompt's text as the model reads it, then each generated token as it comes: a line's
// tokens are detokenized together (a word tokenizer spaces them by their neighbours) and only
// what is new is written.
class TextPrinter {
 public:
  explicit TextPrinter(const Preprocessor& pre) : pre_(pre) {}

  void start_line(const std::vector<std::int32_t>& ids) {
    line_ = ids;
    printed_ = pre_.decode_target(line_);
    std::cout << printed_ << std::flush;
  }
  void add(std::int32_t id) {
    if (id == Vocabulary::kEos) {
      std::cout << "\n" << std::flush;
      start_line({});
      return;
    }
    line_.push_back(id);
    const std::string text = pre_.decode_target(line_);
    // The line so far detokenizes as before plus something; else (rare) the token stands alone.
    if (text.starts_with(printed_)) std::cout << std::string_view(text).substr(printed_.size());
    else std::cout << ' ' << pre_.decode_target({id});
    printed_ = text;
    std::cout << std::flush;
  }

 private:
  const Preprocessor& pre_;
  std::vector<std::int32_t> line_;
  std::string printed_;
};

int run_generate(const po::variables_map& vm) {
  if (vm.count("prompt") == vm.count("prompts")) throw UsageError("give exactly one of --prompt and --prompts");
  const long long max_tokens = checked_int(vm, "max-tokens", 1, 1 << 24);
  const SamplingOptions sampling = read_sampling(vm);
  const std::string path = vm["checkpoint"].as<std::string>();
  LoadedModel m = load_for_decoding(path);
  if (m.model->config().arch != Arch::Lm)
    throw UsageError(path + " is a " + arch_name(m.model->config().arch) +
                     " model: heed generate continues text with a language model (--arch lm); use heed translate");
  const bool from_file = vm.count("prompts") > 0;
  const std::vector<std::string> prompts =
      from_file ? read_text_file(vm["prompts"].as<std::string>()) : std::vector<std::string>{vm["prompt"].as<std::string>()};
  m.model->eval();
  const GenerateOptions options{.max_tokens = Index(max_tokens), .sampling = sampling, .stop_at_line_end = from_file};
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    std::size_t unknown = 0;
    const std::vector<std::int32_t> ids = m.pre->encode_target(prompts[i], &unknown);
    if (unknown > 0)
      std::cerr << "heed generate: warning: prompt " << i + 1 << ": " << unknown
                << " tokens are not in the model's vocabulary and are read as <unk>\n";
    std::vector<std::int32_t> context{Vocabulary::kEos};  // the line break before the prompt
    context.insert(context.end(), ids.begin(), ids.end());
    TextPrinter printer(*m.pre);
    printer.start_line(ids);
    Rng rng = sequence_rng(sampling.seed, i);
    const std::vector<std::int32_t> out =
        generate(*m.model, context, options, rng, [&](std::int32_t id) { printer.add(id); });
    if (out.empty() || out.back() != Vocabulary::kEos) std::cout << "\n";  // every output ends its line
  }
  return 0;
}

}  // namespace

}  // namespace heed::cli
