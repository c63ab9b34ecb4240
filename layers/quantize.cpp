// 8-bit copies of the weights of linear layers and attention projections.
#include "layers/quantize.h"

#include <memory>

#include "layers/attention.h"
#include "layers/basic.h"

HEED_NAMESPACE_BEGIN

Index quantize_int8(Module& model) {
  Index quantized = 0;
  model.for_each_module([&](Module& module) {
    if (auto* layer = dynamic_cast<Linear*>(&module)) {
      layer->int8_weight = std::make_shared<const Int8Matrix>(quantize_rows(layer->weight.value()));
      ++quantized;
    } else if (auto* attention = dynamic_cast<MultiHeadAttention*>(&module)) {
      attention->int8_in_proj = std::make_shared<const Int8Matrix>(quantize_rows(attention->in_proj_weight.value()));
      ++quantized;
    }
  });
  return quantized;
}

HEED_NAMESPACE_END
