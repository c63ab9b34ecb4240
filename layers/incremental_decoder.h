// Step-by-step decoding with a key/value cache: each new target token runs the decoder for its
// own position only, reusing the keys and values of the positions before it and of the
// source. Inference only (no tape); eval mode is assumed (no dropout).
#pragma once

#include <cstdint>
#include <vector>

#include "layers/kv_cache.h"
#include "layers/transformer.h"

HEED_NAMESPACE_BEGIN

class IncrementalDecoder : public DecoderState {
 public:
  // source from model.encode(src, batch); max_steps bounds the positions that step() may reach.
  IncrementalDecoder(const Transformer& model, const EncodedSource& source, Index max_steps);

  // tokens (B): the token at the current position of each sequence -> logits (B, V) for the next.
  Matrix step(const std::vector<std::int32_t>& tokens) override;
  // Keeps sequences `rows` of the current batch, in that order (repeats allowed): for beam
  // search, which grows one source into K hypotheses and reorders them every step.
  void select(const std::vector<Index>& rows) override;

 private:
  struct LayerCache {
    SelfAttentionCache self;
    Matrix cross_k, cross_v;                        // (B·S, C), softmax cross-attention
    std::optional<LinearAttentionSums> cross_sums;  // linear cross-attention: the source's sums
  };
  Tensor cross_attention(const MultiHeadAttention& attn, const Tensor& x, const LayerCache& cache) const;

  const Transformer& model_;
  std::vector<LayerCache> caches_;
  Mask src_keys_;  // (B, S) of the sequences at the start
  std::vector<Index> sequence_of_row_;  // the start's sequence whose source each current row reads
  Index batch_, src_len_, max_steps_, position_ = 0;
};

HEED_NAMESPACE_END
