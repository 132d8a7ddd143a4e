/**
 * @file nnlite/runtime.h
 * @brief Threads and SIMD level: process-wide settings of the library.
 *
 * @defgroup runtime Runtime
 * @{
 */
#ifndef NNLITE_RUNTIME_H
#define NNLITE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

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
 * @param n 1 to 1024; the default is the number of cores the process may run on (its CPU affinity
 *          mask, else the online CPUs), counted when the library first needs it.
 * @return ::NNL_OK, or ::NNL_E_INVALID_ARG when n < 1 or n > 1024.
 */
NNL_API nnl_status nnl_set_num_threads(int n);

/**
 * @brief Current number of compute threads.
 * @return 1 or more. Thread-safe.
 */
NNL_API int nnl_get_num_threads(void);

/**
 * @brief What nnlite found out about the CPU it runs on, and how it blocks
 *        the matrix product for it.
 *
 * A sized struct (docs/versioning.md): initialise it with ::NNL_CPU_INFO_INIT
 * (which sets struct_size) and fill it with nnl_cpu_info_get(). The cache
 * sizes come from cpuid (leaf 4 on Intel, 0x8000001D on AMD) or the C
 * library; the SGEMM blocks follow from them (docs/performance.md).
 */
typedef struct nnl_cpu_info {
    size_t struct_size; /**< sizeof(nnl_cpu_info) as the caller was compiled */
    char model[64];     /**< the CPU's brand string, "" where the CPU gives none */
    nnl_simd simd;      /**< the level the kernels run at: nnl_simd_level() */
    int64_t l1d_bytes;  /**< level-1 data cache of one core (32768 when unknown) */
    int64_t l2_bytes;   /**< level-2 cache of one core (262144 when unknown) */
    int64_t l3_bytes;   /**< level-3 cache, shared by the cores that have it (0: none or unknown) */
    int gemm_mr;        /**< rows of the SGEMM micro-tile (0 at the scalar level, which does not block) */
    int gemm_nr;        /**< columns of the micro-tile (0 at the scalar level) */
    int64_t gemm_kc;    /**< depth of a slice of K (0 at the scalar level) */
    int64_t gemm_mc;    /**< rows of a packed block of A (0 at the scalar level) */
    int64_t gemm_nc;    /**< columns of a packed block of B (0 at the scalar level) */
} nnl_cpu_info;

/** Initialiser of ::nnl_cpu_info: sets struct_size, zeroes the rest. */
#define NNL_CPU_INFO_INIT {sizeof(nnl_cpu_info), "", NNL_SIMD_SCALAR, 0, 0, 0, 0, 0, 0, 0, 0}

/**
 * @brief Describe this CPU and the blocking the kernels use on it.
 *
 * Detected once per process; thread-safe.
 * @param info set up with ::NNL_CPU_INFO_INIT; filled up to its struct_size.
 * @return ::NNL_OK; ::NNL_E_INVALID_ARG when info is NULL or its struct_size
 *         is not that of a version of ::nnl_cpu_info.
 */
NNL_API nnl_status nnl_cpu_info_get(nnl_cpu_info *info);

NNL_END_DECLS

#endif
/** @} */
