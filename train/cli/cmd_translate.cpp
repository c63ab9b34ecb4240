// heed translate: sources from a file or stdin to a file or stdout; greedy, beam (n-best) or
// sampled, by one checkpoint or an ensemble.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "checkpoints/replaced_file.h"
#include "data/tsv.h"
#include "train/checkpoint/attention_file.h"
#include "train/cli/cli.h"
#include "train/cli/model_attention.h"
#include "train/cli/option_checks.h"
#include "train/cli/output_files.h"
#include "train/cli/translation_setup.h"

namespace heed::cli {

namespace {

constexpr const char* kUsage = R"(--checkpoint CKPT.h5 [--checkpoint CKPT2.h5 ...] [--input FILE] [--output FILE] [options]

Translates one sentence per line. Reading a terminal (no --input), each line is translated and
printed as soon as it is entered. Several --checkpoint options decode as an ensemble: the
average of the models' log-probabilities, greedy or beam; they must share the target vocabulary
and tokenizer. With --n-best K each sentence gives K lines "ID ||| TRANSLATION ||| SCORE" (as
Marian's n-best lists): ID the 0-based line number, SCORE the beam's ranking score, the sum of
the tokens' log-probabilities (end of sentence included) divided by ((6 + N) / 6)^α for N output
tokens (α = --length-penalty), best first. Sources longer than a model takes are cropped, with a
warning naming the line. --dump-attention FILE.h5 also writes every layer's and head's attention
weights behind each printed translation, with its tokens (README "Attention dumps").)";

int run_translate(const po::variables_map& vm);

}  // namespace

Command parse_translate(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("checkpoint", po::value<std::vector<std::string>>()->required(),
                        "the model; repeat it to decode with an ensemble")(
      "input,i", po::value<std::string>()->default_value("-"), "source sentences, one per line (- = stdin)")(
      "output,o", po::value<std::string>()->default_value("-"),
      "translations, one per line (- = stdout); a file is written beside FILE and renamed over it at the end, so "
      "a run that fails leaves FILE as it was")(
      "batch-size", po::value<long long>()->default_value(64), "sentences decoded together (>= 1)")(
      "dump-attention", po::value<std::string>(),
      "also write the attention weights behind each translation (the best one) to this HDF5 file: encoder "
      "self-, decoder self- and cross-attention of every layer and head, with the tokens; one --checkpoint, "
      "a family that attends");
  options.add(decode_options());
  options.add(int8_option());
  po::options_description more("Beam lists and sampling");
  more.add_options()("n-best", po::value<int>(),
                     "print the K best hypotheses of the beam per sentence (K <= --beam) as ID ||| TRANSLATION ||| SCORE")(
      "sample", flag(), "draw each token from the model's distribution instead of taking the most probable (--beam 1)")(
      "temperature", real_value(1), "sampling: divide log-probabilities by T > 0 (< 1 sharper, > 1 flatter)")(
      "top-k", po::value<int>()->default_value(0), "sampling: draw among the K most probable tokens (0 = all)")(
      "top-p", real_value(1), "sampling: draw among the fewest most probable tokens whose probability reaches P, in (0, 1]")(
      "seed", po::value<long long>()->default_value(1),
      "sampling: the seed; each sentence's draws depend on it and the sentence's line only");
  options.add(more);
  po::variables_map vm;
  if (!parse("translate", kUsage, options, args, vm)) return {};
  return Command{.process = {.threads = vm["threads"].as<int>()}, .run = [vm] { return run_translate(vm); }};
}

namespace {

DecodeOptions read_translate_options(const po::variables_map& vm) {
  DecodeOptions d = read_decode_options(vm);
  if (vm.count("n-best")) d.n_best = int(checked_int(vm, "n-best", 1, d.beam));
  SamplingOptions& s = d.sampling;
  s.enabled = vm["sample"].as<bool>();
  s.temperature = checked_real(vm, "temperature", above(0));
  s.top_k = int(checked_int(vm, "top-k", 0));
  s.top_p = checked_real(vm, "top-p", {.min = 0, .max = 1, .min_open = true});
  s.seed = std::uint64_t(checked_int(vm, "seed", 0));
  if (!s.enabled)
    for (const char* name : {"temperature", "top-k", "top-p", "seed"})
      if (!vm[name].defaulted()) throw UsageError(std::string("--") + name + ": only used with --sample");
  if (s.enabled && d.beam > 1)
    throw UsageError("--sample: draws one token at a time, so it takes --beam 1, not " + std::to_string(d.beam));
  if (s.enabled && vm.count("n-best")) throw UsageError("--n-best: lists the beam's hypotheses; not with --sample");
  return d;
}

// --dump-attention: refused before anything is decoded when it cannot be written.
void check_dump_target(const po::variables_map& vm, const std::vector<LoadedModel>& loaded) {
  if (!vm.count("dump-attention")) return;
  const std::string path = vm["dump-attention"].as<std::string>();
  if (loaded.size() > 1)
    throw UsageError("--dump-attention: takes one --checkpoint, not an ensemble of " + std::to_string(loaded.size()) +
                     " (each member attends in its own way)");
  if (loaded.front().model->config().arch == Arch::Lstm)
    throw UsageError("--dump-attention: " + loaded.front().path + " is an lstm model, which has no attention");
  if (path.empty()) throw UsageError("--dump-attention: needs a file name");
  const NamedFile dump{"--dump-attention", path};
  check_replaceable(dump);
  std::vector<NamedFile> inputs{{"--checkpoint", loaded.front().path}};
  for (const char* option : {"input", "output"})  // the translations are written as the dump is
    if (const std::string file = vm[option].as<std::string>(); file != "-") inputs.push_back({std::string("--") + option, file});
  check_distinct({dump}, inputs);
}

// Collects the sentences of --dump-attention, and writes them at the end.
class AttentionDump {
 public:
  AttentionDump(const po::variables_map& vm, const LoadedModel& model)
      : path_(vm.count("dump-attention") ? vm["dump-attention"].as<std::string>() : ""), model_(model) {}
  void add(const std::string& source, const Translation& best) {
    if (path_.empty()) return;
    const TranslationModel m{model_.model.get(), model_.pre.get()};
    sentences_.push_back({source, best.text, sentence_attention(m, source, best.tokens, best.ended)});
  }
  void save() const {
    if (path_.empty()) return;
    const ModelConfig& config = model_.model->config();
    save_attention_dump(path_, sentences_,
                        {.checkpoint = model_.path, .arch = arch_name(config.arch), .attention = attention_kind(config),
                         .window = attention_window(config)});
  }

 private:
  std::string path_;
  const LoadedModel& model_;
  std::vector<DumpedSentence> sentences_;
};

// Where translations go: stdout or a file, each line flushed when `line_by_line`.
// --output: a regular file (or a new one) is written as FILE.tmp.PID beside it and renamed over it
// by close(), with the old file's permissions, so a failed run leaves the old file whole (-o may
// name the input file). Written directly instead: a device or FIFO (/dev/stdout, a pipe), a file
// in a directory heed may not write to, and a terminal session's output (streamed line by line).
class Output {
 public:
  Output(const std::string& path, bool streamed) : path_(path) {
    if (path == "-") return;
    const std::string target = replaced_file(path);
    const std::string why = not_replaceable(target);
    if (why == "is a directory") throw UsageError("--output " + path + ": is a directory");
    if (why.empty() && !streamed) {
      const std::string tmp = target + ".tmp." + std::to_string(::getpid());
      const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0) {
        ::close(fd);
        target_ = target, tmp_ = tmp;
      }
    }
    errno = 0;
    file_.open(tmp_.empty() ? path : tmp_, std::ios::binary | std::ios::trunc);
    if (!file_) throw UsageError("--output " + path + ": cannot open for writing: " + std::strerror(errno));
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() {  // not closed: an error ended the run; the old file stays
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }
  void write(std::size_t id, const std::vector<Translation>& hyps, bool n_best, bool line_by_line) {
    std::ostream& out = path_ == "-" ? std::cout : file_;
    if (!n_best) {
      out << hyps.front().text << "\n";
    } else {
      for (const Translation& t : hyps) {
        char score[32];
        std::snprintf(score, sizeof score, "%.4f", t.score);
        out << id << " ||| " << t.text << " ||| " << score << "\n";
      }
    }
    if (line_by_line) out.flush();
    if (!out) throw failed();
  }
  void close() {
    std::ostream& out = path_ == "-" ? std::cout : file_;
    out.flush();
    if (path_ != "-") file_.close();
    if (!out) throw failed();
    if (tmp_.empty()) return;
    if (struct stat old; ::stat(target_.c_str(), &old) == 0) ::chmod(tmp_.c_str(), old.st_mode & 07777);
    std::error_code ec;
    std::filesystem::rename(tmp_, target_, ec);
    if (ec) throw std::runtime_error("--output " + path_ + ": cannot rename " + tmp_ + " into place (" + ec.message() + ")");
    tmp_.clear();
  }

 private:
  std::runtime_error failed() const {
    const std::string what = path_ == "-" ? std::string("stdout") : "--output " + path_;
    return std::runtime_error(what + ": write failed: " + std::strerror(errno) +
                              (tmp_.empty() ? "" : "; the file was not written"));
  }
  std::string path_;
  std::string target_, tmp_;  // a regular file: the file replaced (links followed), and what is written first
  std::ofstream file_;
};

int run_translate(const po::variables_map& vm) {
  const DecodeOptions decode = read_translate_options(vm);
  const std::size_t batch_size = std::size_t(checked_int(vm, "batch-size", 1, 1 << 20));
  const std::string input = vm["input"].as<std::string>();
  const bool n_best = vm.count("n-best") > 0;
  if (const std::string out = vm["output"].as<std::string>(); out != "-")
    for (const std::string& checkpoint : vm["checkpoint"].as<std::vector<std::string>>()) {
      std::error_code ec;
      if (std::filesystem::equivalent(out, checkpoint, ec))
        throw UsageError("--output " + out + " is the checkpoint " + checkpoint + ": writing there would destroy it");
    }
  const std::vector<LoadedModel> loaded = load_ensemble(vm["checkpoint"].as<std::vector<std::string>>());
  for (const LoadedModel& m : loaded) quantize_if_asked(vm, m);
  check_dump_target(vm, loaded);
  const std::vector<TranslationModel> models = translation_models(loaded);
  AttentionDump dump(vm, loaded.front());
  const std::string name = input == "-" ? "stdin" : input;
  const CropReport warn = [&](std::size_t index, std::size_t tokens, std::size_t kept) {
    std::cerr << "heed translate: warning: " << name << ":" << index + 1 << ": source has " << tokens
              << " tokens, more than the model takes (" << kept << " before the end of sentence): translated its first "
              << kept << "\n";
  };
  if (input == "-" && isatty(STDIN_FILENO)) {  // interactive: each line as soon as it is entered
    Output output(vm["output"].as<std::string>(), true);
    std::string line;
    for (std::size_t n = 0; std::getline(std::cin, line); ++n) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (const std::string error = text_error(line); !error.empty()) {
        std::cerr << "heed translate: stdin:" << n + 1 << ": " << error << "\n";
        continue;  // a person can type the line again
      }
      const CropReport warn_line = [&](std::size_t, std::size_t tokens, std::size_t kept) { warn(n, tokens, kept); };
      const auto hyps = translate_n_best(models, {line}, decode, 1, warn_line, n).front();
      output.write(n, hyps, n_best, true);
      dump.add(line, hyps.front());
    }
    output.close();
  } else {
    const std::vector<std::string> lines = read_text_file(input);  // read whole before --output is truncated
    const auto translations = translate_n_best(models, lines, decode, batch_size, warn);
    Output output(vm["output"].as<std::string>(), false);
    for (std::size_t i = 0; i < translations.size(); ++i) output.write(i, translations[i], n_best, false);
    output.close();
    for (std::size_t i = 0; i < translations.size(); ++i) dump.add(lines[i], translations[i].front());
  }
  dump.save();
  return 0;
}

}  // namespace

}  // namespace heed::cli
