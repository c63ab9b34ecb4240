// The one interface every encoder-decoder family implements (Transformer, LSTM, LSTM with
// attention). The trainer, evaluation, greedy and beam decoding, checkpoints and the benchmark
// see only this: named parameters (Module), the config, the dropout generator, encode,
// teacher-forced decode to logits, and an incremental decoding state.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/random.h"
#include "layers/model_config.h"
#include "layers/module.h"

HEED_NAMESPACE_BEGIN

// A batch of B sequences, each padded (id 0) to a common length, laid out row b·T + t.
struct Seq2SeqBatch {
  Index batch = 0;
  std::vector<std::int32_t> src;      // (B, S): tokens + EOS
  std::vector<std::int32_t> tgt_in;   // (B, T): BOS + tokens
  std::vector<std::int32_t> tgt_out;  // (B, T): tokens + EOS, the loss targets
};

// What the encoder hands the decoder.
struct EncodedSource {
  Index batch = 0;
  std::vector<std::int32_t> src;     // (B·S) ids: the source padding
  Tensor memory;                     // (B·S, C): one state per source position
  std::vector<Tensor> final_states;  // RNNs: per layer (B, 2H) = [h | c] after each sequence's last token
};

// Sequences `rows` of `source`, in that order (repeats allowed): for beam search.
EncodedSource select_sequences(const EncodedSource& source, const std::vector<Index>& rows);
// The same for a tensor of `per_sequence` rows per sequence (no gradient).
Tensor select_rows(const Tensor& t, Index per_sequence, const std::vector<Index>& rows);

// Every attention weight of one teacher-forced pass over one sentence pair, per layer, each head's
// rows one after another: row h·Tq + q holds query q's weights over the keys (after masking, so a
// masked key has weight 0 and a row sums to 1).
struct AttentionMaps {
  Index heads = 0;
  std::vector<Matrix> encoder_self;  // per encoder layer (H·S, S)
  std::vector<Matrix> decoder_self;  // per decoder layer (H·T, T), causal
  std::vector<Matrix> cross;         // per decoder layer (H·T, S); lstm-attention: one layer, one head
};

// Decoding one position at a time for a batch, keeping whatever the family needs (a key/value
// cache, recurrent states). Inference only: eval mode, no tape.
class DecoderState {
 public:
  virtual ~DecoderState() = default;
  // tokens (B): each sequence's token at the current position -> logits (B, V) for the next.
  virtual Matrix step(const std::vector<std::int32_t>& tokens) = 0;
  // Keeps sequences `rows` of the current batch, in that order (repeats allowed).
  virtual void select(const std::vector<Index>& rows) = 0;
};

class Seq2SeqModel : public Module {
 public:
  // src ids (B·S), tokens + EOS padded with PAD.
  virtual EncodedSource encode(const std::vector<std::int32_t>& src, Index batch) const = 0;
  // Teacher forcing: tgt_in ids (B·T), BOS + tokens -> logits (B·T, V_tgt).
  virtual Tensor decode(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source) const = 0;
  // A state that decodes up to max_steps positions from `source`.
  virtual std::unique_ptr<DecoderState> start_decoding(const EncodedSource& source, Index max_steps) const = 0;

  // -> logits (B·T, V_tgt)
  Tensor forward(const Seq2SeqBatch& batch) const;
  // The attention weights of the teacher-forced pass over one pair: src (S) tokens + EOS, tgt_in
  // (T) BOS + tokens. Inference only (no tape; call in eval mode). Families that do not attend
  // return no maps.
  virtual AttentionMaps attention_maps(const std::vector<std::int32_t>& src, const std::vector<std::int32_t>& tgt_in) const;

  const ModelConfig& config() const { return config_; }
  // The generator that draws dropout masks; a checkpoint saves its state (exact resume).
  Rng& dropout_rng() { return dropout_rng_; }

 protected:
  explicit Seq2SeqModel(const ModelConfig& config);
  // The embeddings' init std: 1 as nn.Embedding, or 1/sqrt(d_model) with scaled_embedding_init.
  double embedding_std() const;
  ModelConfig config_;
  Rng init_rng_, dropout_rng_;  // the family's layers are built after these, and draw from them
};

// The family `config.arch` names.
std::unique_ptr<Seq2SeqModel> make_model(const ModelConfig& config);

HEED_NAMESPACE_END
