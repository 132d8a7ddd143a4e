/* nnl_dataset editing in place or into new datasets: shuffling, splitting,
 * normalisation and the augmentation settings (creation, queries and
 * batches are in dataset.c). The public operations refuse text windows,
 * which hold no stored samples. */
#include "data/dataset.h"

#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/tensor.h"

/* PCG32 stream numbers, so that shuffling and augmentation with the same
 * seed still draw independent numbers. */
enum { STREAM_SHUFFLE = 0x5348, STREAM_AUGMENT = 0x4147 };

static const float PI_F = 3.14159265358979f;

/* ---- reordering and splitting ------------------------------------------ */

static void swap_floats(float *a, float *b, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        float t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

nnl_status nnl_dataset_shuffle(nnl_dataset *dataset, uint64_t seed)
{
    NNL_CHECK_PTR("nnl_dataset_shuffle", dataset);
    NNL_TRY(nnl_dataset_check_stored(dataset, "nnl_dataset_shuffle"));
    if (dataset->count > (int64_t)UINT32_MAX)
        return nnl_error(NNL_E_UNSUPPORTED, "nnl_dataset_shuffle: %lld samples, at most 2^32 - 1",
                         (long long)dataset->count);
    nnl_rng rng;
    nnl_rng_seed(&rng, seed, STREAM_SHUFFLE);
    /* Swapping rows in place needs no second copy of the data. */
    for (int64_t i = dataset->count - 1; i > 0; i--) {
        int64_t j = nnl_rng_below(&rng, (uint32_t)(i + 1));
        if (j == i)
            continue;
        swap_floats(dataset->x + i * dataset->x_size, dataset->x + j * dataset->x_size,
                    dataset->x_size);
        swap_floats(dataset->y + i * dataset->y_size, dataset->y + j * dataset->y_size,
                    dataset->y_size);
    }
    return NNL_OK;
}

/* A new dataset with samples [start, start + count) of ds and its settings. */
static nnl_status copy_range(nnl_dataset **out, const nnl_dataset *ds, int64_t start,
                             int64_t count, const char *who)
{
    NNL_TRY(nnl_dataset_alloc(out, count, ds->x_ndim, ds->x_dims, ds->y_ndim, ds->y_dims, who));
    memcpy((*out)->x, ds->x + start * ds->x_size, (size_t)(count * ds->x_size) * sizeof(float));
    memcpy((*out)->y, ds->y + start * ds->y_size, (size_t)(count * ds->y_size) * sizeof(float));
    (*out)->num_classes = ds->num_classes;
    (*out)->multi_label = ds->multi_label;
    (*out)->augment = ds->augment;
    nnl_status s = nnl_dataset_copy_class_names(*out, ds, who);
    if (s != NNL_OK) {
        nnl_dataset_free(*out);
        *out = NULL;
    }
    return s;
}

nnl_status nnl_dataset_split(const nnl_dataset *dataset, int64_t first_count, nnl_dataset **first,
                             nnl_dataset **second)
{
    const char *who = "nnl_dataset_split";
    NNL_CHECK_PTR(who, first);
    NNL_CHECK_PTR(who, second);
    *first = *second = NULL;
    NNL_CHECK_PTR(who, dataset);
    NNL_TRY(nnl_dataset_check_stored(dataset, who));
    if (first_count < 1 || first_count > dataset->count - 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: first_count=%lld, expected 1..%lld", who,
                         (long long)first_count, (long long)(dataset->count - 1));
    NNL_TRY(copy_range(first, dataset, 0, first_count, who));
    nnl_status s = copy_range(second, dataset, first_count, dataset->count - first_count, who);
    if (s != NNL_OK) {
        nnl_dataset_free(*first);
        *first = NULL;
    }
    return s;
}

/* ---- value transforms -------------------------------------------------- */

nnl_status nnl_dataset_normalize(nnl_dataset *dataset, float mean, float std)
{
    NNL_CHECK_PTR("nnl_dataset_normalize", dataset);
    NNL_TRY(nnl_dataset_check_stored(dataset, "nnl_dataset_normalize"));
    if (!isfinite(mean) || !isfinite(std) || !(std > 0.0f))
        return nnl_error(NNL_E_INVALID_ARG,
                         "nnl_dataset_normalize: mean=%g std=%g, expected finite values and std > 0",
                         (double)mean, (double)std);
    int64_t n = dataset->count * dataset->x_size;
    for (int64_t i = 0; i < n; i++)
        dataset->x[i] = (dataset->x[i] - mean) / std;
    return NNL_OK;
}

nnl_status nnl_dataset_scale(nnl_dataset *dataset, float factor)
{
    NNL_CHECK_PTR("nnl_dataset_scale", dataset);
    NNL_TRY(nnl_dataset_check_stored(dataset, "nnl_dataset_scale"));
    if (!isfinite(factor))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_dataset_scale: factor=%g, expected a finite value",
                         (double)factor);
    int64_t n = dataset->count * dataset->x_size;
    for (int64_t i = 0; i < n; i++)
        dataset->x[i] *= factor;
    return NNL_OK;
}

nnl_status nnl_dataset_mean_std(const nnl_dataset *dataset, float *mean, float *std)
{
    const char *who = "nnl_dataset_mean_std";
    NNL_CHECK_PTR(who, dataset);
    NNL_CHECK_PTR(who, mean);
    NNL_CHECK_PTR(who, std);
    NNL_TRY(nnl_dataset_check_stored(dataset, who));
    int64_t n = dataset->count * dataset->x_size;
    /* Two passes (mean, then squared deviations) avoid the cancellation of
     * E[x^2] - E[x]^2. */
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += dataset->x[i];
    double m = sum / (double)n, squares = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double d = dataset->x[i] - m;
        squares += d * d;
    }
    *mean = (float)m;
    *std = (float)sqrt(squares / (double)n);
    return NNL_OK;
}

/* ---- augmentation settings --------------------------------------------- */

nnl_status nnl_dataset_set_augmentation(nnl_dataset *dataset, float max_rotation_degrees,
                                        float max_scale_delta, float max_shift_pixels,
                                        uint64_t seed)
{
    const char *who = "nnl_dataset_set_augmentation";
    NNL_CHECK_PTR(who, dataset);
    NNL_TRY(nnl_dataset_check_stored(dataset, who));
    if (!(max_rotation_degrees >= 0.0f && max_rotation_degrees <= 180.0f) ||
        !(max_scale_delta >= 0.0f && max_scale_delta < 1.0f) ||
        !(max_shift_pixels >= 0.0f && isfinite(max_shift_pixels)))
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: max_rotation_degrees=%g max_scale_delta=%g max_shift_pixels=%g, "
                         "expected 0..180, 0..<1 and a finite value >= 0",
                         who, (double)max_rotation_degrees, (double)max_scale_delta,
                         (double)max_shift_pixels);
    nnl_augment a = {
        .max_rotation = max_rotation_degrees * (PI_F / 180.0f),
        .max_scale_delta = max_scale_delta,
        .max_shift = max_shift_pixels,
        .seed = seed,
    };
    if (nnl_augment_enabled(&a) && dataset->x_ndim != 2 && dataset->x_ndim != 3) {
        char shape[128];
        return nnl_error(NNL_E_SHAPE,
                         "%s: samples have shape %s; augmentation needs images {rows, cols, "
                         "channels} or {rows, cols}",
                         who, nnl_shape_str(shape, sizeof shape, dataset->x_ndim, dataset->x_dims));
    }
    dataset->augment = a;
    return NNL_OK;
}

int nnl_dataset_augmenting(const nnl_dataset *ds) { return nnl_augment_enabled(&ds->augment); }

void nnl_dataset_seed_augment_rng(const nnl_dataset *ds, nnl_rng *rng)
{
    nnl_rng_seed(rng, ds->augment.seed, STREAM_AUGMENT);
}
