// Padding and causal masks.
#include "layers/masks.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

Mask non_pad_mask(const std::vector<std::int32_t>& ids, Index batch) {
  HEED_CHECK(batch > 0 && Index(ids.size()) % batch == 0,
             "non_pad_mask: " << ids.size() << " ids do not split into " << batch << " sequences");
  const Index len = Index(ids.size()) / batch;
  Mask keep(batch, len);
  for (Index i = 0; i < keep.size(); ++i) keep.data()[i] = ids[std::size_t(i)] != 0;
  return keep;
}

Mask attention_mask(Index batch, Index q_len, Index k_len, const Mask& keys, bool causal) {
  HEED_CHECK(keys.size() == 0 || (keys.rows() == batch && keys.cols() == k_len),
             "attention_mask: key mask is " << shape_str(keys) << ", expected (" << batch << "," << k_len << ")");
  Mask m(batch * q_len, k_len);
  for (Index b = 0; b < batch; ++b)
    for (Index t = 0; t < q_len; ++t)
      for (Index k = 0; k < k_len; ++k)
        m(b * q_len + t, k) = (keys.size() == 0 || keys(b, k)) && (!causal || k <= t);
  return m;
}

AttentionMask attention_pattern(const Mask& keys, bool causal, Index window) {
  const Index before = window > 0 ? window : -1;
  return AttentionMask::pattern(keys.size() == 0 || keys.all() ? Mask() : keys, before, causal ? 0 : before);
}

Mask padding_mask_or_none(Index batch, Index q_len, Index k_len, const Mask& keys) {
  HEED_CHECK(keys.size() == 0 || (keys.rows() == batch && keys.cols() == k_len),
             "padding_mask_or_none: key mask is " << shape_str(keys) << ", expected (" << batch << "," << k_len << ")");
  if (keys.size() == 0 || keys.all()) return Mask();
  return attention_mask(batch, q_len, k_len, keys, /*causal=*/false);
}

HEED_NAMESPACE_END
