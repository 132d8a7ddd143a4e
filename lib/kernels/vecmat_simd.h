/* Row vector times matrix, skipping the vector's zeros: the SIMD body
 * shared by vecmat_avx2.c and vecmat_avx512.c (include vec_<isa>.h first).
 * Shapes as in the oracle vecmat.c:
 *
 *   y (n) = x (k) W (k, n)        rows of W whose x[p] == 0 are not read
 *
 * Memory-bound on W: the nonzero x[p] of a slab of rows are listed first
 * (a branch per row would mispredict on half of them), then each block of
 * columns runs down the listed rows with one accumulator per vector of the
 * block. The threads take whole slabs, each summed from zero into a
 * partial y, and the partials are added in slab order: each core streams
 * whole rows of its own part of W (split by columns instead, every core's
 * prefetchers pulled in all of each row, and two threads were 10% slower
 * than one GEMM). The slabs follow from k alone, so y does not depend on
 * the thread count. With one slab (k <= VECMAT_SLAB_ROWS), or partials
 * too large for the stack (a wide W), the threads split the columns
 * instead, each summing its columns over all rows in order. */
#include <string.h>

#include "kernels/isa.h"
#include "kernels/parallel.h"

/* Rows listed per pass: their indices stay on the stack (8 KB). */
enum { VECMAT_CHUNK = 2048 };
/* Vectors per block of columns: accumulators that cover the FMA latency
 * and fit the registers of either level. */
#define VECMAT_NV 8

/* The rows p in [p0, p1) with x[p] != 0, in order, into idx; their count. */
static int64_t nonzero_rows(const float *x, int64_t p0, int64_t p1, int32_t *idx)
{
    int64_t count = 0;
    for (int64_t p = p0; p < p1; p++) {
        idx[count] = (int32_t)p;
        count += x[p] != 0.0f;
    }
    return count;
}

/* y[0, width) += `count` rows of W (column offset already in w and y),
 * each scaled by its x: the listed rows idx[t], or with idx NULL the rows
 * first + t (a chunk without zeros, listed for nothing). nv vectors, the
 * last one masked when `masked`. nv, masked and whether idx is NULL are
 * constants after inlining, so the accumulators stay in registers. */
NNL_INLINE void vecmat_block(int nv, int masked, int64_t width, int64_t count, const int32_t *idx, int64_t first,
                             const float *x, const float *w, int64_t n, float *y)
{
    vmask mask = vmask_first(width - (int64_t)(nv - 1) * VL);
    vf acc[VECMAT_NV];
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++)
        acc[v] = vf_load_tail(y + v * VL, last_masked(masked, v, nv), mask);
    for (int64_t t = 0; t < count; t++) {
        const int64_t p = idx ? idx[t] : first + t;
        const float *row = w + p * n;
        vf xv = vf_set1(x[p]);
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++)
            acc[v] = vf_fmadd(xv, vf_load_tail(row + v * VL, last_masked(masked, v, nv), mask), acc[v]);
    }
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++)
        vf_store_tail(y + v * VL, last_masked(masked, v, nv), mask, acc[v]);
}

/* Columns [c, end) for those rows: blocks of 8, 4, 2 and 1 full vectors,
 * then one masked vector. */
NNL_INLINE void vecmat_columns(int64_t c, int64_t end, int64_t count, const int32_t *idx, int64_t first,
                               const float *x, const float *w, int64_t n, float *y)
{
    for (; c + VECMAT_NV * VL <= end; c += VECMAT_NV * VL)
        vecmat_block(VECMAT_NV, 0, VECMAT_NV * VL, count, idx, first, x, w + c, n, y + c);
    if (c + 4 * VL <= end) {
        vecmat_block(4, 0, 4 * VL, count, idx, first, x, w + c, n, y + c);
        c += 4 * VL;
    }
    if (c + 2 * VL <= end) {
        vecmat_block(2, 0, 2 * VL, count, idx, first, x, w + c, n, y + c);
        c += 2 * VL;
    }
    if (c + VL <= end) {
        vecmat_block(1, 0, VL, count, idx, first, x, w + c, n, y + c);
        c += VL;
    }
    if (c < end)
        vecmat_block(1, 1, end - c, count, idx, first, x, w + c, n, y + c);
}

/* Rows per slab: at most VECMAT_CHUNK, so that a slab's listed rows fit
 * the index buffer; enough slabs to give two threads a balanced share. */
enum { VECMAT_SLAB_ROWS = 1024, VECMAT_PARTIAL_FLOATS = 8192 };

typedef struct vecmat_job {
    int64_t k, n, slab_rows;
    const float *x, *w;
    float *y, *partial; /* partial: slabs x n, or NULL when the threads split columns */
} vecmat_job;

/* y[c0, c1) = the rows [p0, p1) of the product, summed from zero. */
static void vecmat_rows(const vecmat_job *j, int64_t p0, int64_t p1, int64_t c0, int64_t c1, float *y)
{
    int32_t idx[VECMAT_CHUNK];
    memset(y + c0, 0, sizeof(float) * (size_t)(c1 - c0));
    for (; p0 < p1; p0 += VECMAT_CHUNK) {
        int64_t end = p0 + VECMAT_CHUNK < p1 ? p0 + VECMAT_CHUNK : p1, count = nonzero_rows(j->x, p0, end, idx);
        if (count == end - p0)
            vecmat_columns(c0, c1, count, NULL, p0, j->x, j->w, j->n, y);
        else
            vecmat_columns(c0, c1, count, idx, 0, j->x, j->w, j->n, y);
    }
}

/* A part's slabs, each into its partial. */
static void vecmat_slabs_part(void *arg, int part, int parts)
{
    const vecmat_job *j = arg;
    int64_t s0, s1, slabs = (j->k + j->slab_rows - 1) / j->slab_rows;
    nnl_parallel_share(slabs, 1, part, parts, &s0, &s1);
    for (int64_t s = s0; s < s1; s++) {
        int64_t p1 = (s + 1) * j->slab_rows < j->k ? (s + 1) * j->slab_rows : j->k;
        vecmat_rows(j, s * j->slab_rows, p1, 0, j->n, j->partial + s * j->n);
    }
}

/* A part's columns over all rows. */
static void vecmat_columns_part(void *arg, int part, int parts)
{
    const vecmat_job *j = arg;
    int64_t c0, c1;
    nnl_parallel_share(j->n, 16, part, parts, &c0, &c1);
    if (c1 > c0)
        vecmat_rows(j, 0, j->k, c0, c1, j->y);
}

void SIMD_FN(vecmat)(int64_t k, int64_t n, const float *x, const float *w, float *y)
{
    if (k <= 0) { /* an empty sum */
        memset(y, 0, sizeof(float) * (size_t)(n > 0 ? n : 0));
        return;
    }
    int64_t slabs = (k + VECMAT_SLAB_ROWS - 1) / VECMAT_SLAB_ROWS;
    vecmat_job j = {k, n, (k + slabs - 1) / slabs, x, w, y, NULL};
    if (slabs == 1 || slabs * n > VECMAT_PARTIAL_FLOATS) {
        nnl_parallel_run(kernel_team(k * n, (n + 15) / 16), vecmat_columns_part, &j);
        return;
    }
    float partial[VECMAT_PARTIAL_FLOATS];
    j.partial = partial;
    nnl_parallel_run(kernel_team(k * n, slabs), vecmat_slabs_part, &j);
    memcpy(y, partial, sizeof(float) * (size_t)n);
    for (int64_t s = 1; s < slabs; s++)
        for (int64_t c = 0; c < n; c++)
            y[c] += partial[s * n + c];
}
