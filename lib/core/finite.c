/* NaN and infinity scans with messages that say where the value was. */
#include "core/finite.h"

#include <math.h>

#include "core/error.h"

int64_t nnl_first_non_finite(const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return i;
    return -1;
}

nnl_status nnl_check_finite(const float *x, int64_t n, const char *who, const char *what)
{
    int64_t i = nnl_first_non_finite(x, n);
    if (i < 0)
        return NNL_OK;
    return nnl_error(NNL_E_NUMERIC, "%s: %s element %lld is %g", who, what, (long long)i, (double)x[i]);
}
