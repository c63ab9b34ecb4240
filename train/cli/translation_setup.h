// What eval, translate and score share: decoding options, loading checkpoints for decoding (one
// model or an ensemble), and reading text files ("-" for stdin).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/preprocessor.h"
#include "train/cli/cli.h"
#include "train/eval/translate.h"

namespace heed::cli {

// A file the user named must exist and be a file: else a UsageError "PATH: no such file" or
// "PATH: is a directory, not WHAT".
void require_file(const std::string& path, const std::string& what);

// --beam, --length-penalty, --max-output, --threads.
po::options_description decode_options();
// The values of decode_options(), each refused with one line when out of range.
DecodeOptions read_decode_options(const po::variables_map& vm);

// A checkpoint's model (any family) and its tokenizer and vocabularies.
struct LoadedModel {
  std::string path;
  std::unique_ptr<Seq2SeqModel> model;
  std::unique_ptr<Preprocessor> pre;
};

// --int8: 8-bit weights for decoding (layers/quantize.h).
po::options_description int8_option();
// Quantizes the model when --int8 was given. Returns what its products run in, as eval --json and
// bench's JSON say it: "float32", or "int8 (LIBRARY)".
std::string quantize_if_asked(const po::variables_map& vm, const LoadedModel& loaded);

// One-line errors for a missing file, a directory, a damaged checkpoint.
LoadedModel load_for_decoding(const std::string& path);
// Several checkpoints decoded as an ensemble: every one must have the first's target vocabulary
// and tokenizer (their outputs are averaged token by token); else a UsageError naming the first
// difference. Source vocabularies may differ: each model reads the source its own way.
std::vector<LoadedModel> load_ensemble(const std::vector<std::string>& paths);
std::vector<TranslationModel> translation_models(const std::vector<LoadedModel>& loaded);

// Every line of a text file, or of stdin for "-" (a BOM skipped, CR dropped, invalid UTF-8 or
// NUL refused with file:line). One-line errors for a missing file or a directory.
std::vector<std::string> read_text_file(const std::string& path);

}  // namespace heed::cli
