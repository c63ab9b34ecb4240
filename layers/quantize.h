// 8-bit weights for inference (heed translate --int8): every Linear's weight and every
// attention's packed in_proj get an 8-bit copy (autograd/int8_linear.h), used whenever gradients
// are off. Embedding lookups, layer norms and the LSTM's recurrent products stay float.
#pragma once

#include "layers/module.h"

HEED_NAMESPACE_BEGIN

// Quantizes model's matrices in place (the float ones stay, for training and for the layers
// that are not quantized); returns how many matrices were quantized. The copies do not follow
// later changes of the float weights (training, loading): quantize again after those.
Index quantize_int8(Module& model);

HEED_NAMESPACE_END
