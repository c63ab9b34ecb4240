// One sentence's attention maps with their token labels.
#include "train/eval/sentence_attention.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

SentenceAttention sentence_attention(const TranslationModel& model, const std::string& source,
                                     const std::vector<std::int32_t>& output, bool ended) {
  const Seq2SeqModel& m = *model.model;
  HEED_CHECK(!m.is_training(), "sentence_attention: the model must be in eval mode");
  std::size_t full_length = 0;
  std::vector<std::int32_t> src = encode_source_cropped(model, source, &full_length);
  SentenceAttention out;
  out.source_cropped = src.size() < full_length;
  // The vocabulary's token for each id is what the model read (<unk> for a word it does not
  // know); the tokenizer's tokens, one per id, say what was typed there.
  for (const std::int32_t id : src) out.source_tokens.push_back(model.pre->src_vocab().token(id));
  out.source_typed = model.pre->tokenizer().tokenize(source);
  out.source_typed.resize(src.size());
  const std::vector<std::string>& specials = Vocabulary::special_tokens();
  const std::string& eos = specials[std::size_t(Vocabulary::kEos)];
  out.source_tokens.push_back(eos);
  out.source_typed.push_back(eos);
  src.push_back(Vocabulary::kEos);

  // A cut-off output has no position after its last token: decoding stopped before running it.
  out.output_ended = ended || output.empty();
  const std::size_t read = out.output_ended ? output.size() : output.size() - 1;
  std::vector<std::int32_t> tgt_in{Vocabulary::kBos};
  out.target_inputs.push_back(specials[std::size_t(Vocabulary::kBos)]);
  for (std::size_t i = 0; i < read; ++i) {
    tgt_in.push_back(output[i]);
    out.target_inputs.push_back(model.pre->tgt_vocab().token(output[i]));
  }
  for (const std::int32_t id : output) out.outputs.push_back(model.pre->tgt_vocab().token(id));
  if (out.output_ended) out.outputs.push_back(eos);
  out.maps = m.attention_maps(src, tgt_in);
  return out;
}

HEED_NAMESPACE_END
