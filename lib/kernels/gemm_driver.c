/* Blocked, packed SGEMM (the Goto/BLIS scheme), shared by every SIMD level:
 *
 *   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C[M,N]   (row-major)
 *
 *   for each nc-wide column block of C
 *     for each kc-deep slice of K              (beta applies to the first only)
 *       pack the B block (kc x nc) into nr-wide panels, or read B in place
 *       for each mc-tall row block
 *         pack the A block (mc x kc) into mr-tall panels
 *         for each A panel, for each B panel: micro-kernel on one mr x nr tile
 *
 * The A panel (mr x kc, broadcast by the kernel) stays in L1 while the B
 * panels of the block (kc x nc) stream past it from L2; this order measured
 * 10-20% faster on 1024^3 than keeping the B panel in L1. kc, mc and nc
 * follow the CPU's cache sizes (gemm_blocks.c).
 *
 * Threads, in one of three ways, each chosen from the shape and the thread
 * count only:
 *   - few rows (m <= NNL_GEMM_SMALL_M, B not transposed, a level with a
 *     row kernel): columns of C per thread, or K per thread when C is
 *     small (see gemm_small_m);
 *   - small C, long K: K per thread, each into partial C (split_k_pays);
 *   - otherwise C is cut into a grid of rectangles, one per thread, each
 *     running the loop above with its own pack buffers.
 * In the first and last every element of C is computed by one thread in one
 * fixed k order; with K split, the parts' sums are added in part order.
 * Either way the result is the same on every run with the same thread
 * count. */
#include "kernels/gemm_driver.h"

#include "core/alloc.h"
#include "core/pool.h"
#include "kernels/buffer_pool.h"
#include "kernels/isa.h"

/* A thread is worth using only for this much work: handing parts to the
 * pool and waiting for them costs a few microseconds, about what one core
 * does in 1 MFLOP, so each thread gets at least twice that. */
#define MIN_FLOPS_PER_THREAD (2.0 * 1024 * 1024)

typedef struct gemm_args {
    int trans_a, trans_b;
    int64_t m, n, k;
    float alpha, beta;
    const float *a;
    int64_t lda;
    const float *b;
    int64_t ldb;
    float *c;
    int64_t ldc;
    nnl_gemm_blocks blk; /* for this CPU's caches */
} gemm_args;

static int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }
static int64_t round_up(int64_t x, int64_t multiple) { return (x + multiple - 1) / multiple * multiple; }

/* ---- one thread's rectangle of C ---- */

/* How the B operand reaches the micro-kernel within one rectangle. */
typedef struct b_source {
    int in_place;  /* full panels read straight from B (row-major, no trans) */
    float *packed; /* packed block, or just the tail panel when in_place */
} b_source;

static void pack_a_block(const nnl_gemm_arch *arch, const gemm_args *g, int64_t i0, int64_t rows,
                         int64_t p0, int64_t kc, float *dst)
{
    for (int64_t ir = 0; ir < rows; ir += arch->mr) {
        int64_t valid = min64(arch->mr, rows - ir);
        float *panel = dst + ir * kc;
        if (g->trans_a) /* A stored K x M: the panel's rows are contiguous */
            arch->pack_copy(g->a + p0 * g->lda + i0 + ir, g->lda, kc, valid, arch->mr, panel);
        else
            arch->pack_transpose(g->a + (i0 + ir) * g->lda + p0, g->lda, kc, valid, arch->mr,
                                 panel);
    }
}

static void pack_b_panel(const nnl_gemm_arch *arch, const gemm_args *g, int64_t p0, int64_t kc,
                         int64_t j0, int64_t valid, float *dst)
{
    if (g->trans_b) /* B stored N x K */
        arch->pack_transpose(g->b + j0 * g->ldb + p0, g->ldb, kc, valid, arch->nr, dst);
    else
        arch->pack_copy(g->b + p0 * g->ldb + j0, g->ldb, kc, valid, arch->nr, dst);
}

/* Prepare the B block (kc x cols from (p0, j0)): pack every panel, or with
 * in-place B only the partial last panel (the kernel reads nr columns). */
static void prepare_b_block(const nnl_gemm_arch *arch, const gemm_args *g, const b_source *src,
                            int64_t p0, int64_t kc, int64_t j0, int64_t cols)
{
    if (src->in_place) {
        int64_t tail = cols % arch->nr;
        if (tail)
            pack_b_panel(arch, g, p0, kc, j0 + cols - tail, tail, src->packed);
        return;
    }
    for (int64_t jr = 0; jr < cols; jr += arch->nr)
        pack_b_panel(arch, g, p0, kc, j0 + jr, min64(arch->nr, cols - jr), src->packed + jr * kc);
}

/* The B panel at column jr of the block, and its row stride. */
static const float *b_panel(const nnl_gemm_arch *arch, const gemm_args *g, const b_source *src,
                            int64_t p0, int64_t kc, int64_t j0, int64_t jr, int64_t cols,
                            int64_t *ld)
{
    *ld = arch->nr;
    if (!src->in_place)
        return src->packed + jr * kc;
    if (cols < arch->nr)
        return src->packed;
    *ld = g->ldb;
    return g->b + p0 * g->ldb + j0 + jr;
}

/* One tile; partial tiles go through a full-size tile on the stack. */
static void run_tile(const nnl_gemm_arch *arch, int64_t kc, const float *ap, const float *bp,
                     int64_t ldb, float alpha, float beta, float *c, int64_t ldc, int64_t rows,
                     int64_t cols)
{
    if (rows == arch->mr && cols == arch->nr) {
        arch->kernel(kc, ap, bp, ldb, alpha, beta, c, ldc);
        return;
    }
    _Alignas(64) float tile[NNL_GEMM_MAX_TILE];
    arch->kernel(kc, ap, bp, ldb, 1.0f, 0.0f, tile, arch->nr);
    for (int64_t i = 0; i < rows; i++) {
        for (int64_t j = 0; j < cols; j++) {
            float *out = &c[i * ldc + j];
            float v = alpha * tile[i * arch->nr + j];
            *out = beta == 0.0f ? v : v + beta * *out;
        }
    }
}

static void gemm_rectangle(const nnl_gemm_arch *arch, const gemm_args *g, int64_t m0, int64_t m1,
                           int64_t n0, int64_t n1, float *abuf, const b_source *bsrc)
{
    for (int64_t jc = n0; jc < n1; jc += g->blk.nc) {
        int64_t ncols = min64(g->blk.nc, n1 - jc);
        for (int64_t pc = 0; pc < g->k; pc += g->blk.kc) {
            int64_t kc = min64(g->blk.kc, g->k - pc);
            float beta = pc == 0 ? g->beta : 1.0f;
            prepare_b_block(arch, g, bsrc, pc, kc, jc, ncols);
            for (int64_t ic = m0; ic < m1; ic += g->blk.mc) {
                int64_t mrows = min64(g->blk.mc, m1 - ic);
                pack_a_block(arch, g, ic, mrows, pc, kc, abuf);
                for (int64_t ir = 0; ir < mrows; ir += arch->mr) {
                    for (int64_t jr = 0; jr < ncols; jr += arch->nr) {
                        int64_t cols = min64(arch->nr, ncols - jr);
                        int64_t ldb;
                        const float *bp = b_panel(arch, g, bsrc, pc, kc, jc, jr, cols, &ldb);
                        run_tile(arch, kc, abuf + ir * kc, bp, ldb, g->alpha, beta,
                                 g->c + (ic + ir) * g->ldc + jc + jr, g->ldc,
                                 min64(arch->mr, mrows - ir), cols);
                    }
                }
            }
        }
    }
}

/* Pack buffers for a rectangle, or (out of memory) the scalar reference on
 * it: a kernel never fails. */
static void gemm_rectangle_buffered(const nnl_gemm_arch *arch, const gemm_args *g, int64_t m0,
                                    int64_t m1, int64_t n0, int64_t n1)
{
    int64_t kc = min64(g->blk.kc, g->k);
    int64_t a_floats = kc * round_up(min64(g->blk.mc, m1 - m0), arch->mr);
    /* When the whole rectangle fits in one A block, each B panel meets each
     * A panel once whether packed or not: reading B in place saves the copy.
     * A transposed B must always be packed. */
    b_source bsrc = {.in_place = !g->trans_b && m1 - m0 <= g->blk.mc};
    int64_t b_floats = kc * (bsrc.in_place ? arch->nr : round_up(min64(g->blk.nc, n1 - n0), arch->nr));
    nnl_pooled_buffer *buf = nnl_buffer_acquire((size_t)(a_floats + b_floats));
    if (!buf) {
        nnl_sgemm_scalar(g->trans_a, g->trans_b, m1 - m0, n1 - n0, g->k, g->alpha,
                         g->a + (g->trans_a ? m0 : m0 * g->lda), g->lda,
                         g->b + (g->trans_b ? n0 * g->ldb : n0), g->ldb, g->beta,
                         g->c + m0 * g->ldc + n0, g->ldc, 1);
        return;
    }
    bsrc.packed = buf->data + a_floats;
    gemm_rectangle(arch, g, m0, m1, n0, n1, buf->data, &bsrc);
    nnl_buffer_release(buf);
}

/* ---- thread grid ---- */

typedef struct thread_grid {
    int rows, cols; /* rectangles of C along M and along N */
} thread_grid;

/* No more threads than the flops pay for (at least 1). */
static int useful_threads(const gemm_args *g, int threads)
{
    double flops = 2.0 * (double)g->m * (double)g->n * (double)g->k;
    if (flops < MIN_FLOPS_PER_THREAD * threads)
        threads = flops < 2.0 * MIN_FLOPS_PER_THREAD ? 1 : (int)(flops / MIN_FLOPS_PER_THREAD);
    return threads;
}

/* The grid for at most `threads` threads: no rectangle narrower or shorter
 * than a micro-tile, and, among the factorisations of the count (the count
 * lowered until one fits), the one where each thread packs the least (its
 * rows of A plus its columns of B). */
static thread_grid choose_grid(const nnl_gemm_arch *arch, const gemm_args *g, int threads)
{
    int64_t row_units = (g->m + arch->mr - 1) / arch->mr;
    int64_t col_units = (g->n + arch->nr - 1) / arch->nr;
    for (int t = threads; t > 1; t--) {
        thread_grid best = {0, 0};
        double best_cost = 0.0;
        for (int r = 1; r <= t; r++) {
            int cols = t / r;
            if (r * cols != t || r > row_units || cols > col_units)
                continue;
            double cost = (double)g->m / r + (double)g->n / cols;
            if (best.rows == 0 || cost < best_cost) {
                best = (thread_grid){r, cols};
                best_cost = cost;
            }
        }
        if (best.rows)
            return best;
    }
    return (thread_grid){1, 1};
}

/* Start of part `index` of `parts` when `units` blocks of `unit` elements
 * (the last one possibly short, total `size`) are shared out evenly. */
static int64_t split(int64_t size, int64_t unit, int index, int parts)
{
    int64_t units = (size + unit - 1) / unit;
    return min64(size, units * index / parts * unit);
}

/* One parallel call of the driver: the parts' functions below read it. */
typedef struct gemm_job {
    const nnl_gemm_arch *arch;
    const gemm_args *g;
    thread_grid grid;
    float *partial;     /* split K: the parts' products, `stride` floats apart */
    int64_t stride;
    int64_t k_unit;     /* split K: the rows of B are shared out in blocks of this */
} gemm_job;

static void gemm_part(const nnl_gemm_arch *arch, const gemm_args *g, thread_grid grid, int part)
{
    int pr = part / grid.cols, pc = part % grid.cols;
    int64_t m0 = split(g->m, arch->mr, pr, grid.rows), m1 = split(g->m, arch->mr, pr + 1, grid.rows);
    int64_t n0 = split(g->n, arch->nr, pc, grid.cols), n1 = split(g->n, arch->nr, pc + 1, grid.cols);
    if (m0 < m1 && n0 < n1)
        gemm_rectangle_buffered(arch, g, m0, m1, n0, n1);
}

static void grid_part(void *arg, int part, int parts)
{
    const gemm_job *j = arg;
    (void)parts; /* = grid.rows * grid.cols */
    gemm_part(j->arch, j->g, j->grid, part);
}

/* C = beta * C: the whole product is zero when k == 0 or alpha == 0. */
static void scale_c(const gemm_args *g)
{
    for (int64_t i = 0; i < g->m; i++) {
        float *row = g->c + i * g->ldc;
        for (int64_t j = 0; j < g->n; j++)
            row[j] = g->beta == 0.0f ? 0.0f : g->beta * row[j];
    }
}

/* ---- few rows of C (a single prediction, a tiny batch) ----
 * The product is bound by reading B (one multiply-add per 4 bytes of B for
 * m = 1), so the row kernel streams B in place, and threads are counted by
 * the bytes of B as well as the flops: a byte read from L3 costs a core
 * about as long as 8 flops. When C is small (MNIST's dense layer: 1 x 128)
 * the threads split K, not N: each then reads one contiguous run of B's
 * rows, which stays in its core's L2 from one call to the next; split by
 * columns, every thread's rows interleave with the others' and the
 * prefetchers drag the whole matrix through each L2 (measured: 17 us
 * against 35 us for 5408 x 128 on 2 threads). The parts' sums are added in
 * part order, so the result depends only on the thread count. */
#define FLOPS_PER_BYTE_READ 8.0
#define K_SPLIT_MAX_FLOATS 512 /* m x n of C; the parts' sums live on the stack */
#define K_SPLIT_MAX_PARTS 8

/* C = beta C + alpha (sum of the parts' products), the parts (m x n, row
 * stride n, `stride` floats apart) added in part order. */
static void add_parts(const gemm_args *g, const float *partial, int64_t stride, int parts)
{
    for (int64_t i = 0; i < g->m; i++)
        for (int64_t j = 0; j < g->n; j++) {
            float sum = partial[i * g->n + j];
            for (int part = 1; part < parts; part++)
                sum += partial[part * stride + i * g->n + j];
            float *out = g->c + i * g->ldc + j;
            *out = g->beta == 0.0f ? g->alpha * sum : g->alpha * sum + g->beta * *out;
        }
}

static int small_m_threads(const gemm_args *g, int threads)
{
    double flops = 2.0 * (double)g->m * (double)g->n * (double)g->k;
    double bytes = 4.0 * (double)g->n * (double)g->k;
    double work = flops > FLOPS_PER_BYTE_READ * bytes ? flops : FLOPS_PER_BYTE_READ * bytes;
    int64_t t = min64(threads, (int64_t)(work / MIN_FLOPS_PER_THREAD));
    return t > 1 ? (int)t : 1;
}

static int uses_small_m(const nnl_gemm_arch *arch, const gemm_args *g)
{
    return arch->small_m && g->m <= NNL_GEMM_SMALL_M && !g->trans_b;
}

/* Columns [n0, n1) of the few-row product with `alpha` and `beta` into c. */
static void small_m_run(const nnl_gemm_arch *arch, const gemm_args *g, int64_t n0, int64_t n1, float *c)
{
    int64_t row_stride = g->trans_a ? 1 : g->lda, k_stride = g->trans_a ? g->lda : 1;
    if (n0 < n1)
        arch->small_m(g->m, n1 - n0, g->k, g->alpha, g->a, row_stride, k_stride, g->b + n0, g->ldb, g->beta, c,
                      g->ldc);
}

/* Part `part` of `parts` by columns, written straight into C. */
static void small_m_columns_part(void *arg, int part, int parts)
{
    const gemm_job *j = arg;
    const gemm_args *g = j->g;
    int64_t n0 = split(g->n, 16, part, parts), n1 = split(g->n, 16, part + 1, parts);
    small_m_run(j->arch, g, n0, n1, g->c + n0);
}

static void split_k_run(const nnl_gemm_arch *arch, const gemm_args *g, int parts, float *partial,
                        int64_t stride, int64_t k_unit);

static void gemm_small_m(const nnl_gemm_arch *arch, const gemm_args *g, int threads)
{
    int parts = small_m_threads(g, threads);
    if (parts > 1 && g->m * g->n <= K_SPLIT_MAX_FLOATS) {
        float partial[K_SPLIT_MAX_PARTS][K_SPLIT_MAX_FLOATS];
        split_k_run(arch, g, parts < K_SPLIT_MAX_PARTS ? parts : K_SPLIT_MAX_PARTS, &partial[0][0],
                    K_SPLIT_MAX_FLOATS, 1);
        return;
    }
    parts = (int)min64(parts, (g->n + 15) / 16); /* columns: a cache line wide at least */
    gemm_job j = {arch, g, {1, 1}, NULL, 0, 0};
    nnl_parallel_run(parts, small_m_columns_part, &j);
}

/* ---- small C, long K (MNIST's dense forward: 32 x 128 from K = 5408) ----
 * Cut into a grid, every thread would read all of B's rows (each its own
 * columns of them, which the prefetchers turn into all of B): B comes from
 * L3 twice. Cut along K, each thread reads one contiguous slab of B, the
 * one its core has just written in the optimizer step, into a partial C of
 * its own; the partials are added in part order (add_parts). The MNIST
 * dense forward (batch 32) after an optimizer step: 534 us -> 263 us. */
#define SPLIT_K_MAX_C_FLOATS 16384

static int split_k_pays(const gemm_args *g, int parts)
{
    int64_t longest = g->m > g->n ? g->m : g->n;
    return parts > 1 && g->m * g->n <= SPLIT_K_MAX_C_FLOATS && g->k >= 8 * longest;
}

/* Part `part`: its rows of B (blocks of k_unit) into its own partial C,
 * with the few-row kernel or the blocked one. */
static void split_k_part(void *arg, int part, int parts)
{
    const gemm_job *j = arg;
    const gemm_args *g = j->g;
    int64_t k0 = split(g->k, j->k_unit, part, parts), k1 = split(g->k, j->k_unit, part + 1, parts);
    gemm_args sub = *g;
    sub.k = k1 - k0;
    sub.a += g->trans_a ? k0 * g->lda : k0;
    sub.b += g->trans_b ? k0 : k0 * g->ldb;
    sub.alpha = 1.0f;
    sub.beta = 0.0f;
    sub.c = j->partial + part * j->stride;
    sub.ldc = g->n;
    if (sub.k == 0)
        scale_c(&sub);
    else if (uses_small_m(j->arch, g))
        small_m_run(j->arch, &sub, 0, g->n, sub.c);
    else
        gemm_rectangle_buffered(j->arch, &sub, 0, g->m, 0, g->n);
}

/* C = beta C + alpha (sum over the parts of their rows of B), each part's
 * product in `partial` + part * stride. */
static void split_k_run(const nnl_gemm_arch *arch, const gemm_args *g, int parts, float *partial,
                        int64_t stride, int64_t k_unit)
{
    gemm_job j = {arch, g, {1, 1}, partial, stride, k_unit};
    nnl_parallel_run(parts, split_k_part, &j);
    add_parts(g, partial, stride, parts);
}

/* Returns 0 (nothing done) when the partials cannot be allocated. */
static int gemm_split_k(const nnl_gemm_arch *arch, const gemm_args *g, int parts)
{
    nnl_pooled_buffer *buf = nnl_buffer_acquire((size_t)(parts * g->m * g->n));
    if (!buf)
        return 0;
    split_k_run(arch, g, parts, buf->data, g->m * g->n, 16);
    nnl_buffer_release(buf);
    return 1;
}

void nnl_sgemm_blocked(const nnl_gemm_arch *arch, int trans_a, int trans_b, int64_t m, int64_t n,
                       int64_t k, float alpha, const float *a, int64_t lda, const float *b,
                       int64_t ldb, float beta, float *c, int64_t ldc, int threads)
{
    gemm_args g = {trans_a, trans_b, m, n, k, alpha, beta, a, lda, b, ldb, c, ldc,
                   nnl_gemm_blocks_for(arch->mr, arch->nr, nnl_cpu_caches_get())};
    if (m == 0 || n == 0)
        return;
    if (k == 0 || alpha == 0.0f) {
        scale_c(&g);
        return;
    }
    if (uses_small_m(arch, &g)) {
        gemm_small_m(arch, &g, threads);
        return;
    }
    threads = useful_threads(&g, threads);
    if (split_k_pays(&g, threads) && gemm_split_k(arch, &g, threads))
        return;
    gemm_job j = {arch, &g, choose_grid(arch, &g, threads), NULL, 0, 0};
    nnl_parallel_run(j.grid.rows * j.grid.cols, grid_part, &j);
}
