// The decoder-only language model (README "Model families", lm): token embedding scaled by
// sqrt(d_model) plus positions, a stack of pre-LN self-attention layers under a causal mask (each
// position sees itself and those before it), a final LayerNorm and a `generator` to vocabulary
// logits, optionally tied to the embedding. It is a Seq2SeqModel with an empty source: encode()
// holds nothing, decode() is the teacher-forced pass, start_decoding() a key/value cache.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/positional.h"
#include "layers/seq2seq_model.h"
#include "layers/transformer_layers.h"

HEED_NAMESPACE_BEGIN

class LanguageModel : public Seq2SeqModel {
 public:
  explicit LanguageModel(const ModelConfig& config);

  // No source: src must be empty; the result only carries the batch size.
  EncodedSource encode(const std::vector<std::int32_t>& src, Index batch) const override;
  // tokens (B·T) -> logits (B·T, V) for the token after each position.
  Tensor decode(const std::vector<std::int32_t>& tokens, const EncodedSource& source) const override;
  // Incremental decoding over a key/value cache of up to max_steps (<= max_len) positions.
  std::unique_ptr<DecoderState> start_decoding(const EncodedSource& source, Index max_steps) const override;

  // Step by step: the embedding of one token per sequence at `position` (B, C), in eval mode.
  Tensor embed_step(const std::vector<std::int32_t>& tokens, Index position) const;

  Embedding embed;
  PositionalEncoding positions;
  // nn.TransformerEncoderLayer's layers under a causal mask are a decoder without cross-attention,
  // hence the stack's name: decoder.layers.N.*, decoder.norm.*
  Encoder decoder;
  Linear generator;

 private:
  Dropout embed_dropout_;
};

HEED_NAMESPACE_END
