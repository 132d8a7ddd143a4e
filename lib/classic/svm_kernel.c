/* Kernel rows of the SVM's training samples (svm_kernel.h).
 *
 * Why the whole matrix when it fits: one SMO solve per class pair reads
 * the rows of that pair's two classes again and again, and a sample's row
 * over its own class serves every pair its class is in. Computed by GEMM
 * in blocks of rows, the whole matrix of 8,000 MNIST digits costs less than
 * computing its rows one matvec at a time as the solver asks for them; when
 * it does not fit, rows are computed on demand (a matvec and the RBF pass)
 * and the least recently used is evicted, as libsvm's cache does. */
#include <string.h>

#include "classic/svm_kernel.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"
#include "kernels/kernels.h"

/* Rows per GEMM block of the whole matrix: each block packs the samples
 * once more (with 128 rows the packing took a sixth of the fit). */
#define BLOCK_ROWS 512
/* Side of the tiles the upper triangle is copied in from the lower. */
#define TILE 64

/* Below this many rows a GEMM's packing of b costs more than streaming b
 * through a matvec per row (one MNIST image against 3,553 support vectors,
 * on a loaded machine: 3.9 ms by GEMM, 1.5 ms by matvec). */
#define GEMM_MIN_ROWS 8

void nnl_svm_kernel_block(int64_t rows, int64_t cols, int64_t f, float gamma, const float *a, const float *a_norm,
                          const float *b, const float *b_norm, float *out, int64_t ld_out)
{
    const nnl_kernels *k = nnl_kernels_active();
    if (rows < GEMM_MIN_ROWS)
        for (int64_t r = 0; r < rows; r++)
            k->matvec(cols, f, b, a + r * f, NULL, out + r * ld_out);
    else
        k->sgemm(0, 1, rows, cols, f, 1.0f, a, f, b, f, 0.0f, out, ld_out, 1);
    for (int64_t r = 0; r < rows; r++)
        k->rbf_from_dots(cols, gamma, a_norm[r], b_norm, out + r * ld_out, out + r * ld_out);
}

/* The matrix is symmetric: block row r computes only its columns up to
 * the diagonal (half the GEMM work), mirror_part() copies the rest. */
static void full_part(void *ctx, int part, int parts)
{
    nnl_svm_kernel *k = ctx;
    int64_t blocks = (k->n + BLOCK_ROWS - 1) / BLOCK_ROWS;
    for (int64_t b = part; b < blocks; b += parts) {
        int64_t r = b * BLOCK_ROWS, rows = k->n - r < BLOCK_ROWS ? k->n - r : BLOCK_ROWS;
        nnl_svm_kernel_block(rows, r + rows, k->f, k->gamma, k->x + r * k->f, k->norm + r, k->x, k->norm,
                             k->full + r * k->n, k->n);
    }
}

/* full[i][j] = full[j][i] for j > i, in TILE x TILE tiles (a column of the
 * matrix read straight down would touch a new page every row). */
static void mirror_part(void *ctx, int part, int parts)
{
    nnl_svm_kernel *k = ctx;
    int64_t n = k->n, tiles = (n + TILE - 1) / TILE;
    for (int64_t ti = part; ti < tiles; ti += parts)
        for (int64_t tj = ti; tj < tiles; tj++)
            for (int64_t i = ti * TILE; i < (ti + 1) * TILE && i < n; i++)
                for (int64_t j = tj == ti ? i + 1 : tj * TILE; j < (tj + 1) * TILE && j < n; j++)
                    k->full[i * n + j] = k->full[j * n + i];
}

static nnl_status init_cache(nnl_svm_kernel *k, double cache_bytes)
{
    double fit = cache_bytes / ((double)k->n * sizeof(float));
    k->slots = fit < 2.0 ? 2 : (int64_t)fit;
    k->rows = nnl_alloc(nnl_mul_size3((size_t)k->slots, (size_t)k->n, sizeof(float)));
    k->slot_of = nnl_alloc((size_t)k->n * sizeof(int64_t));
    k->owner = nnl_alloc((size_t)k->slots * sizeof(int64_t));
    k->used = nnl_alloc_zeroed((size_t)k->slots * sizeof(int64_t));
    if (!k->rows || !k->slot_of || !k->owner || !k->used)
        return nnl_error(NNL_E_NOMEM, "svm: out of memory for a kernel cache of %lld rows", (long long)k->slots);
    memset(k->slot_of, 0xff, (size_t)k->n * sizeof(int64_t));
    memset(k->owner, 0xff, (size_t)k->slots * sizeof(int64_t));
    return NNL_OK;
}

nnl_status nnl_svm_kernel_init(nnl_svm_kernel *k, const float *x, int64_t n, int64_t f, float gamma,
                               double cache_bytes, int threads)
{
    memset(k, 0, sizeof *k);
    k->n = n;
    k->f = f;
    k->x = x;
    k->gamma = gamma;
    NNL_TRY(nnl_alloc_floats(&k->norm, n, "svm"));
    const nnl_kernels *kt = nnl_kernels_active();
    for (int64_t i = 0; i < n; i++)
        kt->matvec(1, f, x + i * f, x + i * f, NULL, &k->norm[i]);
    if ((double)n * (double)n * sizeof(float) > cache_bytes)
        return init_cache(k, cache_bytes);
    k->full = nnl_alloc(nnl_mul_size3((size_t)n, (size_t)n, sizeof(float)));
    if (!k->full)
        return nnl_error(NNL_E_NOMEM, "svm: out of memory for the %lld x %lld kernel matrix", (long long)n,
                         (long long)n);
    nnl_parallel_run(threads, full_part, k);
    nnl_parallel_run(threads, mirror_part, k);
    return NNL_OK;
}

void nnl_svm_kernel_free(nnl_svm_kernel *k)
{
    nnl_dealloc(k->norm);
    nnl_dealloc(k->full);
    nnl_dealloc(k->rows);
    nnl_dealloc(k->slot_of);
    nnl_dealloc(k->owner);
    nnl_dealloc(k->used);
    memset(k, 0, sizeof *k);
}

int nnl_svm_kernel_shared(const nnl_svm_kernel *k)
{
    return k->full != NULL;
}

/* The least recently used slot (slots are few hundred to a few thousand,
 * and a miss costs a matvec of all n samples: a scan is cheap beside it). */
static int64_t victim(const nnl_svm_kernel *k)
{
    int64_t best = 0;
    for (int64_t s = 1; s < k->slots; s++)
        if (k->used[s] < k->used[best])
            best = s;
    return best;
}

const float *nnl_svm_kernel_row(nnl_svm_kernel *k, int64_t i)
{
    if (k->full)
        return k->full + i * k->n;
    int64_t s = k->slot_of[i];
    float *row;
    if (s < 0) {
        s = victim(k);
        if (k->owner[s] >= 0)
            k->slot_of[k->owner[s]] = -1;
        k->owner[s] = i;
        k->slot_of[i] = s;
        row = k->rows + s * k->n;
        const nnl_kernels *kt = nnl_kernels_active();
        kt->matvec(k->n, k->f, k->x, k->x + i * k->f, NULL, row);
        kt->rbf_from_dots(k->n, k->gamma, k->norm[i], k->norm, row, row);
    }
    k->used[s] = ++k->clock;
    return k->rows + s * k->n;
}
