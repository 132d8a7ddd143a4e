/**
 * @file nnlite/dataset.h
 * @brief In-memory data sets of float32 samples and targets, IDX (MNIST) loading,
 *        shuffling, splitting, normalisation and on-the-fly augmentation.
 *
 * @defgroup dataset Datasets
 * A dataset holds @c count samples. Each sample is a float32 array of one
 * per-sample shape (an image is {rows, cols, channels}, NHWC), and each target
 * is a float32 array of one per-target shape. A classification label is a
 * target of shape {} (ndim 0): one float holding the class index. A
 * multi-label dataset (an image may belong to several classes at once) has
 * targets of shape {classes}: multi-hot rows of 0 and 1, for
 * ::NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY.
 *
 * Batches come out as tensors of shape {count, sample...} and
 * {count, target...}. Augmentation, when enabled with
 * nnl_dataset_set_augmentation(), is applied only to the batches that
 * training draws; nnl_dataset_get_batch() always returns the stored data.
 *
 * Thread-safety: a dataset is used by one thread at a time while it is
 * modified (shuffle, normalize, scale, set_augmentation). The functions that
 * take a @c const dataset only read it and may run concurrently with each other.
 * @{
 */
#ifndef NNLITE_DATASET_H
#define NNLITE_DATASET_H

#include <stdint.h>

#include "export.h"
#include "status.h"
#include "tensor.h"

NNL_BEGIN_DECLS

/** Opaque dataset handle. */
typedef struct nnl_dataset nnl_dataset;

/**
 * @brief Load images and labels from a pair of IDX files (the MNIST format).
 *
 * Each file may be plain or gzip-compressed (recognised by its first two
 * bytes, 1f 8b). The images file must have magic 0x00000803 (unsigned bytes,
 * 3 dims: count, rows, cols) and the labels file 0x00000801 (unsigned bytes,
 * 1 dim: count) or 0x00000802 (unsigned bytes, 2 dims: count, classes, each
 * byte 0 or 1: multi-hot rows). Every header field, the agreement of the two
 * counts and the exact length of the data are checked before the dataset is
 * allocated; files whose pixels would exceed 2^31 bytes are refused.
 *
 * Pixels become floats in [0, 1] (byte / 255); the sample shape is
 * {rows, cols, 1}. Labels of 1 dim become class indices with target shape {}
 * (ndim 0), and nnl_dataset_num_classes() is the largest label + 1. Labels of
 * 2 dims make a multi-label dataset (nnl_dataset_is_multilabel()): targets
 * of shape {classes} holding the 0/1 bytes as floats, at most 65536 classes,
 * and nnl_dataset_num_classes() is the number of classes.
 *
 * @param out         receives the dataset (transferred; free with nnl_dataset_free()).
 *                    Set to NULL on failure.
 * @param images_path path of the images file; borrowed for the call.
 * @param labels_path path of the labels file; borrowed for the call.
 * @return ::NNL_E_INVALID_ARG for NULL pointers;
 *         ::NNL_E_IO when a file cannot be opened or read (the message has the
 *         path and the system's reason);
 *         ::NNL_E_FORMAT when a file is malformed (the message has the path and
 *         what is wrong, e.g. "bad magic 0x00000804", a multi-hot byte other
 *         than 0 or 1 with its sample and class, or
 *         "truncated: expected 7840000 bytes of pixels, got 7839999"), or when
 *         the two files disagree ("labels has 9999 items, images 10000");
 *         ::NNL_E_NOMEM when memory runs out.
 */
NNL_API nnl_status nnl_dataset_load_idx(nnl_dataset **out, const char *images_path,
                                        const char *labels_path);

/**
 * @brief Load the MNIST-style training and test sets of a directory.
 *
 * Reads @c train-images-idx3-ubyte, @c train-labels-idx1-ubyte,
 * @c t10k-images-idx3-ubyte and @c t10k-labels-idx1-ubyte from @p dir, each
 * with the suffix @c .gz when that file exists, otherwise without it. A set
 * without an @c idx1 labels file takes @c train-labels-idx2-ubyte
 * (@c t10k-labels-idx2-ubyte): multi-hot rows, a multi-label dataset (see
 * nnl_dataset_load_idx()). Both sets report the larger of their two
 * nnl_dataset_num_classes(), so a test set that happens to lack the last
 * class still agrees with its training set.
 *
 * @param train receives the training set (transferred); NULL on failure.
 * @param test  receives the test set (transferred); NULL on failure.
 * @param dir   the directory; borrowed for the call.
 * @return ::NNL_E_IO when one of the four files is missing (the message names
 *         the paths tried); ::NNL_E_FORMAT when one set has class indices and
 *         the other multi-hot rows (or rows of another width); otherwise the
 *         errors of nnl_dataset_load_idx().
 */
NNL_API nnl_status nnl_dataset_load_idx_dir(nnl_dataset **train, nnl_dataset **test,
                                            const char *dir);

/**
 * @brief Create a dataset from caller memory (copied).
 *
 * If the targets have shape {} (@p y_ndim 0) and every target is a
 * non-negative whole number below 2^24, the dataset counts as labelled and
 * nnl_dataset_num_classes() is the largest target + 1.
 *
 * @param out    receives the dataset (transferred; free with nnl_dataset_free()).
 * @param count  number of samples, >= 1.
 * @param x_ndim dimensions of one sample, 0..::NNL_MAX_DIMS - 1 (the batch adds one).
 * @param x_dims @p x_ndim sizes, each >= 1; copied. May be NULL when x_ndim is 0.
 * @param x      count * prod(x_dims) floats, sample after sample; copied.
 * @param y_ndim dimensions of one target, 0..::NNL_MAX_DIMS - 1.
 * @param y_dims @p y_ndim sizes, each >= 1; copied. May be NULL when y_ndim is 0.
 * @param y      count * prod(y_dims) floats; copied.
 * @return ::NNL_E_INVALID_ARG for NULL pointers, count < 1 or bad shapes;
 *         ::NNL_E_NOMEM when the data is too large or memory runs out.
 */
NNL_API nnl_status nnl_dataset_create(nnl_dataset **out, int64_t count, int x_ndim,
                                      const int64_t *x_dims, const float *x, int y_ndim,
                                      const int64_t *y_dims, const float *y);

/**
 * @brief Create a classification dataset from samples and integer labels (copied).
 *
 * The targets have shape {} and hold the labels as floats.
 * @param out    receives the dataset (transferred; free with nnl_dataset_free()).
 * @param count  number of samples, >= 1.
 * @param x_ndim dimensions of one sample, 0..::NNL_MAX_DIMS - 1.
 * @param x_dims @p x_ndim sizes, each >= 1; copied. May be NULL when x_ndim is 0.
 * @param x      count * prod(x_dims) floats, sample after sample; copied.
 * @param labels @p count class indices, each in [0, 2^24); copied.
 * @return errors as nnl_dataset_create(); a negative or too large label is
 *         ::NNL_E_INVALID_ARG naming its index and value.
 */
NNL_API nnl_status nnl_dataset_create_labeled(nnl_dataset **out, int64_t count, int x_ndim,
                                              const int64_t *x_dims, const float *x,
                                              const int32_t *labels);

/**
 * @brief Create a multi-label dataset from samples and a label matrix (copied).
 *
 * Sample i belongs to class c when labels[i * num_classes + c] is 1. The
 * targets have shape {num_classes} and hold the bytes as floats (what
 * ::NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY trains on); nnl_dataset_num_classes()
 * is @p num_classes and nnl_dataset_is_multilabel() is 1.
 * @param out         receives the dataset (transferred; free with nnl_dataset_free()).
 * @param count       number of samples, >= 1.
 * @param x_ndim      dimensions of one sample, 0..::NNL_MAX_DIMS - 1.
 * @param x_dims      @p x_ndim sizes, each >= 1; copied. May be NULL when x_ndim is 0.
 * @param x           count * prod(x_dims) floats, sample after sample; copied.
 * @param label_rows  rows of the label matrix: must equal @p count.
 * @param num_classes columns of the label matrix, 1..65536.
 * @param labels      label_rows * num_classes bytes, row after row, each 0 or 1; copied.
 * @return ::NNL_E_SHAPE when @p label_rows differs from @p count (both in the message);
 *         ::NNL_E_INVALID_ARG for NULL pointers, bad shapes, a bad @p num_classes or a
 *         byte other than 0 or 1 (its row and column in the message); ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_dataset_create_multilabel(nnl_dataset **out, int64_t count, int x_ndim,
                                                 const int64_t *x_dims, const float *x,
                                                 int64_t label_rows, int32_t num_classes,
                                                 const uint8_t *labels);

/**
 * @brief Whether the targets are multi-hot rows (a multi-label dataset).
 * @param dataset the dataset, or NULL.
 * @return 1 for a dataset from nnl_dataset_create_multilabel() or from IDX
 *         labels of 2 dims (and the parts of nnl_dataset_split() of one); 0
 *         otherwise and for NULL.
 */
NNL_API int nnl_dataset_is_multilabel(const nnl_dataset *dataset);

/**
 * @brief Copy the multi-hot label rows of samples [start, start + count).
 * @param dataset a multi-label dataset.
 * @param start   index of the first sample, >= 0.
 * @param count   number of samples, >= 1, with start + count <= nnl_dataset_size().
 * @param labels  receives count * nnl_dataset_num_classes() bytes, 0 or 1, row after row.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a bad range;
 *         ::NNL_E_STATE when the dataset is not multi-label.
 */
NNL_API nnl_status nnl_dataset_get_multilabels(const nnl_dataset *dataset, int64_t start,
                                               int64_t count, uint8_t *labels);

/**
 * @brief Free a dataset and its data.
 * @param dataset the dataset, or NULL (a no-op).
 */
NNL_API void nnl_dataset_free(nnl_dataset *dataset);

/**
 * @brief Number of samples.
 * @param dataset the dataset.
 * @return the count (>= 1), or -1 when @p dataset is NULL.
 */
NNL_API int64_t nnl_dataset_size(const nnl_dataset *dataset);

/**
 * @brief The shape of one sample.
 * @param dataset  the dataset.
 * @param dims     receives *ndim sizes; may be NULL when the sample has ndim 0.
 * @param capacity number of elements @p dims can hold.
 * @param ndim     receives the number of dimensions.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or when @p capacity is too small.
 */
NNL_API nnl_status nnl_dataset_sample_shape(const nnl_dataset *dataset, int64_t *dims,
                                            int capacity, int *ndim);

/**
 * @brief The shape of one target (ndim 0 for class labels).
 * @param dataset  the dataset.
 * @param dims     receives *ndim sizes; may be NULL when the target has ndim 0.
 * @param capacity number of elements @p dims can hold.
 * @param ndim     receives the number of dimensions.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or when @p capacity is too small.
 */
NNL_API nnl_status nnl_dataset_target_shape(const nnl_dataset *dataset, int64_t *dims,
                                            int capacity, int *ndim);

/**
 * @brief Number of classes of a labelled dataset.
 *
 * Computed when the dataset is created or loaded; the two parts of
 * nnl_dataset_split() keep the value of the whole.
 * @param dataset the dataset.
 * @return the largest label + 1 for a labelled dataset; the number of classes
 *         (the width of the targets) for a multi-label one; 0 otherwise and
 *         when @p dataset is NULL.
 */
NNL_API int32_t nnl_dataset_num_classes(const nnl_dataset *dataset);

/**
 * @brief The name of a class of a data set whose classes have names (nnl_dataset_load_tsv(),
 *        and the parts nnl_dataset_split() makes of one).
 * @param dataset the data set.
 * @param id      a class id, 0 .. nnl_dataset_num_classes() - 1.
 * @return the NUL-terminated UTF-8 name, borrowed from the data set (valid until it is
 *         freed); NULL for NULL, an id out of range or a data set without class names.
 */
NNL_API const char *nnl_dataset_class_name(const nnl_dataset *dataset, int32_t id);

/**
 * @brief Copy samples [start, start + count) into tensors (never augmented).
 * @param dataset the dataset.
 * @param start   index of the first sample, >= 0.
 * @param count   number of samples, >= 1, with start + count <= nnl_dataset_size().
 * @param x receives the samples; must have exactly the shape {count, sample...}.
 * @param y receives the targets; must have exactly the shape {count, target...}.
 *          May be NULL when only the samples are wanted.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a range outside the dataset;
 *         ::NNL_E_SHAPE when a tensor's shape differs (both shapes in the message).
 */
NNL_API nnl_status nnl_dataset_get_batch(const nnl_dataset *dataset, int64_t start,
                                         int64_t count, nnl_tensor *x, nnl_tensor *y);

/**
 * @brief Copy the labels of samples [start, start + count) as integers.
 * @param dataset a labelled dataset.
 * @param start   index of the first sample, >= 0.
 * @param count   number of samples, >= 1, with start + count <= nnl_dataset_size().
 * @param labels receives @p count class indices.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a bad range;
 *         ::NNL_E_STATE when the dataset is not labelled (nnl_dataset_num_classes() is 0)
 *         or is multi-label (nnl_dataset_get_multilabels() reads those labels).
 */
NNL_API nnl_status nnl_dataset_get_labels(const nnl_dataset *dataset, int64_t start,
                                          int64_t count, int32_t *labels);

/**
 * @brief Shuffle the samples (with their targets) in place.
 *
 * Fisher-Yates on nnlite's PCG32 generator: the same seed gives the same
 * order on every machine.
 * @param dataset the dataset.
 * @param seed    seed of the permutation.
 * @return ::NNL_E_INVALID_ARG when @p dataset is NULL;
 *         ::NNL_E_UNSUPPORTED for more than 2^32 - 1 samples.
 */
NNL_API nnl_status nnl_dataset_shuffle(nnl_dataset *dataset, uint64_t seed);

/**
 * @brief Split into two new datasets: samples [0, first_count) and the rest (copied).
 *
 * Shuffle first for a random split. The parts keep the shapes, the class
 * count and the augmentation settings of @p dataset, which is unchanged.
 * @param dataset     the dataset to split (read only).
 * @param first_count samples in the first part, 1 .. size - 1.
 * @param first  receives the first part (transferred); NULL on failure.
 * @param second receives the second part (transferred); NULL on failure.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or when @p first_count is not
 *         in [1, size - 1]; ::NNL_E_NOMEM when memory runs out.
 */
NNL_API nnl_status nnl_dataset_split(const nnl_dataset *dataset, int64_t first_count,
                                     nnl_dataset **first, nnl_dataset **second);

/**
 * @brief Normalise the samples in place: x = (x - mean) / std.
 *
 * Use the training set's nnl_dataset_mean_std() for the test set as well.
 * Targets are unchanged.
 * @param dataset the dataset.
 * @param mean    subtracted from every sample value.
 * @param std     divides every sample value after the subtraction.
 * @return ::NNL_E_INVALID_ARG when @p mean is not finite or @p std is not a
 *         finite number > 0.
 */
NNL_API nnl_status nnl_dataset_normalize(nnl_dataset *dataset, float mean, float std);

/**
 * @brief Multiply every sample value by @p factor in place (targets unchanged).
 * @param dataset the dataset.
 * @param factor  the factor, finite (e.g. 1/255 for raw bytes).
 * @return ::NNL_E_INVALID_ARG when @p factor is not finite.
 */
NNL_API nnl_status nnl_dataset_scale(nnl_dataset *dataset, float factor);

/**
 * @brief Mean and (population) standard deviation of all sample values.
 *
 * Accumulated in double precision, so the result does not depend on the
 * dataset's size or order beyond float rounding.
 * @param dataset the dataset.
 * @param mean    receives the mean.
 * @param std     receives the standard deviation.
 * @return ::NNL_E_INVALID_ARG for NULL pointers.
 */
NNL_API nnl_status nnl_dataset_mean_std(const nnl_dataset *dataset, float *mean, float *std);

/**
 * @brief Enable (or, with all three limits 0, disable) random augmentation of
 *        the images that training draws from this dataset.
 *
 * Each drawn image gets its own random affine transform: a rotation about the
 * image centre by an angle uniform in ±@p max_rotation_degrees, an isotropic
 * scale uniform in 1 ± @p max_scale_delta and a shift uniform in
 * ±@p max_shift_pixels along each axis. The result is sampled bilinearly;
 * points that fall outside the image take the minimum value of that channel
 * of the image (0 for raw MNIST pixels, the normalised background after
 * * nnl_dataset_normalize()). The same @p seed draws the same transforms.
 *
 * Samples must be images of shape {rows, cols, channels} or {rows, cols}.
 * nnl_dataset_get_batch() never augments.
 * @param dataset              the dataset.
 * @param max_rotation_degrees largest rotation either way, 0..180.
 * @param max_scale_delta      largest relative zoom either way, 0 <= delta < 1.
 * @param max_shift_pixels     largest shift along each axis, >= 0.
 * @param seed                 seed of the transforms.
 * @return ::NNL_E_INVALID_ARG when a limit is negative or not finite, the
 *         rotation exceeds 180 degrees or the scale delta is not below 1;
 *         ::NNL_E_SHAPE when augmentation is enabled for samples that are not images.
 */
NNL_API nnl_status nnl_dataset_set_augmentation(nnl_dataset *dataset, float max_rotation_degrees,
                                                float max_scale_delta, float max_shift_pixels,
                                                uint64_t seed);

NNL_END_DECLS

#endif
/** @} */
