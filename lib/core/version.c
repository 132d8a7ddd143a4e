/* Run-time version queries. */
#include "nnlite/version.h"

const char *nnl_version_string(void) { return NNL_VERSION_STRING; }
int nnl_version_number(void) { return NNL_VERSION_NUMBER; }
int nnl_abi_version(void) { return NNL_ABI_VERSION; }
