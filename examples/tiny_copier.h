// A model of our own behind heed's Seq2SeqModel interface, so that heed's trainer, decoding and
// checkpoints take it: each target position attends over the source (queries from the target
// token and its position), then our SwiGLU and the generator. No decoder self-attention: enough
// to learn `copy`, which needs only "which source position is mine".
#pragma once

#include <heed/heed.h>

#include "swiglu.h"

class TinyCopier : public heed::Seq2SeqModel {
 public:
  explicit TinyCopier(const heed::ModelConfig& config);
  // src ids (B·S) -> memory (B·S, C): each token's embedding plus its position
  heed::EncodedSource encode(const std::vector<std::int32_t>& src, heed::Index batch) const override;
  // tgt_in ids (B·T) -> logits (B·T, V)
  heed::Tensor decode(const std::vector<std::int32_t>& tgt_in, const heed::EncodedSource& source) const override;
  std::unique_ptr<heed::DecoderState> start_decoding(const heed::EncodedSource& source,
                                                     heed::Index max_steps) const override;
  // queries (B·T, C) -> logits (B·T, V): attention over the source, SwiGLU, generator
  heed::Tensor predict(const heed::Tensor& queries, const heed::EncodedSource& source) const;

  heed::Embedding src_embed, tgt_embed;
  heed::PositionalEncoding positions;  // sinusoidal: a constant, not a parameter
  heed::MultiHeadAttention attention;
  SwiGlu feed_forward;
  heed::Linear generator;
};
