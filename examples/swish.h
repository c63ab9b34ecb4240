// swish(x) = x·sigmoid(x) (Ramachandran et al., 2017): an op of our own, defined with heed's record().
#pragma once

#include <heed/heed.h>

heed::Tensor swish(const heed::Tensor& x);
