/* Internal view of nnl_dataset, for the training loop and the fuzz target. */
#ifndef NNL_DATA_DATASET_H
#define NNL_DATA_DATASET_H

#include "core/rng.h"
#include "data/augment.h"
#include "data/idx.h"
#include "nnlite/dataset.h"

/* Classes of a multi-hot dataset at most (as nnl_metrics_confusion takes). */
enum { NNL_DATASET_MAX_CLASSES = 65536 };

struct nnl_dataset {
    int64_t count;
    int x_ndim;
    int64_t x_dims[NNL_MAX_DIMS];
    int64_t x_size; /* floats per sample */
    int y_ndim;
    int64_t y_dims[NNL_MAX_DIMS];
    int64_t y_size;       /* floats per target */
    float *x;             /* count * x_size, sample after sample */
    float *y;             /* count * y_size */
    int32_t num_classes;  /* > 0 when the targets are class indices, or multi-hot rows */
    int multi_label;      /* the targets are multi-hot rows {num_classes} of 0/1 */
    nnl_augment augment;  /* applied by nnl_dataset_fill_batch */
    /* Text windows (nnl_dataset_from_text): x and y are NULL; sample i is
     * tokens[i .. i + x_size), its target tokens[i + 1 .. i + x_size]. */
    int32_t *tokens;      /* count + x_size tokens */
    /* Masked-LM windows (nnl_dataset_masked_lm) when mask_rate > 0: sample i
     * is window i masked from a generator seeded with (mask_seed, i), its
     * target the original tokens at the chosen positions (text_masked.c). */
    float mask_rate;
    uint64_t mask_seed;
    int32_t mask_first;   /* first id that may be chosen (the tokenizer's first code point) */
    int32_t mask_vocab;   /* random replacements are ids mask_first .. mask_vocab - 1 */
    int mask_framed;      /* windows framed as [CLS] tokens [SEP] (nnl_dataset_masked_lm_framed) */
    /* Names of the classes 0 .. num_classes - 1 (nnl_dataset_load_tsv), one
     * NUL-terminated string after the other; NULL when unnamed. */
    char *class_names;
    size_t class_names_size; /* bytes of class_names */
};

/* dst gets a copy of src's class names (none when src has none); `caller`
 * starts the NNL_E_NOMEM message (text_classes.c). */
nnl_status nnl_dataset_copy_class_names(nnl_dataset *dst, const nnl_dataset *src, const char *caller);

/* A dataset of `count` samples with the given per-item shapes and x and y
 * allocated but uninitialised (num_classes 0, no augmentation). `who`
 * starts error messages: NNL_E_INVALID_ARG for a bad count or shape,
 * NNL_E_NOMEM beyond 2^40 floats or when memory runs out (dataset.c; also
 * used by nnl_dataset_split in dataset_edit.c). */
nnl_status nnl_dataset_alloc(nnl_dataset **out, int64_t count, int x_ndim, const int64_t *x_dims,
                             int y_ndim, const int64_t *y_dims, const char *who);

/* Windows of a text data set: x (count * window) and y (count * window)
 * of the samples indices[0..count), ids as floats (text_windows.c). */
void nnl_text_windows_fill(const nnl_dataset *ds, const int64_t *indices, int64_t count, float *x, float *y);

/* The masked windows of samples indices[0..count) into x and (unless NULL)
 * y, count * window floats each (text_masked.c). */
void nnl_masked_windows_fill(const nnl_dataset *ds, const int64_t *indices, int64_t count, float *x, float *y);

/* NNL_E_UNSUPPORTED naming `who` when ds holds text windows (operations on
 * stored samples: shuffle, split, normalise, augment ...). */
nnl_status nnl_dataset_check_stored(const nnl_dataset *ds, const char *who);

/* NNL_E_INVALID_ARG naming `who` unless [start, start + count) is a
 * non-empty range of the samples. */
nnl_status nnl_dataset_check_range(const nnl_dataset *ds, int64_t start, int64_t count, const char *who);

/* Floats per sample and per target; -1 when ds is NULL. */
int64_t nnl_dataset_sample_size(const nnl_dataset *ds);
int64_t nnl_dataset_target_size(const nnl_dataset *ds);

/* Gather samples indices[0..count) into x (count * sample_size floats) and
 * their targets into y (count * target_size floats; y may be NULL). When the
 * dataset has augmentation enabled and augment_rng is not NULL, each sample
 * is transformed by a transform drawn from augment_rng. Never allocates:
 * the training loop calls it at every step. NNL_E_INVALID_ARG for NULL
 * pointers or an index outside the dataset. */
nnl_status nnl_dataset_fill_batch(const nnl_dataset *ds, const int64_t *indices, int64_t count,
                                  float *x, float *y, nnl_rng *augment_rng);

/* NNL_E_NUMERIC naming the sample, element and `what` ("training data") when
 * a sample or target value is NaN or infinite; training checks its data once
 * up front rather than meeting a NaN loss later. */
nnl_status nnl_dataset_check_finite(const nnl_dataset *ds, const char *who, const char *what);

/* Whether nnl_dataset_fill_batch would augment (given an rng). */
int nnl_dataset_augmenting(const nnl_dataset *ds);

/* Seed `rng` from the seed given to nnl_dataset_set_augmentation, so that a
 * training run draws the same transforms every time. */
void nnl_dataset_seed_augment_rng(const nnl_dataset *ds, nnl_rng *rng);

/* Targets of a multi-label dataset of num_classes-wide targets from
 * count x num_classes bytes, each 0 or 1 (multilabel.c); marks it
 * multi-label. NNL_E_FORMAT (from a file `label`) or NNL_E_INVALID_ARG
 * (memory: label NULL) naming the first other byte's sample and class. */
nnl_status nnl_dataset_set_multihot(nnl_dataset *ds, const uint8_t *rows, const char *who, const char *label);

/* Build a labelled image dataset from parsed IDX images (3 dims) and labels
 * (1 dim: class indices; 2 dims: multi-hot rows), checking that their counts agree. `who` starts error messages,
 * which name the two sources by images_label and labels_label. Used by
 * nnl_dataset_load_idx and the fuzz target. */
nnl_status nnl_dataset_from_idx(nnl_dataset **out, const nnl_idx *images, const nnl_idx *labels,
                                const char *who, const char *images_label,
                                const char *labels_label);

#endif
