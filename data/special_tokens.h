// The special token ids, the same in every vocabulary (README "Token ids"):
// source = tokens + EOS, decoder input = BOS + tokens, decoder target = tokens + EOS.
#pragma once

#include <cstdint>

namespace heed {

inline constexpr std::int32_t kPad = 0;  // padding: masked in attention, ignored by the loss
inline constexpr std::int32_t kBos = 1;  // <s>
inline constexpr std::int32_t kEos = 2;  // </s>
inline constexpr std::int32_t kUnk = 3;  // <unk>
inline constexpr std::int32_t kNumSpecials = 4;

}  // namespace heed
