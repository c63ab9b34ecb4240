// Loading examples, building and applying the tokenizer and vocabularies.
#include "data/preprocessor.h"

#include <iostream>
#include <set>

#include "data/bpe.h"
#include "data/tsv.h"

namespace heed {

std::vector<Example> load_examples(const DataSource& source, const std::string& split) {
  if (!source.task.empty()) return make_task(source.task, split, source.task_options);
  const TsvCorpus corpus = read_tsv(source.tsv);
  if (corpus.skipped_long > 0 || corpus.skipped_empty > 0)
    std::cerr << source.tsv << ": skipped " << corpus.skipped_long << " over-long and " << corpus.skipped_empty
              << " empty lines of " << corpus.lines_read << "\n";
  std::vector<Example> out;
  out.reserve(corpus.pairs.size());
  for (const SentencePair& p : corpus.pairs) out.push_back(Example{p.source, p.target, ""});
  return out;
}

namespace {

// Both sides' text: subword models are learned from source and target together.
std::vector<std::string> both_sides(const std::vector<Example>& examples) {
  std::vector<std::string> text;
  for (const Example& e : examples) {
    text.push_back(e.source);
    text.push_back(e.target);
  }
  return text;
}

std::shared_ptr<Tokenizer> learn_tokenizer(const std::vector<Example>& train, const TokenizerOptions& options) {
  if (options.type == "bpe") return std::make_shared<BpeTokenizer>(BpeTokenizer::learn(both_sides(train), options.bpe_merges));
  if (options.type == "spm")
    return std::make_shared<SpmTokenizer>(options.spm.bytes.empty() ? train_spm(both_sides(train), options.spm.trained)
                                                                    : options.spm);
  return make_tokenizer(options.type);
}

// Every piece a subword tokenizer can produce, so that words never seen in training
// (fine-tuning data) spell out in known pieces instead of <unk>: for BPE every single symbol of
// the text and every merge result; for SentencePiece every piece of its model.
std::pair<std::set<std::string>, std::set<std::string>> all_pieces(const Tokenizer& tok, const std::vector<Example>& train) {
  std::set<std::string> src, tgt;
  if (const auto* bpe = dynamic_cast<const BpeTokenizer*>(&tok)) {
    for (const BpeMerge& m : bpe->merges()) {
      src.insert(m.first + m.second);
      tgt.insert(m.first + m.second);
    }
    for (const Example& e : train) {
      for (const auto& word : bpe_words(e.source)) src.insert(word.begin(), word.end());
      for (const auto& word : bpe_words(e.target)) tgt.insert(word.begin(), word.end());
    }
  } else if (const auto* spm = dynamic_cast<const SpmTokenizer*>(&tok)) {
    for (const std::string& piece : spm->pieces()) {
      src.insert(piece);
      tgt.insert(piece);
    }
  }
  return {src, tgt};
}

}  // namespace

Preprocessor Preprocessor::build(const std::vector<Example>& train, const TokenizerOptions& tokenizer,
                                 std::size_t min_freq, bool shared_vocab) {
  const std::shared_ptr<Tokenizer> tok = learn_tokenizer(train, tokenizer);
  std::vector<std::vector<std::string>> src, tgt;
  for (const Example& e : train) {
    src.push_back(tok->tokenize(e.source));
    tgt.push_back(tok->tokenize(e.target));
  }
  const auto [src_pieces, tgt_pieces] = all_pieces(*tok, train);
  if (!src_pieces.empty())
    for (std::size_t i = 0; i < std::max<std::size_t>(min_freq, 1); ++i) {  // counted min_freq times: all kept
      src.emplace_back(src_pieces.begin(), src_pieces.end());
      tgt.emplace_back(tgt_pieces.begin(), tgt_pieces.end());
    }
  if (shared_vocab) {  // one vocabulary from both sides, counted together
    src.insert(src.end(), tgt.begin(), tgt.end());
    const Vocabulary both = Vocabulary::build(src, min_freq);
    return Preprocessor(tok, both, both);
  }
  return Preprocessor(tok, Vocabulary::build(src, min_freq), Vocabulary::build(tgt, min_freq));
}

Preprocessor Preprocessor::from_state(const VocabularyState& state) {
  std::shared_ptr<Tokenizer> tok;
  if (state.tokenizer == "spm") {
    tok = std::make_shared<SpmTokenizer>(state.spm);
  } else {
    std::vector<BpeMerge> merges;
    for (const std::string& m : state.bpe_merges) {
      const std::size_t space = m.find(' ');
      if (space == std::string::npos) throw std::runtime_error("checkpoint: malformed BPE merge '" + m + "'");
      merges.emplace_back(m.substr(0, space), m.substr(space + 1));
    }
    tok = make_tokenizer(state.tokenizer, merges);
  }
  return Preprocessor(tok, Vocabulary::from_tokens(state.src), Vocabulary::from_tokens(state.tgt));
}

VocabularyState Preprocessor::state() const {
  VocabularyState s;
  s.src = src_vocab_.tokens();
  s.tgt = tgt_vocab_.tokens();
  s.tokenizer = tokenizer_->type();
  if (const auto* bpe = dynamic_cast<const BpeTokenizer*>(tokenizer_.get()))
    for (const BpeMerge& m : bpe->merges()) s.bpe_merges.push_back(m.first + " " + m.second);
  if (const auto* spm = dynamic_cast<const SpmTokenizer*>(tokenizer_.get())) s.spm = spm->model();
  return s;
}

namespace {

std::vector<std::int32_t> encode_with(const Tokenizer& tok, const Vocabulary& vocab, const std::string& text,
                                      std::size_t* unknown) {
  std::vector<std::int32_t> ids = vocab.encode(tok.tokenize(text));
  if (unknown)
    for (std::int32_t id : ids) *unknown += id == Vocabulary::kUnk;
  return ids;
}

}  // namespace

std::vector<std::int32_t> Preprocessor::encode_source(const std::string& text, std::size_t* unknown) const {
  return encode_with(*tokenizer_, src_vocab_, text, unknown);
}

std::vector<std::int32_t> Preprocessor::encode_target(const std::string& text, std::size_t* unknown) const {
  return encode_with(*tokenizer_, tgt_vocab_, text, unknown);
}

std::vector<EncodedPair> Preprocessor::encode(const std::vector<Example>& examples, std::size_t* unknown) const {
  std::vector<EncodedPair> out;
  out.reserve(examples.size());
  for (const Example& e : examples) out.push_back({encode_source(e.source, unknown), encode_target(e.target, unknown)});
  return out;
}

std::string Preprocessor::decode_target(const std::vector<std::int32_t>& ids) const {
  return tokenizer_->detokenize(tgt_vocab_.decode(ids));
}

std::vector<std::int32_t> pad_sources(const std::vector<std::vector<std::int32_t>>& sources) {
  std::size_t len = 0;
  for (const auto& s : sources) len = std::max(len, s.size() + 1);
  std::vector<std::int32_t> out(sources.size() * len, Vocabulary::kPad);
  for (std::size_t b = 0; b < sources.size(); ++b) {
    std::copy(sources[b].begin(), sources[b].end(), out.begin() + long(b * len));
    out[b * len + sources[b].size()] = Vocabulary::kEos;
  }
  return out;
}

}  // namespace heed
