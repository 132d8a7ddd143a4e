"""Optimizers (SGD, Adam, AdamW) with learning-rate schedules and gradient clipping.

An optimizer given to :meth:`nnlite.Model.compile` belongs to the model from
then on: the Python object stays usable (to read :attr:`Optimizer.steps` or
:attr:`Optimizer.learning_rate`) while the model lives, until a later
``compile`` with another optimizer replaces and frees it.
"""

import ctypes

from ._api import C
from ._handle import CObject, Handle


class Optimizer(Handle):
    """An optimizer (``nnl_optimizer``); make one with :class:`SGD`, :class:`Adam` or :class:`AdamW`.

    The keyword arguments shared by every optimizer:

    * ``clip_norm``: clip the global gradient norm to this before each step (0: off);
    * ``warmup_steps``: ramp the rate linearly from 0 over this many steps;
    * ``schedule``: None, ``("step", step_size, gamma)`` or
      ``("cosine", decay_steps, min_lr)``, as :meth:`schedule_step` and
      :meth:`schedule_cosine`.

    Thread-safety: one thread at a time.
    """

    def _create(self, constructor, args, clip_norm, warmup_steps, schedule):
        out = ctypes.c_void_p()
        constructor(ctypes.byref(out), *args)
        Handle.__init__(self, CObject(out.value, C.nnl_optimizer_free))
        if clip_norm:
            self.set_clip_norm(clip_norm)
        if warmup_steps:
            self.set_warmup(warmup_steps)
        if schedule is not None:
            kind, steps, value = schedule
            if kind == "step":
                self.schedule_step(steps, value)
            elif kind == "cosine":
                self.schedule_cosine(steps, value)
            else:
                raise ValueError("nnlite: schedule must be ('step', step_size, gamma) or "
                                 "('cosine', decay_steps, min_lr), got %r" % (schedule,))

    def set_clip_norm(self, max_norm):
        """Clip the global gradient norm to ``max_norm`` before each step (0 disables)."""
        C.nnl_optimizer_set_clip_norm(self._address, max_norm)
        return self

    def set_warmup(self, steps):
        """Linear warm-up from 0 to the base rate over ``steps`` steps (0 disables)."""
        C.nnl_optimizer_set_warmup(self._address, steps)
        return self

    def schedule_step(self, step_size, gamma):
        """Multiply the rate by ``gamma`` every ``step_size`` steps."""
        C.nnl_optimizer_schedule_step(self._address, step_size, gamma)
        return self

    def schedule_cosine(self, decay_steps, min_lr=0.0):
        """Cosine decay from the base rate to ``min_lr`` over ``decay_steps`` steps (after warm-up)."""
        C.nnl_optimizer_schedule_cosine(self._address, decay_steps, min_lr)
        return self

    @property
    def learning_rate(self):
        """Rate of the next step, with warm-up and schedule applied."""
        return C.nnl_optimizer_learning_rate(self._address)

    @property
    def steps(self):
        """Steps taken so far."""
        return C.nnl_optimizer_steps(self._address)

    def __repr__(self):
        if self.closed:
            return "<nnlite.%s (closed)>" % type(self).__name__
        return "<nnlite.%s lr=%g steps=%d>" % (type(self).__name__, self.learning_rate, self.steps)


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, *, clip_norm=0.0, warmup_steps=0,
                 schedule=None):
        self._create(C.nnl_optimizer_sgd, (learning_rate, momentum, 1 if nesterov else 0),
                     clip_norm, warmup_steps, schedule)


class Adam(Optimizer):
    """Adam with bias correction (defaults as Keras)."""

    def __init__(self, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-7, *, clip_norm=0.0,
                 warmup_steps=0, schedule=None):
        self._create(C.nnl_optimizer_adam, (learning_rate, beta1, beta2, epsilon), clip_norm, warmup_steps,
                     schedule)


class AdamW(Optimizer):
    """Adam with decoupled weight decay, applied to weights but not to biases and norms."""

    def __init__(self, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-7, weight_decay=0.01, *,
                 clip_norm=0.0, warmup_steps=0, schedule=None):
        self._create(C.nnl_optimizer_adamw, (learning_rate, beta1, beta2, epsilon, weight_decay), clip_norm,
                     warmup_steps, schedule)


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW}


def get(optimizer):
    """An Optimizer as is, or a new one with default settings from its name (``"adam"``, ...)."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    try:
        return _BY_NAME[optimizer.lower()]()
    except (KeyError, AttributeError):
        raise ValueError("nnlite: unknown optimizer %r; use 'sgd', 'adam', 'adamw' or an Optimizer"
                         % (optimizer,)) from None
