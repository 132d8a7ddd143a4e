"""Layers: the building blocks of a model, also usable on their own (build, forward, backward).

Shapes are per sample, without the batch axis; images are
height x width x channels. A layer added to a :class:`nnlite.Model` (or to a
:class:`Residual` block) belongs to it from then on: the Python object stays
usable and keeps its owner alive, and only the owner frees the C layer.
"""

import collections
import ctypes

from . import _shapes
from ._api import C, RNNOptions
from ._handle import CObject, Handle
from .tensor import Tensor, as_tensor

_ACTIVATIONS = {None: 0, "linear": 0, "none": 0, "relu": 1, "sigmoid": 2, "tanh": 3, "gelu": 4, "softmax": 5}
_PADDINGS = {"valid": 0, "same": 1}

#: One parameter tensor of a layer: its name, its value and its gradient (None for statistics).
Param = collections.namedtuple("Param", "name value grad")


def _activation(name):
    try:
        return _ACTIVATIONS[name.lower() if isinstance(name, str) else name]
    except KeyError:
        raise ValueError("nnlite: unknown activation %r; use one of relu, sigmoid, tanh, gelu, softmax or None"
                         % (name,)) from None


def _pair(value, what):
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2:
        raise ValueError("nnlite: %s must be an int or a pair of ints, got %r" % (what, value))
    return pair


class Layer(Handle):
    """A layer (``nnl_layer``). Make one with a subclass: :class:`Dense`, :class:`Conv2D`, ...

    Thread-safety: one thread at a time (a model holding it may serve
    ``predict`` from many).
    """

    def _create(self, constructor, *args):
        out = ctypes.c_void_p()
        constructor(ctypes.byref(out), *args)
        Handle.__init__(self, CObject(out.value, C.nnl_layer_free))
        self._input = None

    @staticmethod
    def _borrowed(address, owner):
        """The layer at ``address``, owned by the C object ``owner``, as its Python class."""
        cls = _CLASSES.get(C.nnl_layer_type(address).decode(), Layer)
        layer = cls.__new__(cls)
        Handle.__init__(layer, CObject(address, None, (owner,)))
        layer._input = None
        return layer

    def _transfer_to(self, owner):
        """Record that the C object ``owner`` (a model or block) now owns this layer."""
        self._c.transfer(owner)

    @property
    def type(self):
        """Type name: ``"dense"``, ``"conv2d"``, ``"maxpool2d"``, ...."""
        return C.nnl_layer_type(self._address).decode()

    def __repr__(self):
        if self.closed:
            return "<nnlite.%s (closed)>" % type(self).__name__
        return "<nnlite.%s %s>" % (type(self).__name__, self.type)

    def build(self, input_shape, seed=0):
        """Build a standalone layer for a per-sample input shape and initialise its weights."""
        ndim, dims = _shapes.dims(input_shape)
        C.nnl_layer_build(self._address, ndim, dims, seed)
        return self

    @property
    def output_shape(self):
        """Per-sample output shape of a built layer (StateError when not built)."""
        return _shapes.read(C.nnl_layer_output_shape, self._address)

    @property
    def param_count(self):
        """Trainable scalars (0 until built)."""
        return C.nnl_layer_param_count(self._address)

    def params(self):
        """The parameter tensors of a built layer as :class:`Param` tuples.

        The tensors are views of the layer's own memory (no copy) and keep the
        layer, and the model holding it, alive.
        """
        address = self._address
        result = []
        for index in range(C.nnl_layer_num_params(address)):
            name, value, grad = ctypes.c_char_p(), ctypes.c_void_p(), ctypes.c_void_p()
            C.nnl_layer_param(address, index, ctypes.byref(name), ctypes.byref(value), ctypes.byref(grad))
            result.append(Param(name.value.decode(), Tensor._adopt(value.value, keep=(self._c,)),
                                Tensor._adopt(grad.value, keep=(self._c,)) if grad.value else None))
        return result

    def forward(self, x, training=False):
        """Run a standalone built layer on a batch ``x``; returns the output Tensor.

        With ``training`` the layer behaves as in training (dropout, batch
        statistics) and keeps ``x`` for :meth:`backward`; do not change ``x``
        until then.
        """
        address = self._address
        x = as_tensor(x)
        y = Tensor(x.shape[:1] + self.output_shape)
        C.nnl_layer_forward(address, x._address, y._address, 1 if training else 0)
        self._input = x if training else None
        return y

    def backward(self, dy):
        """Back-propagate ``dy`` (the loss gradient w.r.t. the output) after a training forward.

        Adds the parameter gradients to the layer's gradient tensors and
        returns the gradient w.r.t. the input as a Tensor.
        """
        address = self._address
        dy = as_tensor(dy)
        dx = Tensor(self._input.shape) if self._input is not None else None
        C.nnl_layer_backward(address, dy._address, dx._address if dx is not None else None)
        return dx

    def zero_grad(self):
        """Set every gradient tensor to zero."""
        C.nnl_layer_zero_grad(self._address)
        return self


class Dense(Layer):
    """Fully connected: y = activation(x W + b) over the last axis (Glorot-uniform W, zero b)."""

    def __init__(self, units, activation=None):
        self._create(C.nnl_layer_dense, units, _activation(activation))


class Conv2D(Layer):
    """2-D convolution over height x width x channels inputs, weights HWIO, fused activation."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", activation=None):
        kh, kw = _pair(kernel_size, "kernel_size")
        try:
            pad = _PADDINGS[padding]
        except KeyError:
            raise ValueError("nnlite: padding must be 'valid' or 'same', got %r" % (padding,)) from None
        self._create(C.nnl_layer_conv2d, filters, kh, kw, strides, pad, _activation(activation))


class MaxPool2D(Layer):
    """Max pooling; ``strides`` defaults to the pool size (as Keras)."""

    def __init__(self, pool_size=2, strides=None):
        ph, pw = _pair(pool_size, "pool_size")
        self._create(C.nnl_layer_maxpool2d, ph, pw, strides or 0)


class AvgPool2D(Layer):
    """Average pooling; ``strides`` defaults to the pool size."""

    def __init__(self, pool_size=2, strides=None):
        ph, pw = _pair(pool_size, "pool_size")
        self._create(C.nnl_layer_avgpool2d, ph, pw, strides or 0)


class Flatten(Layer):
    """Flattens every per-sample axis into one."""

    def __init__(self):
        self._create(C.nnl_layer_flatten)


class Activation(Layer):
    """A standalone activation: ``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"gelu"`` or ``"softmax"``."""

    def __init__(self, activation):
        self._create(C.nnl_layer_activation, _activation(activation))


class Dropout(Layer):
    """Inverted dropout with probability ``rate`` in training; identity at inference."""

    def __init__(self, rate):
        self._create(C.nnl_layer_dropout, rate)


class BatchNorm(Layer):
    """Batch normalisation over the last (channel) axis."""

    def __init__(self, momentum=0.99, epsilon=1e-3):
        self._create(C.nnl_layer_batchnorm, momentum, epsilon)


class Residual(Layer):
    """y = x + f(x), where f is the inner layers in order; f must keep the shape."""

    def __init__(self, *layers):
        self._create(C.nnl_layer_residual)
        for layer in layers:
            self.add(layer)

    def add(self, layer):
        """Append an inner layer (before the block is built); the block then owns it."""
        C.nnl_layer_residual_add(self._address, layer._address)
        layer._transfer_to(self._c)
        return self


class Embedding(Layer):
    """Token embedding: integer ids (stored as floats) to rows of a learned ``vocab`` x ``dim`` table.

    The ids get no gradient; an id outside [0, vocab) is an InvalidArgumentError in forward.
    """

    def __init__(self, vocab, dim):
        self._create(C.nnl_layer_embedding, vocab, dim)


class LayerNorm(Layer):
    """Layer normalisation over the last axis, with a learned scale and shift."""

    def __init__(self, epsilon=1e-5):
        self._create(C.nnl_layer_layernorm, epsilon)


class CausalSelfAttention(Layer):
    """Multi-head causal self-attention over (T, C) inputs as GPT-2; ``heads`` must divide C."""

    def __init__(self, heads):
        self._create(C.nnl_layer_causal_self_attention, heads)


class SelfAttention(Layer):
    """Multi-head bidirectional self-attention over (T, C) inputs as BERT; ``heads`` must divide C.

    Every position attends to every position of its sequence that is not
    padding: with a model padding token (:attr:`nnlite.Model.padding_token`)
    the run of it that ends a sample is masked out. Not causal, so a model
    with it cannot generate.
    """

    def __init__(self, heads):
        self._create(C.nnl_layer_self_attention, heads)


class EncoderBlock(Layer):
    """An encoder block over (T, dim) inputs: :class:`TransformerBlock` with bidirectional attention.

    ``dropout`` > 0 drops out the end of both residual branches in training.
    """

    def __init__(self, heads, dim, dropout=0.0):
        self._create(C.nnl_layer_encoder_block, heads, dim, dropout)


class SelectPosition(Layer):
    """One position of a sequence: (T, C) inputs give (C) outputs, the features at
    ``position`` (0: the ``[CLS]`` token a sequence classifier reads)."""

    def __init__(self, position=0):
        self._create(C.nnl_layer_select_position, position)


class TransformerBlock(Layer):
    """GPT-2's block over (T, dim) inputs: attention and a 4x GELU MLP, each after a
    layer norm and around a residual connection.

    ``dropout`` > 0 drops out the end of both residual branches in training
    (GPT-2's residual dropout); 0 is the plain block.
    """

    def __init__(self, heads, dim, dropout=0.0):
        if dropout:
            self._create(C.nnl_layer_transformer_block_dropout, heads, dim, dropout)
        else:
            self._create(C.nnl_layer_transformer_block, heads, dim)


class PositionEmbedding(Layer):
    """Learned position embedding over (T, C) inputs: y[t] = x[t] + table[t], for T up to ``positions``."""

    def __init__(self, positions):
        self._create(C.nnl_layer_position_embedding, positions)


class TiedOutput(Layer):
    """Logits over a vocabulary from the table of the :class:`Embedding` at index ``embedding_layer``
    of the same model (GPT-2's head; no bias). The weight is shared, so it is counted, saved and
    updated once. Works only inside a model: adding it raises StateError when that layer is not an
    embedding, ShapeError when the widths differ.
    """

    def __init__(self, embedding_layer):
        self._create(C.nnl_layer_tied_output, embedding_layer)


class _Recurrent(Layer):
    """The recurrent layers over (T, I) inputs (``nnl_rnn_options``); PyTorch's cells, names and layouts.

    Output: (T, D*hidden) with ``return_sequences``, else the final state
    (D*hidden,), where D = 2 when ``bidirectional`` ([forward | backward];
    the backward pass's final state is its state after step 0, PyTorch's
    h_n). Parameters, per direction (``_reverse`` appended for the backward
    one): ``weight_ih`` (G*hidden, I), ``weight_hh`` (G*hidden, hidden),
    ``bias_ih`` and ``bias_hh`` (G*hidden), and with ``learn_initial_state``
    ``h0`` (hidden) (and ``c0`` for an LSTM), learned instead of zeros. G is
    1 for SimpleRNN, 4 for LSTM (gates i, f, g, o), 3 for GRU (r, z, n), so
    ``torch.nn.LSTM`` weights copy in one to one.
    """

    _constructor = None

    def __init__(self, hidden, return_sequences=True, bidirectional=False, learn_initial_state=False):
        options = RNNOptions(hidden=hidden, return_sequences=1 if return_sequences else 0,
                             bidirectional=1 if bidirectional else 0,
                             learn_initial_state=1 if learn_initial_state else 0)
        self._create(getattr(C, self._constructor), ctypes.byref(options))


class SimpleRNN(_Recurrent):
    """Elman recurrent layer (type ``"rnn"``): h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)."""

    _constructor = "nnl_layer_rnn"


class LSTM(_Recurrent):
    """LSTM layer (type ``"lstm"``), PyTorch's cell: gate blocks i, f, g, o in ``weight_ih``/``weight_hh``."""

    _constructor = "nnl_layer_lstm"


class GRU(_Recurrent):
    """GRU layer (type ``"gru"``), PyTorch's cell: gate blocks r, z, n; n = tanh(x W_in + b_in + r * (h W_hn + b_hn))."""

    _constructor = "nnl_layer_gru"


_CLASSES = {"dense": Dense, "conv2d": Conv2D, "maxpool2d": MaxPool2D, "avgpool2d": AvgPool2D,
            "flatten": Flatten, "activation": Activation, "dropout": Dropout, "batchnorm": BatchNorm,
            "residual": Residual, "embedding": Embedding, "layernorm": LayerNorm,
            "causal_self_attention": CausalSelfAttention, "transformer_block": TransformerBlock,
            "self_attention": SelfAttention, "encoder_block": EncoderBlock, "select_position": SelectPosition,
            "position_embedding": PositionEmbedding, "tied_output": TiedOutput, "rnn": SimpleRNN, "lstm": LSTM,
            "gru": GRU}
