/* nnl_dataset: creation (from memory or IDX files), queries and batches.
 * Shuffling, splitting, normalisation and the augmentation settings are in
 * dataset_edit.c; text windows in text_windows.c. */
#include "data/dataset.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/finite.h"
#include "core/tensor.h"

/* Samples x count of a dataset stay below 2^40 floats, as tensors do, so
 * offsets never overflow. */
#define DATASET_MAX_FLOATS ((int64_t)1 << 40)

/* Labels are stored as floats, which hold whole numbers exactly up to 2^24. */
#define MAX_LABEL ((1 << 24) - 1)

/* ---- creation ---------------------------------------------------------- */

static nnl_status alloc_floats_uninit(float **out, int64_t count, const char *who)
{
    size_t bytes = nnl_mul_size((size_t)count, sizeof(float));
    *out = nnl_alloc(bytes);
    if (!*out)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %zu bytes", who, bytes);
    return NNL_OK;
}

/* Check one per-item shape ("x" or "y") and compute its float count. */
static nnl_status check_item_shape(const char *who, const char *what, int ndim,
                                   const int64_t *dims, int64_t *size)
{
    if (ndim < 0 || ndim > NNL_MAX_DIMS - 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: %s_ndim=%d, expected 0..%d (a batch adds one)",
                         who, what, ndim, NNL_MAX_DIMS - 1);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: %s", who, what);
    return nnl_shape_check(prefix, ndim, dims, size);
}

nnl_status nnl_dataset_alloc(nnl_dataset **out, int64_t count, int x_ndim, const int64_t *x_dims,
                             int y_ndim, const int64_t *y_dims, const char *who)
{
    *out = NULL;
    if (count < 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: count=%lld, expected >= 1", who, (long long)count);
    int64_t x_size, y_size;
    NNL_TRY(check_item_shape(who, "x", x_ndim, x_dims, &x_size));
    NNL_TRY(check_item_shape(who, "y", y_ndim, y_dims, &y_size));
    if (x_size > DATASET_MAX_FLOATS / count || y_size > DATASET_MAX_FLOATS / count)
        return nnl_error(NNL_E_NOMEM, "%s: %lld samples of %lld floats (targets %lld) exceed 2^40 floats",
                         who, (long long)count, (long long)x_size, (long long)y_size);
    nnl_dataset *ds = nnl_alloc_zeroed(sizeof *ds);
    if (!ds)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the dataset handle", who);
    ds->count = count;
    ds->x_ndim = x_ndim;
    ds->y_ndim = y_ndim;
    if (x_ndim > 0)
        memcpy(ds->x_dims, x_dims, (size_t)x_ndim * sizeof x_dims[0]);
    if (y_ndim > 0)
        memcpy(ds->y_dims, y_dims, (size_t)y_ndim * sizeof y_dims[0]);
    ds->x_size = x_size;
    ds->y_size = y_size;
    nnl_status s = alloc_floats_uninit(&ds->x, count * x_size, who);
    if (s == NNL_OK)
        s = alloc_floats_uninit(&ds->y, count * y_size, who);
    if (s != NNL_OK) {
        nnl_dataset_free(ds);
        return s;
    }
    *out = ds;
    return NNL_OK;
}

static int is_label(float v) { return v >= 0.0f && v <= (float)MAX_LABEL && v == floorf(v); }

/* Largest label + 1 when the targets are scalar whole numbers, else 0. */
static int32_t count_classes(const nnl_dataset *ds)
{
    if (ds->y_ndim != 0)
        return 0;
    float max = 0.0f;
    for (int64_t i = 0; i < ds->count; i++) {
        if (!is_label(ds->y[i]))
            return 0;
        max = ds->y[i] > max ? ds->y[i] : max;
    }
    return (int32_t)max + 1;
}

nnl_status nnl_dataset_create(nnl_dataset **out, int64_t count, int x_ndim, const int64_t *x_dims,
                              const float *x, int y_ndim, const int64_t *y_dims, const float *y)
{
    const char *who = "nnl_dataset_create";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, y);
    nnl_dataset *ds;
    NNL_TRY(nnl_dataset_alloc(&ds, count, x_ndim, x_dims, y_ndim, y_dims, who));
    memcpy(ds->x, x, (size_t)(count * ds->x_size) * sizeof(float));
    memcpy(ds->y, y, (size_t)(count * ds->y_size) * sizeof(float));
    ds->num_classes = count_classes(ds);
    *out = ds;
    return NNL_OK;
}

nnl_status nnl_dataset_create_labeled(nnl_dataset **out, int64_t count, int x_ndim,
                                      const int64_t *x_dims, const float *x, const int32_t *labels)
{
    const char *who = "nnl_dataset_create_labeled";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, labels);
    for (int64_t i = 0; i < count; i++) {
        if (labels[i] < 0 || labels[i] > MAX_LABEL)
            return nnl_error(NNL_E_INVALID_ARG, "%s: labels[%lld]=%d, expected 0..%d", who,
                             (long long)i, labels[i], MAX_LABEL);
    }
    nnl_dataset *ds;
    NNL_TRY(nnl_dataset_alloc(&ds, count, x_ndim, x_dims, 0, NULL, who));
    memcpy(ds->x, x, (size_t)(count * ds->x_size) * sizeof(float));
    int32_t max = 0;
    for (int64_t i = 0; i < count; i++) {
        ds->y[i] = (float)labels[i];
        max = labels[i] > max ? labels[i] : max;
    }
    ds->num_classes = max + 1;
    *out = ds;
    return NNL_OK;
}

void nnl_dataset_free(nnl_dataset *dataset)
{
    if (!dataset)
        return;
    nnl_dealloc(dataset->x);
    nnl_dealloc(dataset->y);
    nnl_dealloc(dataset->tokens);
    nnl_dealloc(dataset->class_names);
    nnl_dealloc(dataset);
}

/* ---- IDX files --------------------------------------------------------- */

nnl_status nnl_dataset_from_idx(nnl_dataset **out, const nnl_idx *images, const nnl_idx *labels,
                                const char *who, const char *images_label,
                                const char *labels_label)
{
    *out = NULL;
    if (images->ndim != 3 || (labels->ndim != 1 && labels->ndim != 2))
        return nnl_error(NNL_E_INVALID_ARG, "%s: IDX images have %d dims and labels %d, expected 3 and 1 or 2",
                         who, images->ndim, labels->ndim);
    if (images->dims[0] != labels->dims[0])
        return nnl_error(NNL_E_FORMAT, "%s: labels has %lld items, images %lld (%s, %s)", who,
                         (long long)labels->dims[0], (long long)images->dims[0], labels_label,
                         images_label);
    const int multi_hot = labels->ndim == 2;
    if (multi_hot && labels->dims[1] > NNL_DATASET_MAX_CLASSES)
        return nnl_error(NNL_E_FORMAT, "%s: %s: %lld classes, at most %d", who, labels_label,
                         (long long)labels->dims[1], NNL_DATASET_MAX_CLASSES);
    int64_t count = images->dims[0], sample[3] = {images->dims[1], images->dims[2], 1};
    nnl_dataset *ds;
    NNL_TRY(nnl_dataset_alloc(&ds, count, 3, sample, multi_hot, &labels->dims[1], who));
    /* A table makes every pixel exactly byte / 255.0f, without a division each. */
    float to_unit[256];
    for (int b = 0; b < 256; b++)
        to_unit[b] = (float)b / 255.0f;
    for (int64_t i = 0; i < count * ds->x_size; i++)
        ds->x[i] = to_unit[images->data[i]];
    if (multi_hot) {
        nnl_status s = nnl_dataset_set_multihot(ds, labels->data, who, labels_label);
        if (s != NNL_OK)
            nnl_dataset_free(ds);
        else
            *out = ds;
        return s;
    }
    uint8_t max = 0;
    for (int64_t i = 0; i < count; i++) {
        ds->y[i] = (float)labels->data[i];
        max = labels->data[i] > max ? labels->data[i] : max;
    }
    ds->num_classes = max + 1;
    *out = ds;
    return NNL_OK;
}

static nnl_status load_pair(nnl_dataset **out, const char *images_path, const char *labels_path,
                            const char *who)
{
    nnl_idx images, labels = {0};
    nnl_status s = nnl_idx_load(&images, images_path, 3, who);
    if (s == NNL_OK)
        s = nnl_idx_load(&labels, labels_path, NNL_IDX_LABELS, who);
    if (s == NNL_OK)
        s = nnl_dataset_from_idx(out, &images, &labels, who, images_path, labels_path);
    nnl_idx_free(&images);
    nnl_idx_free(&labels);
    return s;
}

nnl_status nnl_dataset_load_idx(nnl_dataset **out, const char *images_path, const char *labels_path)
{
    const char *who = "nnl_dataset_load_idx";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, images_path);
    NNL_CHECK_PTR(who, labels_path);
    return load_pair(out, images_path, labels_path, who);
}

enum { PATH_CAPACITY = 4096 };

/* "<dir>/<name>.gz" when that exists, else "<dir>/<name>" when that
 * exists: 1, or 0 when neither does (path then holds "<dir>/<name>"). */
static int find_idx_file(char *path, const char *dir, const char *name)
{
    struct stat st;
    int n = snprintf(path, PATH_CAPACITY, "%s/%s.gz", dir, name);
    if (stat(path, &st) == 0)
        return 1;
    path[n - 3] = '\0'; /* drop ".gz" */
    return stat(path, &st) == 0;
}

/* The images file and the labels file of a set ("train", "t10k"): labels
 * of 1 dim (class indices) or, when there is none, of 2 (multi-hot rows). */
static nnl_status find_set(char (*paths)[PATH_CAPACITY], const char *dir, const char *set, const char *who)
{
    static const char *const names[3] = {"images-idx3-ubyte", "labels-idx1-ubyte", "labels-idx2-ubyte"};
    char name[3][64];
    for (int i = 0; i < 3; i++)
        snprintf(name[i], sizeof name[i], "%s-%s", set, names[i]);
    if (!find_idx_file(paths[0], dir, name[0]))
        return nnl_error(NNL_E_IO, "%s: neither '%s.gz' nor '%s' exists", who, paths[0], paths[0]);
    if (find_idx_file(paths[1], dir, name[1]) || find_idx_file(paths[1], dir, name[2]))
        return NNL_OK;
    return nnl_error(NNL_E_IO, "%s: no labels in '%s': none of %s(.gz), %s(.gz) exists", who, dir, name[1],
                     name[2]);
}

nnl_status nnl_dataset_load_idx_dir(nnl_dataset **train, nnl_dataset **test, const char *dir)
{
    const char *who = "nnl_dataset_load_idx_dir";
    NNL_CHECK_PTR(who, train);
    NNL_CHECK_PTR(who, test);
    *train = *test = NULL;
    NNL_CHECK_PTR(who, dir);
    if (strlen(dir) > PATH_CAPACITY - 64)
        return nnl_error(NNL_E_INVALID_ARG, "%s: directory path of %zu characters is too long", who,
                         strlen(dir));
    char paths[4][PATH_CAPACITY];
    NNL_TRY(find_set(paths, dir, "train", who));
    NNL_TRY(find_set(paths + 2, dir, "t10k", who));
    nnl_status s = load_pair(train, paths[0], paths[1], who);
    if (s == NNL_OK)
        s = load_pair(test, paths[2], paths[3], who);
    if (s != NNL_OK) {
        nnl_dataset_free(*train);
        *train = NULL;
        return s;
    }
    if ((*train)->multi_label != (*test)->multi_label || (*train)->y_size != (*test)->y_size) {
        nnl_dataset_free(*train);
        nnl_dataset_free(*test);
        *train = *test = NULL;
        return nnl_error(NNL_E_FORMAT, "%s: the training labels (%s) and the test labels (%s) are not of one "
                         "kind: class indices, or multi-hot rows of one width", who, paths[1], paths[3]);
    }
    int32_t classes = (*train)->num_classes > (*test)->num_classes ? (*train)->num_classes
                                                                    : (*test)->num_classes;
    (*train)->num_classes = (*test)->num_classes = classes;
    return NNL_OK;
}

/* ---- queries ----------------------------------------------------------- */

int64_t nnl_dataset_size(const nnl_dataset *dataset) { return dataset ? dataset->count : -1; }

int64_t nnl_dataset_sample_size(const nnl_dataset *ds) { return ds ? ds->x_size : -1; }

int64_t nnl_dataset_target_size(const nnl_dataset *ds) { return ds ? ds->y_size : -1; }

int32_t nnl_dataset_num_classes(const nnl_dataset *dataset)
{
    return dataset ? dataset->num_classes : 0;
}

static nnl_status copy_shape(const char *who, int item_ndim, const int64_t *item_dims,
                             int64_t *dims, int capacity, int *ndim)
{
    NNL_CHECK_PTR(who, ndim);
    if (capacity < item_ndim)
        return nnl_error(NNL_E_INVALID_ARG, "%s: capacity=%d, the shape has %d dims", who, capacity,
                         item_ndim);
    if (item_ndim > 0) {
        NNL_CHECK_PTR(who, dims);
        memcpy(dims, item_dims, (size_t)item_ndim * sizeof dims[0]);
    }
    *ndim = item_ndim;
    return NNL_OK;
}

nnl_status nnl_dataset_sample_shape(const nnl_dataset *dataset, int64_t *dims, int capacity,
                                    int *ndim)
{
    NNL_CHECK_PTR("nnl_dataset_sample_shape", dataset);
    return copy_shape("nnl_dataset_sample_shape", dataset->x_ndim, dataset->x_dims, dims, capacity,
                      ndim);
}

nnl_status nnl_dataset_target_shape(const nnl_dataset *dataset, int64_t *dims, int capacity,
                                    int *ndim)
{
    NNL_CHECK_PTR("nnl_dataset_target_shape", dataset);
    return copy_shape("nnl_dataset_target_shape", dataset->y_ndim, dataset->y_dims, dims, capacity,
                      ndim);
}

/* ---- batches ----------------------------------------------------------- */

nnl_status nnl_dataset_check_range(const nnl_dataset *ds, int64_t start, int64_t count, const char *who)
{
    if (start < 0 || count < 1 || start >= ds->count || count > ds->count - start)
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: start=%lld count=%lld is not a non-empty range of the %lld samples",
                         who, (long long)start, (long long)count, (long long)ds->count);
    return NNL_OK;
}

/* The tensor must have the shape {count, item_dims...}. */
static nnl_status check_batch_tensor(const nnl_tensor *t, int64_t count, int item_ndim,
                                     const int64_t *item_dims, const char *who, const char *what)
{
    int64_t want[NNL_MAX_DIMS];
    want[0] = count;
    if (item_ndim > 0)
        memcpy(want + 1, item_dims, (size_t)item_ndim * sizeof want[0]);
    int ndim = item_ndim + 1;
    if (t->ndim == ndim && memcmp(t->dims, want, (size_t)ndim * sizeof want[0]) == 0)
        return NNL_OK;
    char got_s[128], want_s[128];
    return nnl_error(NNL_E_SHAPE, "%s: %s has shape %s, expected %s", who, what,
                     nnl_shape_str(got_s, sizeof got_s, t->ndim, t->dims),
                     nnl_shape_str(want_s, sizeof want_s, ndim, want));
}

nnl_status nnl_dataset_get_batch(const nnl_dataset *dataset, int64_t start, int64_t count,
                                 nnl_tensor *x, nnl_tensor *y)
{
    const char *who = "nnl_dataset_get_batch";
    NNL_CHECK_PTR(who, dataset);
    NNL_CHECK_PTR(who, x);
    NNL_TRY(nnl_dataset_check_range(dataset, start, count, who));
    NNL_TRY(check_batch_tensor(x, count, dataset->x_ndim, dataset->x_dims, who, "x"));
    if (y)
        NNL_TRY(check_batch_tensor(y, count, dataset->y_ndim, dataset->y_dims, who, "y"));
    if (dataset->tokens) {
        for (int64_t k = 0, index = start; k < count; k++, index++)
            nnl_text_windows_fill(dataset, &index, 1, x->data + k * dataset->x_size,
                                  y ? y->data + k * dataset->y_size : NULL);
        return NNL_OK;
    }
    memcpy(x->data, dataset->x + start * dataset->x_size,
           (size_t)(count * dataset->x_size) * sizeof(float));
    if (y)
        memcpy(y->data, dataset->y + start * dataset->y_size,
               (size_t)(count * dataset->y_size) * sizeof(float));
    return NNL_OK;
}

nnl_status nnl_dataset_get_labels(const nnl_dataset *dataset, int64_t start, int64_t count,
                                  int32_t *labels)
{
    const char *who = "nnl_dataset_get_labels";
    NNL_CHECK_PTR(who, dataset);
    NNL_CHECK_PTR(who, labels);
    if (dataset->num_classes == 0)
        return nnl_error(NNL_E_STATE, "%s: the dataset's targets are not class labels", who);
    if (dataset->multi_label)
        return nnl_error(NNL_E_STATE, "%s: the dataset's targets are multi-hot rows "
                         "(nnl_dataset_get_multilabels reads them)", who);
    NNL_TRY(nnl_dataset_check_range(dataset, start, count, who));
    for (int64_t i = 0; i < count; i++)
        labels[i] = (int32_t)dataset->y[start + i];
    return NNL_OK;
}

nnl_status nnl_dataset_check_stored(const nnl_dataset *ds, const char *who)
{
    if (ds->tokens)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the data set holds windows of a text (nnl_dataset_from_text), "
                         "not stored samples", who);
    return NNL_OK;
}

nnl_status nnl_dataset_check_finite(const nnl_dataset *ds, const char *who, const char *what)
{
    if (ds->tokens)
        return NNL_OK; /* token ids, checked by the embedding */
    int64_t i = nnl_first_non_finite(ds->x, ds->count * ds->x_size);
    if (i >= 0)
        return nnl_error(NNL_E_NUMERIC, "%s: %s: sample %lld element %lld is %g", who, what,
                         (long long)(i / ds->x_size), (long long)(i % ds->x_size), (double)ds->x[i]);
    i = nnl_first_non_finite(ds->y, ds->count * ds->y_size);
    if (i >= 0)
        return nnl_error(NNL_E_NUMERIC, "%s: %s: target of sample %lld (element %lld) is %g", who, what,
                         (long long)(i / ds->y_size), (long long)(i % ds->y_size), (double)ds->y[i]);
    return NNL_OK;
}

nnl_status nnl_dataset_fill_batch(const nnl_dataset *ds, const int64_t *indices, int64_t count,
                                  float *x, float *y, nnl_rng *augment_rng)
{
    const char *who = "nnl_dataset_fill_batch";
    NNL_CHECK_PTR(who, ds);
    NNL_CHECK_PTR(who, indices);
    NNL_CHECK_PTR(who, x);
    for (int64_t k = 0; k < count; k++) {
        if (indices[k] < 0 || indices[k] >= ds->count)
            return nnl_error(NNL_E_INVALID_ARG, "%s: indices[%lld]=%lld, the dataset has %lld samples",
                             who, (long long)k, (long long)indices[k], (long long)ds->count);
    }
    if (ds->tokens) {
        nnl_text_windows_fill(ds, indices, count, x, y);
        return NNL_OK;
    }
    int augment = augment_rng && nnl_dataset_augmenting(ds);
    int64_t h = ds->x_dims[0], w = ds->x_dims[1], c = ds->x_ndim == 3 ? ds->x_dims[2] : 1;
    for (int64_t k = 0; k < count; k++) {
        const float *src = ds->x + indices[k] * ds->x_size;
        float *dst = x + k * ds->x_size;
        if (augment) {
            nnl_affine t = nnl_augment_draw(&ds->augment, augment_rng);
            nnl_affine_apply(&t, src, dst, h, w, c);
        } else {
            memcpy(dst, src, (size_t)ds->x_size * sizeof(float));
        }
        if (y)
            memcpy(y + k * ds->y_size, ds->y + indices[k] * ds->y_size,
                   (size_t)ds->y_size * sizeof(float));
    }
    return NNL_OK;
}
