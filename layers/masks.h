// Building attention masks. One convention everywhere: true = may attend.
// An attention mask is (B·Tq, Tk): row b·Tq + t says which keys query t of sequence b sees.
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/attention_mask.h"
#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

// (B, T) from token ids laid out row b·T + t: true where the token is not PAD (id 0).
Mask non_pad_mask(const std::vector<std::int32_t>& ids, Index batch);

// (B·Tq, Tk): key t' is visible to query t of sequence b when keys(b, t') is true (or keys
// is empty) and, if causal, t' <= t.
Mask attention_mask(Index batch, Index q_len, Index k_len, const Mask& keys, bool causal);

// The mask of self- or cross-attention as a pattern, never a (B·Tq, Tk) matrix: keys (B, Tk) not
// padding (dropped when none is), no later key when causal, and only the keys within `window`
// positions of the query (0 = no window): local attention's band.
AttentionMask attention_pattern(const Mask& keys, bool causal, Index window);

// The same without causality, or an empty mask (which attention reads as "every key
// visible") when no key is padding: the attention then skips masking altogether.
Mask padding_mask_or_none(Index batch, Index q_len, Index k_len, const Mask& keys);

HEED_NAMESPACE_END
