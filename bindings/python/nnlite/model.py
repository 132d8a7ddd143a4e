"""Sequential models: build, compile, fit (with a progress bar), evaluate, predict, save, load."""

import ctypes

from . import _buffers, _paths, _shapes, _text
from ._api import C
from ._handle import CObject, Handle
from .dataset import as_dataset
from .layers import Layer
from .optimizers import get as get_optimizer
from .progress import ProgressBar, read_fit_progress, run_with_progress

_LOSSES = {"sparse_categorical_crossentropy": 0, "mse": 1, "mean_squared_error": 1}


class Model(Handle):
    """A sequence of layers for a fixed per-sample input shape (``nnl_model``), as Keras' Sequential.

    ``Model((28, 28, 1), [Conv2D(32, 3, activation="relu"), ...])`` builds
    each layer for the output shape of the previous one; ``seed`` seeds the
    weight initialisation. The model owns its layers and its optimizer.

    Thread-safety: :meth:`predict` and :meth:`predict_dataset` may run in many
    threads at once (the GIL is released during the C call) while nothing
    modifies the model; everything else, one thread at a time.
    """

    def __init__(self, input_shape, layers=(), seed=0):
        ndim, dims = _shapes.dims(input_shape)
        out = ctypes.c_void_p()
        C.nnl_model_create(ctypes.byref(out), ndim, dims)
        super().__init__(CObject(out.value, C.nnl_model_free))
        self._optimizer = None
        C.nnl_model_set_seed(self._address, seed)
        for layer in layers:
            self.add(layer)

    @classmethod
    def load(cls, path):
        """A model saved by :meth:`save`; one saved with its optimizer comes back compiled.

        Everything in the file is validated; a malformed file raises FormatError.
        """
        out = ctypes.c_void_p()
        C.nnl_model_load(ctypes.byref(out), _paths.encode(path))
        model = cls.__new__(cls)
        Handle.__init__(model, CObject(out.value, C.nnl_model_free))
        model._optimizer = None
        return model

    def save(self, path, include_optimizer=False):
        """Save architecture and weights (and with ``include_optimizer`` the optimizer state) atomically.

        The file is a safetensors file; an existing file is replaced whole or not at all.
        """
        C.nnl_model_save(self._address, _paths.encode(path), 1 if include_optimizer else 0)

    def set_seed(self, seed):
        """Seed of the weight initialisation of layers added from now on."""
        C.nnl_model_set_seed(self._address, seed)

    def add(self, layer):
        """Append ``layer``, building it for the current output shape; the model then owns it.

        Raises ShapeError when the layer cannot take that shape (the layer
        stays yours), StateError when the model is compiled or the layer
        belongs to something already.
        """
        if not isinstance(layer, Layer):
            raise TypeError("nnlite: Model.add() takes a Layer, got %s" % type(layer).__name__)
        C.nnl_model_add(self._address, layer._address)
        layer._transfer_to(self._c)
        return self

    @property
    def layers(self):
        """The layers, as Layer objects that keep the model alive."""
        address = self._address
        return [Layer._borrowed(C.nnl_model_layer(address, i), self._c)
                for i in range(C.nnl_model_num_layers(address))]

    def __len__(self):
        return C.nnl_model_num_layers(self._address)

    @property
    def param_count(self):
        """Total trainable parameters."""
        return C.nnl_model_param_count(self._address)

    @property
    def output_shape(self):
        """Per-sample output shape."""
        return _shapes.read(C.nnl_model_output_shape, self._address)

    @property
    def optimizer(self):
        """The Optimizer given to the last :meth:`compile`, or None."""
        return self._optimizer

    def summary(self, print_fn=print):
        """The Keras-like summary table (layers, output shapes, parameters); printed with ``print_fn`` too.

        Pass ``print_fn=None`` to only get the text.
        """
        return _text.summary(C.nnl_model_summary, self._address, print_fn)

    def __repr__(self):
        if self.closed:
            return "<nnlite.Model (closed)>"
        return "<nnlite.Model %d layers, %d parameters, output %s>" % (len(self), self.param_count,
                                                                      self.output_shape)

    def compile(self, optimizer="adam", loss="sparse_categorical_crossentropy"):
        """Choose the optimizer (an Optimizer or ``"sgd"``, ``"adam"``, ``"adamw"``) and the loss.

        ``loss`` is ``"sparse_categorical_crossentropy"`` (integer labels; fused
        with a softmax last layer) or ``"mse"``. The model then owns the
        optimizer; a previous one is freed.
        """
        try:
            loss_code = _LOSSES[loss]
        except KeyError:
            raise ValueError("nnlite: unknown loss %r; use 'sparse_categorical_crossentropy' or 'mse'"
                             % (loss,)) from None
        optimizer = get_optimizer(optimizer)
        C.nnl_model_compile(self._address, loss_code, optimizer._address)
        previous, self._optimizer = self._optimizer, optimizer
        if previous is not None and previous is not optimizer:
            previous._c.forget("replaced by a later Model.compile(), which freed it")
        optimizer._c.transfer(self._c)
        return self

    def fit(self, x, y=None, *, epochs=1, batch_size=32, validation_data=None, seed=0, verbose=1,
            callback=None):
        """Train; returns a :class:`nnlite.History` of per-epoch ``loss``, ``accuracy`` (and ``val_*``).

        ``x`` is a Dataset, or sample arrays with targets ``y`` (copied into a
        Dataset). ``validation_data`` is a Dataset or an ``(x, y)`` pair,
        evaluated after each epoch. ``seed`` seeds the shuffle and dropout.
        ``verbose``: 0 silent, 1 progress bar, 2 one line per epoch.
        ``callback(progress)`` receives a :class:`nnlite.FitProgress` after
        each batch and at each epoch's end; returning True stops training
        (``history.stopped``). An exception it raises stops training and
        propagates.
        """
        train = as_dataset(x, y)
        validation = (as_dataset(*validation_data) if isinstance(validation_data, (tuple, list))
                      else validation_data)

        def record(history, p):
            if p.epoch_end:
                history.record(epoch=p.epoch, loss=p.loss, accuracy=p.accuracy, val_loss=p.val_loss,
                               val_accuracy=p.val_accuracy, learning_rate=p.learning_rate)

        return run_with_progress(
            lambda progress: C.nnl_model_fit(self._address, train._address,
                                             validation._address if validation is not None else None,
                                             epochs, batch_size, seed, progress, None),
            read_fit_progress, ProgressBar(verbose) if verbose else None, record, callback)

    def evaluate(self, x, y=None, batch_size=256):
        """``(loss, accuracy)`` on a Dataset or on arrays ``x``, ``y`` (accuracy is NaN for MSE)."""
        data = as_dataset(x, y)
        loss, accuracy = ctypes.c_double(), ctypes.c_double()
        C.nnl_model_evaluate(self._address, data._address, batch_size, ctypes.byref(loss), ctypes.byref(accuracy))
        return loss.value, accuracy.value

    def predict(self, x, batch_size=256):
        """The model's outputs (probabilities after a softmax) for a batch ``x`` of samples.

        ``x`` has shape (n, input shape...): a Tensor, numpy array, nested
        lists or a buffer. Runs ``batch_size`` samples at a time, reading ``x``
        in place when it is float32 and contiguous. Returns an (n, output
        shape...) array.
        """
        address = self._address
        x_address, x_shape, x_owner = _buffers.to_c(x, "f")
        if len(x_shape) < 2:
            raise ValueError("nnlite: predict() takes a batch (n, input shape...), got shape %s" % (tuple(x_shape),))
        n, sample_shape = x_shape[0], tuple(x_shape[1:])
        out_shape = self.output_shape
        y_address, y = _buffers.new((n,) + out_shape, "f")
        x_step, y_step = 4 * _shapes.count(sample_shape), 4 * _shapes.count(out_shape)
        for first in range(0, n, batch_size):
            count = min(batch_size, n - first)
            xs = ys = None
            try:
                xs = _wrap(x_address + first * x_step, (count,) + sample_shape)
                ys = _wrap(y_address + first * y_step, (count,) + out_shape)
                C.nnl_model_predict(address, xs, ys)
            finally:
                C.nnl_tensor_free(xs)  # NULL is a no-op
                C.nnl_tensor_free(ys)
        return y

    def predict_dataset(self, data, batch_size=256):
        """``(outputs, classes)`` for every sample of a Dataset: the outputs and their argmax."""
        address = self._address
        n = len(data)
        outputs_address, outputs = _buffers.new((n,) + self.output_shape, "f")
        classes_address, classes = _buffers.new((n,), "i")
        C.nnl_model_predict_dataset(address, data._address, batch_size, outputs_address, classes_address)
        return outputs, classes


#: Keras' name for the same thing.
Sequential = Model


def _wrap(address, shape):
    """A temporary C tensor over memory at ``address``; free it with nnl_tensor_free."""
    ndim, dims = _shapes.dims(shape)
    out = ctypes.c_void_p()
    C.nnl_tensor_wrap(ctypes.byref(out), ndim, dims, address)
    return out.value
