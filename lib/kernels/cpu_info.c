/* nnl_cpu_info_get(): the CPU's name and caches (core/cpu_caches.c) with
 * the SGEMM micro-tile of the active kernels and the blocks the driver
 * derives from those caches (gemm_blocks.c). */
#include <string.h>

#include "core/cpu.h"
#include "core/error.h"
#include "core/options.h"
#include "kernels/gemm_driver.h"
#include "kernels/kernels.h"
#include "nnlite/runtime.h"

nnl_status nnl_cpu_info_get(nnl_cpu_info *info)
{
    NNL_CHECK_PTR("nnl_cpu_info_get", info);
    const nnl_cpu_caches *caches = nnl_cpu_caches_get();
    const nnl_kernels *k = nnl_kernels_active();
    nnl_cpu_info v = NNL_CPU_INFO_INIT;
    strncpy(v.model, nnl_cpu_model(), sizeof v.model - 1);
    v.simd = k->level;
    v.l1d_bytes = caches->l1d;
    v.l2_bytes = caches->l2;
    v.l3_bytes = caches->l3;
    k->gemm_tile(&v.gemm_mr, &v.gemm_nr);
    if (v.gemm_mr > 0) {
        nnl_gemm_blocks b = nnl_gemm_blocks_for(v.gemm_mr, v.gemm_nr, caches);
        v.gemm_kc = b.kc;
        v.gemm_mc = b.mc;
        v.gemm_nc = b.nc;
    }
    return NNL_OPTIONS_WRITE(nnl_cpu_info, NNL_CPU_INFO_INIT, NNL_CPU_INFO_MIN_SIZE, info, &v, "nnl_cpu_info_get");
}
