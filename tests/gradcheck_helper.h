// Kept for tests that include it: the helpers live in the public <heed/testing.h>.
#pragma once

#include <heed/testing.h>
