/**
 * @file nnlite/runtime.h
 * @brief Threads and SIMD level: process-wide settings of the library.
 *
 * @defgroup runtime Runtime
 * @{
 */
#ifndef NNLITE_RUNTIME_H
#define NNLITE_RUNTIME_H

#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/** Instruction-set level of the compute kernels. */
typedef enum nnl_simd {
    NNL_SIMD_SCALAR = 0,  /**< Portable C, the reference every other level is tested against. */
    NNL_SIMD_AVX2 = 1,    /**< x86-64 AVX2 + FMA. */
    NNL_SIMD_AVX512 = 2,  /**< x86-64 AVX-512 F/BW/DQ/VL. */
    NNL_SIMD_NEON = 3     /**< AArch64 Advanced SIMD. */
} nnl_simd;

/**
 * @brief The SIMD level the kernels use.
 *
 * Chosen once, on first use, from the CPU (cpuid, and xgetbv for OS support)
 * and lowered by the environment variable `NNL_SIMD=scalar|avx2|avx512|neon`
 * (a level the CPU lacks is ignored: the best supported one is used). Thread-safe.
 * @return the active level; the same value for the life of the process.
 */
NNL_API nnl_simd nnl_simd_level(void);

/**
 * @brief Name of a SIMD level.
 * @param level any value.
 * @return "scalar", "avx2", "avx512" or "neon"; "unknown" for any other value.
 *         A static string, never NULL. Thread-safe.
 */
NNL_API const char *nnl_simd_name(nnl_simd level);

/**
 * @brief Set the number of threads that compute kernels use.
 *
 * A process-wide setting. Call it between computations, not while another
 * thread trains or predicts. Results are deterministic for a given seed and
 * thread count.
 * @param n 1 to 1024; the default is the number of available cores.
 * @return ::NNL_OK, or ::NNL_E_INVALID_ARG when n < 1 or n > 1024.
 */
NNL_API nnl_status nnl_set_num_threads(int n);

/**
 * @brief Current number of compute threads.
 * @return 1 or more. Thread-safe.
 */
NNL_API int nnl_get_num_threads(void);

NNL_END_DECLS

#endif
/** @} */
