// One sentence's attention maps with their token labels.
#include "train/eval/sentence_attention.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

SentenceAttention sentence_attention(const TranslationModel& model, const std::string& source,
                                     const std::vector<std::int32_t>& output) {
  const Seq2SeqModel& m = *model.model;
  HEED_CHECK(!m.is_training(), "sentence_attention: the model must be in eval mode");
  std::vector<std::int32_t> src = encode_source_cropped(model, source);
  SentenceAttention out;
  // The tokenizer's own tokens, not the vocabulary's: a word the model does not know shows as
  // written rather than as <unk>. One token per id, so cropping keeps the first ones.
  out.source_tokens = model.pre->tokenizer().tokenize(source);
  out.source_tokens.resize(src.size());
  const std::vector<std::string>& specials = Vocabulary::special_tokens();
  out.source_tokens.push_back(specials[std::size_t(Vocabulary::kEos)]);
  src.push_back(Vocabulary::kEos);

  std::vector<std::int32_t> tgt_in{Vocabulary::kBos};
  out.target_inputs.push_back(specials[std::size_t(Vocabulary::kBos)]);
  for (const std::int32_t id : output) {
    const std::string& token = model.pre->tgt_vocab().token(id);
    tgt_in.push_back(id);
    out.target_inputs.push_back(token);
    out.outputs.push_back(token);
  }
  out.outputs.push_back(specials[std::size_t(Vocabulary::kEos)]);
  out.maps = m.attention_maps(src, tgt_in);
  return out;
}

HEED_NAMESPACE_END
