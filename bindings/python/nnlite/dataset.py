"""Datasets of float32 samples and targets: IDX (MNIST) files, arrays, batches, shuffling, augmentation."""

import ctypes

from . import _buffers, _paths, _shapes
from ._api import C
from ._handle import CObject, Handle
from .tensor import Tensor
from .text import TextDataset, Tokenizer, split_code


class Dataset(Handle):
    """An in-memory data set (``nnl_dataset``): ``len(ds)`` samples, each with a target.

    A sample is a float32 array of :attr:`sample_shape` (images are
    height x width x channels); a target is either a class label (target
    shape ``()``) or a float32 array of :attr:`target_shape`.

    Build one from arrays with ``Dataset(x, y)``, from files with
    :meth:`load_idx`, :meth:`load_idx_dir` or :meth:`load_tsv`, or from a
    text with :meth:`from_text`. Thread-safety: one thread at a time while it is
    modified (shuffle, normalize, scale, set_augmentation); reading from many.
    """

    @classmethod
    def load_idx(cls, images_path, labels_path):
        """Load an IDX image file and an IDX label file (plain or gzip), e.g. MNIST's.

        Pixels become floats in [0, 1]; samples have shape (rows, cols, 1).
        A label file of 2 dims (samples x classes, bytes 0/1) makes a
        multi-label data set (:attr:`is_multilabel`).
        Raises FileError or FormatError naming the file and the problem.
        """
        out = ctypes.c_void_p()
        C.nnl_dataset_load_idx(ctypes.byref(out), _paths.encode(images_path), _paths.encode(labels_path))
        return cls._adopt(out.value)

    @classmethod
    def load_idx_dir(cls, directory):
        """``(train, test)`` from the four MNIST-named IDX files (optionally ``.gz``) in ``directory``.

        Without ``*-labels-idx1-ubyte`` files, ``*-labels-idx2-ubyte`` (multi-hot rows) are read:
        a folder written by scripts/make-multilabel gives multi-label data sets.
        """
        train, test = ctypes.c_void_p(), ctypes.c_void_p()
        C.nnl_dataset_load_idx_dir(ctypes.byref(train), ctypes.byref(test), _paths.encode(directory))
        return cls._adopt(train.value), cls._adopt(test.value)

    @classmethod
    def masked_lm(cls, text, split, window, mask_rate=0.15, seed=0, framed=False):
        """Masked-language-model windows of a split of a :class:`nnlite.TextDataset` (BERT's pretraining).

        Sample i is the ``window`` token ids from token i of the split (with
        ``framed``: ``[CLS]``, the ``window - 2`` ids from token i, ``[SEP]``,
        the frame of a classifier's input, so that fine-tuning reads positions
        pretraining trained) with
        ``mask_rate`` of its non-special positions chosen: 80% become
        ``[MASK]``, 10% a random character, 10% stay. The target holds the
        original token at the chosen positions and :data:`nnlite.IGNORE_INDEX`
        elsewhere; train with ``"softmax_crossentropy"``. The text's tokenizer
        needs the special tokens. The masking of window i depends only on
        ``seed`` and i. Such a data set cannot be shuffled, split, scaled or
        augmented (UnsupportedError).
        """
        if not isinstance(text, TextDataset):
            raise TypeError("nnlite: Dataset.masked_lm() takes a TextDataset, got %s" % type(text).__name__)
        out = ctypes.c_void_p()
        make = C.nnl_dataset_masked_lm_framed if framed else C.nnl_dataset_masked_lm
        make(ctypes.byref(out), text._address, split_code(split), window, mask_rate, seed)
        return cls._adopt(out.value)

    @classmethod
    def load_tsv(cls, path, tokenizer, max_tokens, labels_from=None):
        """A text-classification data set from ``label<TAB>text`` lines (UTF-8).

        In the text, ``\\n``, ``\\t`` and ``\\\\`` stand for a line break, a tab and a
        backslash. Sample i is ``[CLS]``, the ids of the text's first
        ``max_tokens - 2`` characters, ``[SEP]``, then ``[PAD]`` up to
        ``max_tokens`` ids (as floats); its target the label's class. The
        classes are the labels in order of first appearance
        (:attr:`class_names`), or those of ``labels_from`` (the training set
        of a test set). ``tokenizer`` needs ``special_tokens=True``.
        A malformed line raises FormatError naming the file and the line number.
        """
        if not isinstance(tokenizer, Tokenizer):
            raise TypeError("nnlite: Dataset.load_tsv() takes a Tokenizer, got %s" % type(tokenizer).__name__)
        if labels_from is not None and not isinstance(labels_from, Dataset):
            raise TypeError("nnlite: labels_from must be a Dataset, got %s" % type(labels_from).__name__)
        out = ctypes.c_void_p()
        C.nnl_dataset_load_tsv(ctypes.byref(out), _paths.encode(path), tokenizer._address, max_tokens,
                               labels_from._address if labels_from is not None else None)
        return cls._adopt(out.value)

    @classmethod
    def multilabel(cls, x, labels):
        """A multi-label data set: samples ``x`` (first axis: samples) and a label matrix (copies).

        ``labels`` is samples x classes of 0/1 (ints or bools): sample i has
        class c when ``labels[i][c]`` is 1. Targets are those rows as floats,
        what the ``"sigmoid_binary_crossentropy"`` loss trains on. A matrix
        whose row count differs from the samples' raises ShapeError; a value
        other than 0 or 1, InvalidArgumentError naming its row and column.
        """
        x_address, x_shape, x_owner = _buffers.to_c(x, "f")
        y_address, y_shape, y_owner = _buffers.to_c(labels, "B")
        if not x_shape:
            raise ValueError("nnlite: x needs a first axis of samples")
        if len(y_shape) != 2:
            raise ValueError("nnlite: labels must be a 2-D matrix (samples x classes), got shape %s"
                             % (tuple(y_shape),))
        x_ndim, x_dims = _shapes.dims(x_shape[1:])
        out = ctypes.c_void_p()
        C.nnl_dataset_create_multilabel(ctypes.byref(out), x_shape[0], x_ndim, x_dims, x_address, y_shape[0],
                                        y_shape[1], y_address)
        return cls._adopt(out.value)

    @classmethod
    def from_text(cls, text, split, window):
        """The windows of a split of a :class:`nnlite.TextDataset` as a data set, to train a language model.

        Sample i is the ``window`` token ids from token i of the split (as
        floats, as :class:`nnlite.Embedding` takes them); its target is the
        window shifted by one token: (window,) samples and targets, split
        length - window samples. The split's tokens are copied. Such a data
        set cannot be shuffled, split, scaled or augmented (UnsupportedError);
        ``fit(steps=...)`` draws its windows at random.
        """
        if not isinstance(text, TextDataset):
            raise TypeError("nnlite: Dataset.from_text() takes a TextDataset, got %s" % type(text).__name__)
        out = ctypes.c_void_p()
        C.nnl_dataset_from_text(ctypes.byref(out), text._address, split_code(split), window)
        return cls._adopt(out.value)

    def __init__(self, x, y):
        """A data set holding copies of samples ``x`` (first axis: samples) and targets ``y``.

        ``y`` of an integer type (a numpy integer array, a list of ints,
        ``array('i')``, ...) holds class labels, one per sample; otherwise
        ``y`` holds float targets whose first axis is the samples. Integer
        ``y`` with more axes (labels per position of a sequence, for the
        ``"softmax_crossentropy"`` loss) is stored as float targets.
        """
        x_address, x_shape, x_owner = _buffers.to_c(x, "f")
        if not x_shape:
            raise ValueError("nnlite: x needs a first axis of samples")
        count = x_shape[0]
        x_ndim, x_dims = _shapes.dims(x_shape[1:])
        out = ctypes.c_void_p()
        labels = _is_integer(y)
        if labels:
            y_address, y_shape, y_owner = _buffers.to_c(y, "i")
            labels = len(y_shape) <= 1  # more axes: labels per position, stored as float targets
        if labels:
            if tuple(y_shape) != (count,):
                raise ValueError("nnlite: %d samples but labels of shape %s" % (count, tuple(y_shape)))
            C.nnl_dataset_create_labeled(ctypes.byref(out), count, x_ndim, x_dims, x_address, y_address)
        else:
            y_address, y_shape, y_owner = _buffers.to_c(y, "f")
            if not y_shape or y_shape[0] != count:
                raise ValueError("nnlite: %d samples but targets of shape %s" % (count, tuple(y_shape)))
            y_ndim, y_dims = _shapes.dims(y_shape[1:])
            C.nnl_dataset_create(ctypes.byref(out), count, x_ndim, x_dims, x_address, y_ndim, y_dims, y_address)
        super().__init__(CObject(out.value, C.nnl_dataset_free))

    @classmethod
    def _adopt(cls, address):
        """A Dataset for a C dataset that Python now owns."""
        dataset = cls.__new__(cls)
        Handle.__init__(dataset, CObject(address, C.nnl_dataset_free))
        return dataset

    def __len__(self):
        return C.nnl_dataset_size(self._address)

    def __repr__(self):
        if self.closed:
            return "<nnlite.Dataset (closed)>"
        return "<nnlite.Dataset %d samples of shape %s, %s>" % (
            len(self), self.sample_shape,
            "%d classes" % self.num_classes if self.num_classes else "targets of shape %s" % (self.target_shape,))

    @property
    def sample_shape(self):
        """Shape of one sample, e.g. ``(28, 28, 1)``."""
        return _shapes.read(C.nnl_dataset_sample_shape, self._address)

    @property
    def target_shape(self):
        """Shape of one target; ``()`` for class labels."""
        return _shapes.read(C.nnl_dataset_target_shape, self._address)

    @property
    def num_classes(self):
        """Largest label + 1 for a labelled data set, the number of classes for a multi-label one, else 0."""
        return C.nnl_dataset_num_classes(self._address)

    @property
    def class_names(self):
        """The names of the classes (a data set from :meth:`load_tsv`), else ``None``."""
        names = [C.nnl_dataset_class_name(self._address, i) for i in range(self.num_classes)]
        if not names or names[0] is None:
            return None
        return [name.decode("utf-8") for name in names]

    @property
    def is_multilabel(self):
        """True when the targets are multi-hot rows (:meth:`multilabel`, or IDX labels of 2 dims)."""
        return bool(C.nnl_dataset_is_multilabel(self._address))

    def multilabels(self, start=0, count=None):
        """The 0/1 label rows of samples [start, start + count) (all by default), a uint8 (count, classes) array."""
        address = self._address
        if count is None:
            count = len(self) - start
        out, labels = _buffers.new((count, self.num_classes), "B")
        C.nnl_dataset_get_multilabels(address, start, count, out)
        return labels

    def get_batch(self, start, count):
        """``(x, y)`` tensors of samples [start, start + count) and their targets (never augmented)."""
        address = self._address
        x = Tensor((count,) + self.sample_shape)
        y = Tensor((count,) + self.target_shape)
        C.nnl_dataset_get_batch(address, start, count, x._address, y._address)
        return x, y

    def labels(self, start=0, count=None):
        """Class labels of samples [start, start + count) (all by default) as an int32 array."""
        address = self._address
        if count is None:
            count = len(self) - start
        out, labels = _buffers.new((count,), "i")
        C.nnl_dataset_get_labels(address, start, count, out)
        return labels

    def shuffle(self, seed=0):
        """Shuffle samples with their targets in place; the same seed gives the same order everywhere."""
        C.nnl_dataset_shuffle(self._address, seed)
        return self

    def split(self, first_count):
        """Two new data sets: the first ``first_count`` samples and the rest (copies)."""
        first, second = ctypes.c_void_p(), ctypes.c_void_p()
        C.nnl_dataset_split(self._address, first_count, ctypes.byref(first), ctypes.byref(second))
        return Dataset._adopt(first.value), Dataset._adopt(second.value)

    def normalize(self, mean, std):
        """x = (x - mean) / std for every sample value, in place."""
        C.nnl_dataset_normalize(self._address, mean, std)
        return self

    def scale(self, factor):
        """Multiply every sample value by ``factor``, in place."""
        C.nnl_dataset_scale(self._address, factor)
        return self

    def mean_std(self):
        """``(mean, std)`` of all sample values (accumulated in double precision)."""
        mean, std = ctypes.c_float(), ctypes.c_float()
        C.nnl_dataset_mean_std(self._address, ctypes.byref(mean), ctypes.byref(std))
        return mean.value, std.value

    def set_augmentation(self, rotation=0.0, scale=0.0, shift=0.0, seed=0):
        """Randomly rotate (± degrees), scale (1 ± delta) and shift (± pixels) the images training draws.

        All three 0 disables it. :meth:`get_batch` and evaluation never augment.
        """
        C.nnl_dataset_set_augmentation(self._address, rotation, scale, shift, seed)
        return self


def _is_integer(y):
    """True when ``y`` holds integers (class labels) rather than floats."""
    if _buffers.HAVE_NUMPY:
        return _buffers.np.asarray(y).dtype.kind in "iu"
    try:
        view = memoryview(y)
    except TypeError:
        first = y
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        return isinstance(first, int) and not isinstance(first, bool)
    return view.format.lstrip("@=<>!") in "bBhHiIlLqQ"


def as_dataset(x, y=None):
    """``x`` when it is a Dataset (then ``y`` must be None), else ``Dataset(x, y)``."""
    if isinstance(x, Dataset):
        if y is not None:
            raise TypeError("nnlite: pass targets with arrays, not with a Dataset")
        return x
    if y is None:
        raise TypeError("nnlite: targets y are needed with array inputs")
    return Dataset(x, y)
