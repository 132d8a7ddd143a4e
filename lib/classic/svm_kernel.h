/* Internal: the RBF kernel rows of the SVM's training samples, bounded by
 * the cache size (svm_kernel.c). Samples are in class order (class 0's,
 * then class 1's, ...), so a class pair's part of a row is two runs. */
#ifndef NNL_CLASSIC_SVM_KERNEL_H
#define NNL_CLASSIC_SVM_KERNEL_H

#include <stdint.h>

#include "nnlite/status.h"

typedef struct nnl_svm_kernel {
    int64_t n, f;
    const float *x;     /* n * f, borrowed */
    float *norm;        /* n squared norms */
    float gamma;
    /* Whole matrix mode (it fits the cache): n * n, read-only after setup,
     * so rows may be read from many threads. */
    float *full;
    /* Cache mode: `slots` rows of n, least recently used evicted; one
     * thread at a time. */
    int64_t slots, clock;
    float *rows;        /* slots * n */
    int64_t *slot_of;   /* n: the slot holding row i, or -1 */
    int64_t *owner;     /* slots: the row in the slot, or -1 */
    int64_t *used;      /* slots: clock of the last use */
} nnl_svm_kernel;

/* Sets up the kernel of x (n * f) with `gamma` in at most cache_bytes of
 * rows (at least two rows whatever the size): the whole matrix, computed
 * now by GEMM blocks on `threads` threads, when it fits; rows on demand
 * otherwise. NNL_E_NOMEM. */
nnl_status nnl_svm_kernel_init(nnl_svm_kernel *k, const float *x, int64_t n, int64_t f, float gamma,
                               double cache_bytes, int threads);
void nnl_svm_kernel_free(nnl_svm_kernel *k);
/* Whether rows may be read from several threads at once (whole matrix). */
int nnl_svm_kernel_shared(const nnl_svm_kernel *k);
/* Row i: n kernel values, valid until the next call (cache mode) or the
 * free (whole matrix). The two rows most recently asked for stay valid. */
const float *nnl_svm_kernel_row(nnl_svm_kernel *k, int64_t i);
/* out (rows, cols; row stride ld_out) = K(a, b) for a (rows, f) with
 * squared norms a_norm and b (cols, f) with b_norm: one GEMM (a matvec per
 * row for a few rows) then the RBF pass (single thread). */
void nnl_svm_kernel_block(int64_t rows, int64_t cols, int64_t f, float gamma, const float *a, const float *a_norm,
                          const float *b, const float *b_norm, float *out, int64_t ld_out);

#endif
