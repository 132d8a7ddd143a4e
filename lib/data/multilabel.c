/* Multi-label datasets: targets that are multi-hot rows {classes} of 0/1,
 * from caller memory or (through nnl_dataset_from_idx) from IDX label files
 * of two dimensions, and reading them back as bytes. */
#include "data/dataset.h"

#include <string.h>

#include "core/error.h"

nnl_status nnl_dataset_set_multihot(nnl_dataset *ds, const uint8_t *rows, const char *who, const char *label)
{
    const int64_t classes = ds->y_size;
    for (int64_t i = 0; i < ds->count * classes; i++) {
        if (rows[i] > 1) {
            if (label)
                return nnl_error(NNL_E_FORMAT, "%s: %s: sample %lld, class %lld has label byte %u, expected 0 or 1",
                                 who, label, (long long)(i / classes), (long long)(i % classes), rows[i]);
            return nnl_error(NNL_E_INVALID_ARG, "%s: labels[%lld][%lld]=%u, expected 0 or 1", who,
                             (long long)(i / classes), (long long)(i % classes), rows[i]);
        }
        ds->y[i] = (float)rows[i];
    }
    ds->num_classes = (int32_t)classes;
    ds->multi_label = 1;
    return NNL_OK;
}

nnl_status nnl_dataset_create_multilabel(nnl_dataset **out, int64_t count, int x_ndim, const int64_t *x_dims,
                                         const float *x, int64_t label_rows, int32_t num_classes,
                                         const uint8_t *labels)
{
    const char *who = "nnl_dataset_create_multilabel";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, labels);
    if (label_rows != count)
        return nnl_error(NNL_E_SHAPE, "%s: the label matrix has %lld rows, there are %lld samples", who,
                         (long long)label_rows, (long long)count);
    if (num_classes < 1 || num_classes > NNL_DATASET_MAX_CLASSES)
        return nnl_error(NNL_E_INVALID_ARG, "%s: num_classes=%d, expected 1..%d", who, num_classes,
                         NNL_DATASET_MAX_CLASSES);
    const int64_t width = num_classes;
    nnl_dataset *ds;
    NNL_TRY(nnl_dataset_alloc(&ds, count, x_ndim, x_dims, 1, &width, who));
    memcpy(ds->x, x, (size_t)(count * ds->x_size) * sizeof(float));
    nnl_status s = nnl_dataset_set_multihot(ds, labels, who, NULL);
    if (s != NNL_OK) {
        nnl_dataset_free(ds);
        return s;
    }
    *out = ds;
    return NNL_OK;
}

int nnl_dataset_is_multilabel(const nnl_dataset *dataset) { return dataset && dataset->multi_label; }

nnl_status nnl_dataset_get_multilabels(const nnl_dataset *dataset, int64_t start, int64_t count, uint8_t *labels)
{
    const char *who = "nnl_dataset_get_multilabels";
    NNL_CHECK_PTR(who, dataset);
    NNL_CHECK_PTR(who, labels);
    if (!dataset->multi_label)
        return nnl_error(NNL_E_STATE, "%s: the dataset's targets are not multi-hot rows", who);
    NNL_TRY(nnl_dataset_check_range(dataset, start, count, who));
    const float *y = dataset->y + start * dataset->y_size;
    for (int64_t i = 0; i < count * dataset->y_size; i++)
        labels[i] = (uint8_t)(y[i] >= 0.5f);
    return NNL_OK;
}
