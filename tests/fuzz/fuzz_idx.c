/* Fuzz target: the IDX (MNIST) loader. The input holds an images file and a
 * labels file: a little-endian u32 split point, then the images bytes, then
 * the labels bytes (class indices, or multi-hot rows of 2 dims); both go
 * through nnl_idx_parse() (plain or gzip) and, when
 * both parse, nnl_dataset_from_idx(), exactly as nnl_dataset_load_idx() does
 * with two files. */
#include <stdlib.h>

#include "data/dataset.h"
#include "data/idx.h"
#include "fuzz_targets.h"

/* A parsed IDX must describe exactly the bytes it says it has. */
static void check_parsed(const nnl_idx *idx, int ndim)
{
    if (idx->ndim != ndim || !idx->data || idx->item_bytes < 1)
        abort();
    int64_t total = idx->dims[0];
    for (int i = 1; i < ndim; i++)
        total *= idx->dims[i];
    if (total != idx->dims[0] * idx->item_bytes || total > NNL_IDX_MAX_DATA_BYTES)
        abort();
    volatile uint8_t sum = 0; /* touch every byte: ASan checks they exist */
    for (int64_t i = 0; i < total; i++)
        sum += idx->data[i];
    (void)sum;
}

int fuzz_idx(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t split = (size_t)(data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24) % (size - 3);
    const uint8_t *images_bytes = data + 4, *labels_bytes = data + 4 + split;
    size_t images_size = split, labels_size = size - 4 - split;
    nnl_idx images, labels;
    int s_images = nnl_idx_parse(&images, images_bytes, images_size, 3, "fuzz", "images");
    if (s_images != NNL_OK)
        fuzz_check_failure(s_images);
    else
        check_parsed(&images, 3);
    int s_labels = nnl_idx_parse(&labels, labels_bytes, labels_size, NNL_IDX_LABELS, "fuzz", "labels");
    if (s_labels != NNL_OK)
        fuzz_check_failure(s_labels);
    else
        check_parsed(&labels, labels.ndim == 2 ? 2 : 1); /* class indices, or multi-hot rows */
    if (s_images == NNL_OK && s_labels == NNL_OK) {
        nnl_dataset *ds = NULL;
        int s = nnl_dataset_from_idx(&ds, &images, &labels, "fuzz", "images", "labels");
        if (s != NNL_OK)
            fuzz_check_failure(s);
        else if (!ds || nnl_dataset_size(ds) != images.dims[0] || nnl_dataset_num_classes(ds) < 1)
            abort();
        nnl_dataset_free(ds);
    }
    nnl_idx_free(&images);
    nnl_idx_free(&labels);
    return 0;
}
