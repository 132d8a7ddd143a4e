"""The classic learners (``nnlite/estimator.h``): linear SVM, RBF SVM, decision tree and random forest.

Each is an :class:`Estimator` (``nnl_estimator``) made by one of the
constructors below, named and defaulted as scikit-learn's::

    train, test = nnlite.Dataset.load_idx_dir("data/mnist")
    forest = nnlite.RandomForest(n_estimators=100).fit(train)
    accuracy, matrix = forest.evaluate(test)
    forest.save("forest.safetensors")

Samples are flattened to vectors of features. Thread-safety: a fitted or
loaded estimator may predict from many threads at once (the GIL is released
during the C call); fit one thread at a time.
"""

import ctypes

from . import _buffers, _paths, _shapes
from ._api import C, EstimatorOptions
from ._handle import CObject, Handle
from .dataset import as_dataset

_KINDS = {"linear_svm": 0, "svm": 1, "tree": 2, "forest": 3}
_CRITERIA = {"gini": 0, "entropy": 1}
_MAX_FEATURES = {"sqrt": -1, "log2": -2, None: 0}


def _options(kind, c=1.0, gamma="scale", tol=None, max_iter=0, probability=False, cache_mb=512.0, criterion="gini",
             max_depth=None, min_samples_split=2, min_samples_leaf=1, max_features=None, n_estimators=100,
             bootstrap=True, threads=0, seed=42):
    if criterion not in _CRITERIA:
        raise ValueError("nnlite: criterion must be 'gini' or 'entropy', got %r" % (criterion,))
    if gamma == "scale":
        gamma = 0.0
    features = _MAX_FEATURES[max_features] if max_features in _MAX_FEATURES else max_features
    return EstimatorOptions(kind=_KINDS[kind], c=c, gamma=gamma, tolerance=tol or 0.0, max_iter=max_iter,
                            probability=1 if probability else 0, cache_mb=cache_mb, criterion=_CRITERIA[criterion],
                            max_depth=max_depth or 0, min_samples_split=min_samples_split,
                            min_samples_leaf=min_samples_leaf, max_features=features, n_estimators=n_estimators,
                            bootstrap=1 if bootstrap else 0, threads=threads, seed=seed)


class Estimator(Handle):
    """A classic learner. Make one with :func:`LinearSVM`, :func:`SVM`, :func:`DecisionTree`,
    :func:`RandomForest` or :meth:`load`; bad options raise InvalidArgumentError naming them."""

    def __init__(self, kind, **options):
        out = ctypes.c_void_p()
        C.nnl_estimator_create(ctypes.byref(out), ctypes.byref(_options(kind, **options)))
        super().__init__(CObject(out.value, C.nnl_estimator_free))

    @classmethod
    def load(cls, path):
        """An estimator saved by :meth:`save`. The file is validated; a malformed one raises FormatError."""
        out = ctypes.c_void_p()
        C.nnl_estimator_load(ctypes.byref(out), _paths.encode(path))
        estimator = cls.__new__(cls)
        Handle.__init__(estimator, CObject(out.value, C.nnl_estimator_free))
        return estimator

    def fit(self, x, y=None):
        """Fit on a labelled Dataset, or on samples ``x`` (first axis: samples) and integer labels ``y``.

        Returns self. The classes are 0 .. the largest label.
        """
        data = as_dataset(x, y)
        C.nnl_estimator_fit(self._address, data._address)
        return self

    def _samples(self, x):
        """``(address, count, owner)`` of a batch of samples of this estimator's feature count."""
        address, shape, owner = _buffers.to_c(x, "f")
        features = self.num_features  # 0 before fitting: the C call says so (StateError)
        if len(shape) < 2 or (features and _shapes.count(shape[1:]) != features):
            raise ValueError("nnlite: expected a batch (n, ...) of samples of %d features, got shape %s"
                             % (features, tuple(shape)))
        return address, shape[0], owner

    def predict(self, x):
        """Class labels (int32, n) of a batch ``x`` (n, features or sample shape)."""
        address, count, owner = self._samples(x)
        out_address, labels = _buffers.new((count,), "i")
        C.nnl_estimator_predict(self._address, address, count, out_address)
        del owner
        return labels

    def predict_proba(self, x):
        """Class probabilities (float32, n x num_classes). UnsupportedError for the linear SVM and for an
        SVM fitted without ``probability=True``."""
        address, count, owner = self._samples(x)
        out_address, probs = _buffers.new((count, self.num_classes), "f")
        C.nnl_estimator_predict_proba(self._address, address, count, out_address)
        del owner
        return probs

    def evaluate(self, data):
        """``(accuracy, confusion matrix)`` on a labelled Dataset; the matrix is
        ``matrix[true][predicted]`` (int64), as :func:`nnlite.confusion_matrix`."""
        k = self.num_classes
        m_address, matrix = _buffers.new((k, k), "q")
        accuracy = ctypes.c_double()
        C.nnl_estimator_evaluate(self._address, data._address, m_address, ctypes.byref(accuracy))
        return accuracy.value, matrix

    def save(self, path):
        """Save to a safetensors file, atomically (docs/file-format.md)."""
        C.nnl_estimator_save(self._address, _paths.encode(path))

    @property
    def kind(self):
        """``"linear_svm"``, ``"svm"``, ``"tree"`` or ``"forest"``."""
        code = C.nnl_estimator_kind_of(self._address)
        return next(name for name, value in _KINDS.items() if value == code)

    @property
    def num_classes(self):
        """Classes of the fit (0 before fitting)."""
        return C.nnl_estimator_num_classes(self._address)

    @property
    def num_features(self):
        """Features per sample of the fit (0 before fitting)."""
        return C.nnl_estimator_num_features(self._address)

    @property
    def size(self):
        """Support vectors (SVM), nodes (tree, forest) or weights with biases (linear SVM)."""
        return C.nnl_estimator_size(self._address)

    @property
    def feature_importances(self):
        """Each feature's share of the impurity decrease (float32, sums to 1); tree and forest only."""
        n = self.num_features
        address, importances = _buffers.new((n,), "f")
        C.nnl_estimator_feature_importances(self._address, address, n)
        return importances

    def __repr__(self):
        if self.closed:
            return "<nnlite.Estimator closed>"
        return "<nnlite.Estimator %s, %d classes, %d features>" % (self.kind, self.num_classes, self.num_features)


def LinearSVM(c=1.0, tol=1e-4, max_iter=1000, threads=0, seed=42):
    """One-vs-rest linear SVM, squared hinge loss, L2 penalty ``c`` (scikit-learn's LinearSVC)."""
    return Estimator("linear_svm", c=c, tol=tol, max_iter=max_iter, threads=threads, seed=seed)


def SVM(c=1.0, gamma="scale", tol=1e-3, probability=False, cache_mb=512.0, threads=0):
    """One-vs-one SVM with the RBF kernel exp(-gamma |x - y|^2) (scikit-learn's SVC)."""
    return Estimator("svm", c=c, gamma=gamma, tol=tol, probability=probability, cache_mb=cache_mb, threads=threads)


def DecisionTree(criterion="gini", max_depth=None, min_samples_split=2, min_samples_leaf=1, max_features=None,
                 seed=42):
    """A CART tree (scikit-learn's DecisionTreeClassifier); ``max_features`` a count, "sqrt", "log2" or None."""
    return Estimator("tree", criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
                     min_samples_leaf=min_samples_leaf, max_features=max_features, seed=seed)


def RandomForest(n_estimators=100, criterion="gini", max_depth=None, min_samples_split=2, min_samples_leaf=1,
                 max_features="sqrt", bootstrap=True, threads=0, seed=42):
    """A random forest (scikit-learn's RandomForestClassifier); the same seed gives the same forest at any
    thread count."""
    return Estimator("forest", n_estimators=n_estimators, criterion=criterion, max_depth=max_depth,
                     min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
                     max_features=max_features, bootstrap=bootstrap, threads=threads, seed=seed)
