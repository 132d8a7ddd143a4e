/* Portable packing of SGEMM panels (layouts in gemm_driver.h). The NEON
 * level uses these as they are; x86 levels use them for edge panels. */
#include "kernels/gemm_driver.h"

void nnl_gemm_pack_copy_generic(const float *src, int64_t ld, int64_t kc, int64_t valid,
                                int64_t width, float *dst)
{
    for (int64_t p = 0; p < kc; p++) {
        const float *row = src + p * ld;
        float *out = dst + p * width;
        for (int64_t w = 0; w < valid; w++)
            out[w] = row[w];
        for (int64_t w = valid; w < width; w++)
            out[w] = 0.0f;
    }
}

void nnl_gemm_pack_transpose_generic(const float *src, int64_t ld, int64_t kc, int64_t valid,
                                     int64_t width, float *dst)
{
    /* Walk each source row sequentially (good for the cache), scattering
     * into the panel with stride `width`. */
    for (int64_t w = 0; w < valid; w++) {
        const float *row = src + w * ld;
        for (int64_t p = 0; p < kc; p++)
            dst[p * width + w] = row[p];
    }
    for (int64_t p = 0; p < kc; p++)
        for (int64_t w = valid; w < width; w++)
            dst[p * width + w] = 0.0f;
}
