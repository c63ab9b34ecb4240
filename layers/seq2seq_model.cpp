// What all families share: the teacher-forced forward pass, beam search's reordering of an
// encoded source, and the factory by architecture.
#include "layers/seq2seq_model.h"

#include <cmath>

#include "autograd/check.h"
#include "layers/language_model.h"
#include "layers/lstm_seq2seq.h"
#include "layers/transformer.h"

HEED_NAMESPACE_BEGIN

Seq2SeqModel::Seq2SeqModel(const ModelConfig& config)
    : config_(config), init_rng_(config.seed), dropout_rng_(config.seed ^ 0x5DEECE66Dull) {}

double Seq2SeqModel::embedding_std() const {
  return config_.scaled_embedding_init ? 1.0 / std::sqrt(double(config_.d_model)) : 1.0;
}

Tensor Seq2SeqModel::forward(const Seq2SeqBatch& b) const {
  HEED_CHECK(b.tgt_in.size() == b.tgt_out.size(),
             arch_name(config_.arch) << ": " << b.tgt_in.size() << " decoder inputs but " << b.tgt_out.size() << " targets");
  return decode(b.tgt_in, encode(b.src, b.batch));
}

AttentionMaps Seq2SeqModel::attention_maps(const std::vector<std::int32_t>&, const std::vector<std::int32_t>&) const {
  return {};
}

Tensor select_rows(const Tensor& t, Index per_sequence, const std::vector<Index>& rows) {
  Matrix out(Index(rows.size()) * per_sequence, t.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.middleRows(Index(i) * per_sequence, per_sequence) = t.value().middleRows(rows[i] * per_sequence, per_sequence);
  return Tensor(std::move(out));
}

EncodedSource select_sequences(const EncodedSource& source, const std::vector<Index>& rows) {
  const Index s = Index(source.src.size()) / source.batch;
  EncodedSource out;
  out.batch = Index(rows.size());
  for (Index r : rows) {
    HEED_CHECK(r >= 0 && r < source.batch, "select_sequences: row " << r << " of " << source.batch);
    out.src.insert(out.src.end(), source.src.begin() + r * s, source.src.begin() + (r + 1) * s);
  }
  if (source.memory.defined()) out.memory = select_rows(source.memory, s, rows);
  for (const Tensor& state : source.final_states) out.final_states.push_back(select_rows(state, 1, rows));
  return out;
}

std::unique_ptr<Seq2SeqModel> make_model(const ModelConfig& config) {
  validate(config);
  if (config.arch == Arch::Transformer) return std::make_unique<Transformer>(config);
  if (config.arch == Arch::Lm) return std::make_unique<LanguageModel>(config);
  return std::make_unique<LstmSeq2Seq>(config);
}

HEED_NAMESPACE_END
