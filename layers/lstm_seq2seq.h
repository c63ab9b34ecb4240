// The RNN encoder-decoders that attention grew out of, as one family with two forms:
//
//   lstm            a multi-layer LSTM encoder and decoder; decoder layer l starts from encoder
//                   layer l's final (h, c) and sees nothing else of the source: the whole
//                   sentence must pass through that fixed-size state (the bottleneck).
//   lstm-attention  the same, plus Luong et al. (2015) global attention with input feeding:
//                   at every step the top decoder state h_t scores all encoder states
//                   (score = h_t · W_a·h̄_s, the "general" form), the context c_t is their
//                   softmax-weighted sum over non-padding positions, and h̃_t = tanh(W_c[c_t; h_t])
//                   predicts the next token and is fed to the next step's input beside the
//                   token embedding, so the decoder knows what it attended to.
//
// Parameters: src_embed, tgt_embed (V, C); encoder.* and decoder.* with nn.LSTM's names
// (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …); attn_score.weight (C, C) and
// attn_combine.weight (C, 2C) for lstm-attention; generator (V, C). Dropout on the embeddings,
// between LSTM layers and before the generator. Hidden size = embedding size = d_model.
#pragma once

#include <memory>

#include "layers/basic.h"
#include "layers/lstm.h"
#include "layers/seq2seq_model.h"

HEED_NAMESPACE_BEGIN

class LstmSeq2Seq : public Seq2SeqModel {
 public:
  explicit LstmSeq2Seq(const ModelConfig& config);

  // memory = the top encoder layer's h at every source position; final_states per layer.
  EncodedSource encode(const std::vector<std::int32_t>& src, Index batch) const override;
  Tensor decode(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source) const override;
  std::unique_ptr<DecoderState> start_decoding(const EncodedSource& source, Index max_steps) const override;

  bool attends() const { return config_.arch == Arch::LstmAttention; }
  // Attention: keys (B·S, C) = memory·W_aᵀ, computed once per source.
  Tensor attention_keys(const EncodedSource& source) const;
  // One step of attention with input feeding: top decoder state h (B, C) -> h̃ (B, C). weights,
  // when given, receives the step's attention weights (B, S).
  Tensor attend(const Tensor& h, const Tensor& keys, const Tensor& memory, const Mask& mask, Index batch,
                Matrix* weights = nullptr) const;
  // lstm-attention: cross holds the one attention (T, S); lstm: no maps.
  AttentionMaps attention_maps(const std::vector<std::int32_t>& src, const std::vector<std::int32_t>& tgt_in) const override;

  Embedding src_embed, tgt_embed;
  Lstm encoder, decoder;
  std::unique_ptr<Linear> attn_score, attn_combine;  // lstm-attention only
  Linear generator;
  Dropout dropout;

 private:
  // The attentive decoder over the whole target; weights, when given, receives every step's
  // attention (B·T, S), row b·T + t.
  Tensor decode_attending(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source, Matrix* weights) const;
};

HEED_NAMESPACE_END
