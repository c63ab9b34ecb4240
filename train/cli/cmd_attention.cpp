// heed attention: translates one sentence (or takes the output given) and draws its attention
// as labelled heatmaps, PNG or SVG.
#include <iostream>

#include "data/tsv.h"
#include "pictures/canvas.h"
#include "train/cli/attention_panels.h"
#include "train/cli/cli.h"
#include "train/cli/model_attention.h"
#include "train/cli/option_checks.h"
#include "train/cli/picture_files.h"
#include "train/cli/translation_setup.h"

namespace heed::cli {

namespace {

constexpr const char* kUsage = R"(--checkpoint CKPT.h5 --text "SOURCE" (--png OUT.png | --svg OUT.svg) [options]

Translates SOURCE (greedy, or --beam K) and draws the attention weights behind the translation:
each layer's and head's encoder self-, decoder self- and cross-attention of a transformer, or the
one attention of an lstm-attention model, as heatmaps with the tokens on both axes (rows are the
queries, columns the keys) and a colour scale from 0 to 1. Rows of cross-attention are labelled
by the token produced at that position, rows of decoder self-attention by the token read there.
--target gives the output instead of translating: the weights are then those of the decoder
reading that output (teacher forcing), e.g. to compare "il" with "elle"; --beam, --length-penalty
and --max-output, which shape a translation, are then refused. Labels are what the model read
and produced: <unk> (WORD) for a word its vocabulary lacks, no </s> row when the output limit
cut the translation off. Every picture is written, or none (each is drawn beside its file first).)";

int run_attention(const po::variables_map& vm);

}  // namespace

Command parse_attention(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("checkpoint", po::value<std::string>()->required(), "the model (transformer or lstm-attention)")(
      "text", po::value<std::string>()->required(), "the source sentence")(
      "target", po::value<std::string>(), "the output to read instead of translating (teacher forcing)")(
      "kind", po::value<std::string>()->default_value("all"),
      "which attention: all | self (encoder and decoder self-attention) | encoder | decoder | cross")(
      "layer", po::value<int>()->default_value(-1), "only this layer (0-based; -1 = every layer)")(
      "head", po::value<std::string>()->default_value("all"), "only this head (0-based), 'mean' (the heads' mean) or 'all'")(
      "values", flag(), "print each weight in its cell (readable for one panel of a short sentence)");
  options.add(picture_options());
  options.add(decode_options());
  po::variables_map vm;
  if (!parse("attention", kUsage, options, args, vm)) return {};
  return Command{.process = {.threads = vm["threads"].as<int>()}, .run = [vm] { return run_attention(vm); }};
}

namespace {

AttentionSelection read_selection(const po::variables_map& vm) {
  AttentionSelection s;
  s.kind = vm["kind"].as<std::string>();
  if (s.kind != "all" && s.kind != "self" && s.kind != "encoder" && s.kind != "decoder" && s.kind != "cross")
    throw UsageError("--kind " + s.kind + ": must be all, self, encoder, decoder or cross");
  s.layer = int(checked_int(vm, "layer", -1));
  const std::string head = vm["head"].as<std::string>();
  if (head == "all") {
    s.head = kEveryHead;
  } else if (head == "mean") {
    s.head = kHeadMean;
  } else {
    std::size_t used = 0;
    try {
      s.head = std::stoi(head, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != head.size() || head.empty() || s.head < 0)
      throw UsageError("--head " + head + ": must be a head's number (0, 1, ...), 'mean' or 'all'");
  }
  return s;
}

// The sentence as given: refused when empty or only spaces (there is nothing to draw).
std::string sentence_option(const po::variables_map& vm, const char* option) {
  const std::string text = vm[option].as<std::string>();
  if (const std::string error = text_error(text); !error.empty()) throw UsageError(std::string("--") + option + ": " + error);
  if (text.find_first_not_of(" \t\r\n\v\f") == std::string::npos) throw UsageError(std::string("--") + option + " is empty");
  return text;
}

// --target gives the output: the options that shape a translation would be silently ignored.
void refuse_decoding_options_with_target(const po::variables_map& vm) {
  if (!vm.count("target")) return;
  for (const char* option : {"beam", "length-penalty", "max-output"})
    if (!vm[option].defaulted())
      throw UsageError(std::string("--") + option + ": shapes a translation, and with --target nothing is translated");
}

// What the decoder reads: --target's output (taken as the model's whole output, ended), or the
// model's translation (which the output limit may have cut off before its end).
Translation output_of(const po::variables_map& vm, const TranslationModel& model, const std::string& source,
                      const DecodeOptions& decode) {
  if (!vm.count("target")) return translate_n_best({model}, {source}, decode, 1).front().front();
  Translation given;
  given.tokens = model.pre->encode_target(sentence_option(vm, "target"));
  const Index room = model.model->config().max_len - 1;  // + BOS
  if (Index(given.tokens.size()) > room)
    throw UsageError("--target has " + std::to_string(given.tokens.size()) + " tokens, more than the model takes (" +
                     std::to_string(room) + ")");
  given.text = model.pre->decode_target(given.tokens);  // as a translation's text: the tokens the model reads
  return given;
}

// Warns, as translate does, when the model reads only the first tokens of the source.
void warn_if_cropped(const TranslationModel& model, const std::string& source) {
  std::size_t tokens = 0;
  const std::size_t kept = encode_source_cropped(model, source, &tokens).size();
  if (kept < tokens)
    std::cerr << "heed attention: warning: --text: source has " << tokens << " tokens, more than the model takes ("
              << kept << " before the end of sentence): drew its first " << kept << "\n";
}

// "TEXT" between quotation marks.
std::string quoted(const std::string& text) {
  std::string q = "\"";
  q += text;
  q += '"';
  return q;
}

// The picture's title: the source as the model read it (cropped, if it was) and the output.
std::string page_title(const TranslationModel& model, const SentenceAttention& a, const std::string& source,
                       const Translation& output) {
  std::string title = quoted(source);
  if (a.source_cropped) {
    const std::vector<std::string> read(a.source_typed.begin(), a.source_typed.end() - 1);  // without </s>
    title = quoted(model.pre->tokenizer().detokenize(read)) + " (its first " + std::to_string(read.size()) + " tokens)";
  }
  title += "  →  " + quoted(output.text);
  if (!a.output_ended) title += " (cut off by the output limit before </s>)";
  return title;
}

int run_attention(const po::variables_map& vm) {
  const AttentionSelection selection = read_selection(vm);
  const std::string checkpoint = vm["checkpoint"].as<std::string>();
  if (checkpoint.empty()) throw UsageError("--checkpoint: needs a file name");
  const PictureFiles files(vm, {{"--checkpoint", checkpoint}});
  const DecodeOptions decode = read_decode_options(vm);
  refuse_decoding_options_with_target(vm);
  const std::string source = sentence_option(vm, "text");
  require_pictures();
  const std::vector<LoadedModel> loaded = load_ensemble({checkpoint});
  const LoadedModel& m = loaded.front();
  if (m.model->config().arch == Arch::Lstm) throw UsageError(m.path + " is an lstm model, which has no attention");
  const TranslationModel model{m.model.get(), m.pre.get()};
  warn_if_cropped(model, source);
  const Translation output = output_of(vm, model, source, decode);
  const SentenceAttention attention = sentence_attention(model, source, output.tokens, output.ended);
  const std::vector<pictures::HeatmapPanel> panels = attention_panels(attention, selection);

  pictures::HeatmapPage page;
  page.title = page_title(model, attention, source, output);
  page.notes = {m.path + " (" + model_description(m.model->config()) + ")" +
                    (vm.count("target") ? ", output given by --target" : ", its own translation"),
                "rows: queries, columns: keys; cross-attention rows are labelled by the token produced there"};
  const std::size_t heads_shown = selection.head == kEveryHead ? std::size_t(attention.maps.heads) : 1;
  page.columns = heads_shown > 1 ? heads_shown : std::min<std::size_t>(panels.size(), 4);
  page.show_values = vm["values"].as<bool>();
  files.write([&](const std::vector<pictures::ImageFile>& into) { pictures::draw_heatmaps(panels, page, into); });
  report_written(files, panels.size());
  return 0;
}

}  // namespace

}  // namespace heed::cli
