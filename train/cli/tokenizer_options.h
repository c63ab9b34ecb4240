// The tokenizer options of `heed train` (--tokenizer, --bpe-merges, --spm-*, --min-freq,
// --shared-vocab): set with the model, since they decide the vocabularies; a resumed run keeps
// its checkpoint's tokenizer, and finetune always does.
#pragma once

#include <string>

#include "data/preprocessor.h"
#include "train/cli/cli.h"

namespace heed::cli {

po::options_description tokenizer_options();

// Checks the options at parse time (UsageError naming the option): a known tokenizer and
// SentencePiece type, --spm-* only with --tokenizer spm, and an --spm-model file that holds a
// SentencePiece model.
void check_tokenizer_options(const po::variables_map& vm);

// What Preprocessor::build takes; reads the --spm-model file.
TokenizerOptions read_tokenizer_options(const po::variables_map& vm);

// Resuming a run: --tokenizer or an --spm-* option given that would change the checkpoint's
// tokenizer is refused (UsageError naming the option, both values and the checkpoint).
void check_same_tokenizer(const po::variables_map& vm, const VocabularyState& saved, const std::string& checkpoint);

// Resuming a run: --bpe-merges, --min-freq or --shared-vocab given with another value than the
// checkpoint's run was started with is refused (UsageError), rather than silently ignored: the
// vocabularies are the checkpoint's. `stored` is the run's options (/train/options); an option
// missing there (older files) is not compared.
void check_same_vocabulary_options(const po::variables_map& vm, const std::map<std::string, AttrValue>& stored,
                                   const std::string& checkpoint);

// Sets the tokenizer options in `vm` to those of `saved` (for --dump-config of a resume).
void take_tokenizer_options_from(po::variables_map& vm, const VocabularyState& saved);

}  // namespace heed::cli
