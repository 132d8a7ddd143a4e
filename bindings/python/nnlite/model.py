"""Sequential models: build, compile, fit (with a progress bar), evaluate, predict, generate, save, load."""

import ctypes
import math
import numbers

from . import _buffers, _paths, _shapes, _text, abnormal_input
from ._api import C, FitOptions, GenerateOptions, InputReport, MODEL_TOKEN_FN, OcclusionOptions, make_error
from ._callbacks import Trampoline
from ._handle import CObject, Handle
from .dataset import as_dataset
from .errors import Status
from .history import TrainingHistory
from .layers import Layer
from .optimizers import get as get_optimizer
from .progress import ProgressBar, read_fit_progress, run_with_progress
from .text import Tokenizer

_LOSSES = {"sparse_categorical_crossentropy": 0, "mse": 1, "mean_squared_error": 1, "softmax_crossentropy": 2,
           "sigmoid_binary_crossentropy": 3}

#: A label that the ``"softmax_crossentropy"`` loss skips (``NNL_LOSS_IGNORE_INDEX``, PyTorch's ignore_index).
IGNORE_INDEX = -100


class Model(Handle):
    """A sequence of layers for a fixed per-sample input shape (``nnl_model``), as Keras' Sequential.

    ``Model((28, 28, 1), [Conv2D(32, 3, activation="relu"), ...])`` builds
    each layer for the output shape of the previous one; ``seed`` seeds the
    weight initialisation. The model owns its layers and its optimizer.
    :attr:`nnlite.GPT.model` is a view of the model a GPT is: it keeps the
    GPT alive, never frees the model, and refuses :meth:`add` and :meth:`compile`.

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
        self._owner_name = None
        C.nnl_model_set_seed(self._address, seed)
        for layer in layers:
            self.add(layer)

    @classmethod
    def _adopt(cls, cobject, owner_name=None):
        """A Model over ``cobject``; ``owner_name`` names what owns a borrowed model (it refuses changes)."""
        model = cls.__new__(cls)
        Handle.__init__(model, cobject)
        model._optimizer = None
        model._owner_name = owner_name
        return model

    @classmethod
    def load(cls, path):
        """A model saved by :meth:`save`; one saved with its optimizer comes back compiled.

        The file keeps the loss, so a loaded model evaluates without
        :meth:`compile`; :meth:`fit` needs an optimizer (compile, or a file
        saved with ``include_optimizer``). Everything in the file is
        validated; a malformed file raises FormatError.
        """
        out = ctypes.c_void_p()
        C.nnl_model_load(ctypes.byref(out), _paths.encode(path))
        return cls._adopt(CObject(out.value, C.nnl_model_free))

    def _check_changeable(self, what):
        if self._owner_name is not None:
            raise make_error(Status.STATE, "Model.%s: this model belongs to a %s, which does not allow it"
                             % (what, self._owner_name))

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
        self._check_changeable("add")
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

    def truncate(self, num_layers):
        """Keep the first ``num_layers`` layers, e.g. to drop a pretrained encoder's
        language-model head before adding a classifier. Not on a compiled model
        (StateError); the model forgets its loss.
        """
        C.nnl_model_truncate(self._address, num_layers)
        return self

    @property
    def tokenizer(self):
        """The :class:`nnlite.Tokenizer` kept with the model (and in its file), or None.
        Setting it copies the tokenizer; None removes it.
        """
        address = C.nnl_model_tokenizer(self._address)
        return Tokenizer._borrowed(address, self._c) if address else None

    @tokenizer.setter
    def tokenizer(self, tokenizer):
        if tokenizer is not None and not isinstance(tokenizer, Tokenizer):
            raise TypeError("nnlite: Model.tokenizer takes a Tokenizer or None, got %s" % type(tokenizer).__name__)
        C.nnl_model_set_tokenizer(self._address, tokenizer._address if tokenizer is not None else None)

    @property
    def class_names(self):
        """The names of the output classes kept with the model (and in its file), or None."""
        names = []
        while True:
            name = C.nnl_model_class_name(self._address, len(names))
            if name is None:
                return [n.decode("utf-8") for n in names] or None
            names.append(name)

    @class_names.setter
    def class_names(self, names):
        names = [] if names is None else [n.encode("utf-8") for n in names]
        array = (ctypes.c_char_p * max(len(names), 1))(*names)
        C.nnl_model_set_class_names(self._address, array, len(names))

    @property
    def padding_token(self):
        """The token id that pads sequences (the run of it ending a sample is masked out
        of bidirectional attention), or None. Set it on a model of (T,) token ids; it is
        saved in the model file.
        """
        token = C.nnl_model_padding_token(self._address)
        return None if token < 0 else token

    @padding_token.setter
    def padding_token(self, token):
        C.nnl_model_set_padding_token(self._address, -1 if token is None else token)

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

        ``loss`` is one of:

        - ``"sparse_categorical_crossentropy"``: integer labels against
          probabilities (fused with a softmax last layer);
        - ``"mse"``: float targets of the output's shape;
        - ``"softmax_crossentropy"``: integer labels against logits (no
          softmax layer), at every position of a sequence output: a (T, vocab)
          output takes T labels per sample, and labels equal to
          :data:`IGNORE_INDEX` count for nothing;
        - ``"sigmoid_binary_crossentropy"``: 0/1 targets of the output's shape
          against logits (multi-label classification).

        The model then owns the optimizer; a previous one is freed.
        """
        self._check_changeable("compile")
        try:
            loss_code = _LOSSES[loss]
        except KeyError:
            raise ValueError("nnlite: unknown loss %r; use one of %s" % (loss, ", ".join(sorted(_LOSSES)))) from None
        optimizer = get_optimizer(optimizer)
        C.nnl_model_compile(self._address, loss_code, optimizer._address)
        previous, self._optimizer = self._optimizer, optimizer
        if previous is not None and previous is not optimizer:
            previous._c.forget("replaced by a later Model.compile(), which freed it")
        optimizer._c.transfer(self._c)
        return self

    def fit(self, x, y=None, *, epochs=1, batch_size=32, validation_data=None, seed=0, verbose=1,
            callback=None, steps=None, validation_interval=0, validation_batches=0, checkpoint=None,
            checkpoint_interval=None, clip_norm=0.0, threads=0, history_interval=0):
        """Train by epochs, or by ``steps``; returns a :class:`nnlite.History`.

        ``x`` is a Dataset, or sample arrays with targets ``y`` (copied into a
        Dataset). ``validation_data`` is a Dataset or an ``(x, y)`` pair.
        ``verbose``: 0 silent, 1 progress bar, 2 one line per epoch.
        ``callback(progress)`` receives a :class:`nnlite.FitProgress` after
        each batch and at each epoch's end; returning True stops training
        (``history.stopped``). An exception it raises stops training and
        propagates.

        By epochs (``steps`` None): ``epochs`` passes over the data shuffled
        with ``seed``, validation after each; the history holds per-epoch
        ``epoch``, ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``,
        ``learning_rate``, and with the ``"sigmoid_binary_crossentropy"``
        loss ``micro_f1``, ``hamming_loss``, ``val_micro_f1`` and
        ``val_hamming_loss`` (``accuracy`` is then the subset accuracy).

        By steps (``steps=n``): ``n`` optimizer steps, each on ``batch_size``
        samples drawn at random by the model's own generator (seeded with
        ``seed`` on the first such call; it is saved with the optimizer, so a
        resumed run draws what the uninterrupted one would have). Validation
        every ``validation_interval`` steps (0: after the last only); with
        ``checkpoint`` (a path), a checkpoint with the optimizer state every
        ``checkpoint_interval`` steps and after the last (by default after
        the last only). The history holds per-step ``step``, ``loss`` (that
        batch's), ``learning_rate``, ``grad_norm``, and ``val_step``,
        ``val_loss``, ``val_accuracy`` at each validation.

        Either way: ``validation_batches`` 0 evaluates all of the validation
        data, n > 0 the same n random batches each time (drawn with
        ``seed``); ``clip_norm`` > 0 clips the global gradient norm for this
        call (0 keeps the optimizer's setting); ``threads`` > 0 sets the
        threads of this call (0: :func:`nnlite.num_threads`).

        The library also keeps a history of its own, :attr:`history`, with a
        row per step: ``history_interval`` n > 1 records every n-th step
        only, a negative value none (epoch and validation rows always).
        """
        train = as_dataset(x, y)
        validation = (as_dataset(*validation_data) if isinstance(validation_data, (tuple, list))
                      else validation_data)
        steps = steps or 0
        if checkpoint_interval is None:
            checkpoint_interval = max(steps, 1) if checkpoint is not None else 0

        def record_epoch(history, p):
            if p.epoch_end:
                history.record(epoch=p.epoch, loss=p.loss, accuracy=p.accuracy, val_loss=p.val_loss,
                               val_accuracy=p.val_accuracy, learning_rate=p.learning_rate)
                if not math.isnan(p.micro_f1):  # multi-label: its metrics too
                    history.record(micro_f1=p.micro_f1, hamming_loss=p.hamming_loss,
                                   val_micro_f1=p.val_micro_f1, val_hamming_loss=p.val_hamming_loss)

        def record_step(history, p):
            if p.epoch_end:
                return  # repeats the last step's report
            history.record(step=p.step, loss=p.step_loss, learning_rate=p.learning_rate, grad_norm=p.grad_norm)
            if p.val_loss == p.val_loss:  # not NaN: validated at this step
                history.record(val_step=p.step, val_loss=p.val_loss, val_accuracy=p.val_accuracy)

        def train_call(progress):
            options = FitOptions(
                epochs=epochs, steps=steps, batch_size=batch_size,
                validation=validation._address if validation is not None else None,
                validation_interval=validation_interval, validation_batches=validation_batches,
                checkpoint_path=_paths.encode(checkpoint) if checkpoint is not None else None,
                checkpoint_interval=checkpoint_interval, progress=progress, clip_norm=clip_norm, seed=seed,
                threads=threads, history_interval=history_interval)
            C.nnl_model_fit_with(self._address, train._address, ctypes.byref(options))

        return run_with_progress(train_call, read_fit_progress, ProgressBar(verbose) if verbose else None,
                                 record_step if steps else record_epoch, callback)

    @property
    def history(self):
        """The :class:`nnlite.TrainingHistory` of the last fit: the library's rows per step, epoch and validation.

        Read it after :meth:`fit` or during it (from ``callback``); e.g.
        ``model.history.column("val_loss", kind="epoch")`` or
        ``model.history.write_csv("run.csv")``.
        """
        return TrainingHistory(self)

    def evaluate(self, x, y=None, batch_size=256):
        """``(loss, accuracy)`` on a Dataset or on arrays ``x``, ``y`` (accuracy is NaN for MSE).

        The loss is the mean per sample, or per position of a sequence for
        ``"softmax_crossentropy"``. A model loaded from a file evaluates
        without :meth:`compile` (its loss is in the file).
        """
        data = as_dataset(x, y)
        loss, accuracy = ctypes.c_double(), ctypes.c_double()
        C.nnl_model_evaluate(self._address, data._address, batch_size, ctypes.byref(loss), ctypes.byref(accuracy))
        return loss.value, accuracy.value

    def evaluate_sampled(self, data, batches=20, batch_size=32, seed=0):
        """``(loss, accuracy)`` on ``batches`` random batches of ``batch_size`` samples of a Dataset.

        Samples are drawn with replacement from a generator seeded with
        ``seed``: the same seed, the same batches. For data too large to go
        through whole, such as :meth:`nnlite.Dataset.from_text` windows.
        """
        loss, accuracy = ctypes.c_double(), ctypes.c_double()
        C.nnl_model_evaluate_sampled(self._address, data._address, batches, batch_size, seed, ctypes.byref(loss),
                                     ctypes.byref(accuracy))
        return loss.value, accuracy.value

    def generate(self, prompt_ids, max_tokens=200, *, temperature=0.8, top_k=200, top_p=1.0, seed=1,
                 callback=None):
        """Continue a sequence of token ids with a causal language model; returns the new ids as a list.

        The model takes (T,) token ids and outputs (T, vocab) logits, every
        layer causal (Embedding, PositionEmbedding, TransformerBlock,
        LayerNorm, Dense, TiedOutput, ...); other models raise
        UnsupportedError naming the layer. ``prompt_ids`` holds at least one
        id. ``temperature`` 0 picks the most likely token; ``top_k`` 0 and
        ``top_p`` 1 disable those filters; the same ``seed`` gives the same
        tokens. Past T tokens the context slides, so any length can be
        generated. ``callback(token_id)`` is called with each new id as it
        comes; returning True stops early (the ids so far are returned).
        """
        ids_address, shape, ids_owner = _buffers.to_c(prompt_ids, "i")
        if len(shape) != 1:
            raise ValueError("nnlite: generate() takes a 1-D sequence of token ids, got shape %s" % (tuple(shape),))
        tokens = []

        def on_token(token, user):
            tokens.append(token)
            return callback is not None and callback(token)

        trampoline = Trampoline(MODEL_TOKEN_FN, on_token)
        options = GenerateOptions(max_tokens=max_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                                  seed=seed)
        C.nnl_model_generate(self._address, ids_address, shape[0], ctypes.byref(options), trampoline.pointer, None)
        trampoline.reraise()
        return tokens

    def attention_weights(self, token_ids):
        """What each position attended to: a (layers, heads, n, n) float32 array for n token ids.

        Row t of a (layer, head) matrix is query position t, column j key
        position j; each row sums to 1 and a causal layer's rows are 0 above
        the diagonal. For a language model, pass the prompt and the generated
        ids (at most the context length): these are the weights generation
        computed. The model takes (T,) token ids through attention layers of
        one head count (GPT, BERT encoder); others raise UnsupportedError.
        """
        ids_address, shape, ids_owner = _buffers.to_c(token_ids, "i")
        if len(shape) != 1:
            raise ValueError("nnlite: attention_weights() takes a 1-D sequence of token ids, got shape %s"
                             % (tuple(shape),))
        n, layers, heads = shape[0], ctypes.c_int64(), ctypes.c_int64()
        C.nnl_model_attention_weights(self._address, ids_address, n, None, 0, ctypes.byref(layers),
                                      ctypes.byref(heads))
        out_shape = (layers.value, heads.value, n, n)
        address, weights = _buffers.new(out_shape, "f")
        C.nnl_model_attention_weights(self._address, ids_address, n, address, _shapes.count(out_shape), None, None)
        return weights

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

    def predict_multilabel(self, data, threshold=0.5, batch_size=256):
        """``(probabilities, labels)`` for every sample of a Dataset: per-class probabilities and label sets.

        For a model whose last layer ends in a sigmoid (``Dense(10, "sigmoid")``),
        or whose loss is ``"sigmoid_binary_crossentropy"`` on logits (then the
        probabilities are the sigmoid of its outputs). ``threshold``: one
        value in [0, 1] for every class, or one per class (e.g. from
        :func:`nnlite.tune_thresholds`); a class is predicted when its
        probability is >= its threshold. ``labels`` is a uint8 (n, classes)
        array of 0/1 for :func:`nnlite.multilabel_report`.
        """
        address = self._address
        n, classes = len(data), _shapes.count(self.output_shape)
        try:
            threshold = [float(threshold)] * classes  # one number (int, float, numpy scalar) for every class
        except TypeError:
            pass  # a sequence: one per class
        t_address, t_shape, t_owner = _buffers.to_c(threshold, "f")
        if tuple(t_shape) != (classes,):
            raise ValueError("nnlite: %d thresholds for %d classes" % (_shapes.count(t_shape), classes))
        p_address, probabilities = _buffers.new((n, classes), "f")
        l_address, labels = _buffers.new((n, classes), "B")
        C.nnl_model_predict_multilabel(address, data._address, batch_size, t_address, p_address, l_address)
        return probabilities, labels

    def saliency(self, x, classes=None):
        """The gradient of each sample's class logit with respect to its input: an array of ``x``'s shape.

        ``x`` is a batch (n, input shape...); ``classes`` one class per sample, one
        class for all, or None for each sample's predicted class. The score is the
        logit (the input of a final softmax), which keeps its gradient when the model
        is sure; the map is signed (show its absolute value). Models of token ids
        raise UnsupportedError. Writes the parameters' gradients: not concurrently
        with other calls on the model.
        """
        x_address, x_shape, x_owner = _buffers.to_c(x, "f")
        if len(x_shape) < 2:
            raise ValueError("nnlite: saliency() takes a batch (n, input shape...), got shape %s"
                             % (tuple(x_shape),))
        c_address = c_owner = None
        if classes is not None:
            if isinstance(classes, numbers.Integral):
                classes = [int(classes)] * x_shape[0]
            c_address, c_shape, c_owner = _buffers.to_c(classes, "i")
            if tuple(c_shape) != (x_shape[0],):
                raise ValueError("nnlite: %d classes for %d samples" % (_shapes.count(c_shape), x_shape[0]))
        out_address, out = _buffers.new(tuple(x_shape), "f")
        xs = maps = None
        try:
            xs = _wrap(x_address, tuple(x_shape))
            maps = _wrap(out_address, tuple(x_shape))
            C.nnl_model_saliency(self._address, xs, c_address, maps)
        finally:
            C.nnl_tensor_free(xs)
            C.nnl_tensor_free(maps)
        return out

    def occlusion(self, x, class_index=None, *, patch=6, stride=2, baseline=0.0, batch_size=64):
        """The occlusion map of one image ``x`` (the model's input shape, height and width first): (height, width).

        A ``patch`` x ``patch`` square filled with ``baseline`` slides by ``stride``;
        each pixel gets the drop of the class's output (its probability after a
        softmax) averaged over the patches covering it. ``class_index`` None is the
        predicted class. Thread-safe as :meth:`predict`.
        """
        x_address, x_shape, x_owner = _buffers.to_c(x, "f")
        if len(x_shape) < 2:
            raise ValueError("nnlite: occlusion() takes one image (height, width, ...), got shape %s"
                             % (tuple(x_shape),))
        height, width = x_shape[0], x_shape[1]
        options = OcclusionOptions(patch=patch, stride=stride, baseline=baseline, batch_size=batch_size)
        out_address, out = _buffers.new((height, width), "f")
        xs = ms = None
        try:
            xs = _wrap(x_address, tuple(x_shape))
            ms = _wrap(out_address, (height, width))
            C.nnl_model_occlusion(self._address, xs, -1 if class_index is None else class_index,
                                  ctypes.byref(options), ms)
        finally:
            C.nnl_tensor_free(xs)
            C.nnl_tensor_free(ms)
        return out

    def predict_checked(self, x, **thresholds):
        """``(outputs, check)`` for one sample ``x``: :meth:`predict` and :func:`nnlite.input_check` in one call.

        ``check.ok`` is False when the input looks unlike the training data
        (``check.name``: "blank", "too much ink" or "low confidence");
        ``thresholds`` as for :func:`nnlite.input_check`.
        """
        x_address, x_shape, x_owner = _buffers.to_c(x, "f")
        out_address, out = _buffers.new(self.output_shape, "f")
        report = InputReport()
        xs = ys = None
        try:
            xs = _wrap(x_address, tuple(x_shape))
            ys = _wrap(out_address, self.output_shape)
            C.nnl_model_predict_checked(self._address, xs, ys, abnormal_input.options(thresholds), ctypes.byref(report))
        finally:
            C.nnl_tensor_free(xs)
            C.nnl_tensor_free(ys)
        return out, abnormal_input.report_of(report)


#: Keras' name for the same thing.
Sequential = Model


def _wrap(address, shape):
    """A temporary C tensor over memory at ``address``; free it with nnl_tensor_free."""
    ndim, dims = _shapes.dims(shape)
    out = ctypes.c_void_p()
    C.nnl_tensor_wrap(ctypes.byref(out), ndim, dims, address)
    return out.value
