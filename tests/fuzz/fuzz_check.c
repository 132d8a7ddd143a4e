/* Checks shared by the fuzz targets. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_targets.h"
#include "nnlite.h"

void fuzz_check_failure(int status)
{
    /* every failure names its cause; an unknown status would be a bug */
    if (nnl_last_error()[0] == '\0' || strcmp(nnl_status_str((nnl_status)status), "unknown status") == 0)
        abort();
}
