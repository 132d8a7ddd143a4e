"""A character-level GPT: create, train with progress, evaluate, stream generated text, save, load."""

import ctypes

from . import _paths, _text
from ._api import C, GptConfig, GptGenerateOptions, GptTrainOptions, TOKEN_FN
from ._callbacks import Trampoline
from ._handle import CObject, Handle
from .model import Model
from .progress import GptProgressBar, read_gpt_progress, run_with_progress
from .text import Tokenizer, split_code


class GPT(Handle):
    """GPT-2's architecture at small scale over a code-point vocabulary (``nnl_gpt``).

    ``GPT(tokenizer)`` creates nanoGPT's "baby" model (4 layers, 4 heads,
    128 wide, 64 tokens of context) with fresh weights; the keyword arguments
    change the architecture. The tokenizer is copied into the model.

    Thread-safety: one thread at a time (training and generation keep state in the model).
    """

    def __init__(self, tokenizer, *, n_layer=4, n_head=4, n_embd=128, block_size=64, dropout=0.0, seed=1337):
        config = GptConfig(n_layer=n_layer, n_head=n_head, n_embd=n_embd, block_size=block_size, dropout=dropout,
                           seed=seed)
        out = ctypes.c_void_p()
        C.nnl_gpt_create(ctypes.byref(out), ctypes.byref(config), tokenizer._address)
        super().__init__(CObject(out.value, C.nnl_gpt_free))

    @classmethod
    def load(cls, path):
        """A model saved by :meth:`save`; with training state, :meth:`train` resumes where it stopped."""
        out = ctypes.c_void_p()
        C.nnl_gpt_load(ctypes.byref(out), _paths.encode(path))
        gpt = cls.__new__(cls)
        Handle.__init__(gpt, CObject(out.value, C.nnl_gpt_free))
        return gpt

    def save(self, path, training_state=False):
        """Save as a safetensors file (nanoGPT's tensor names), atomically.

        With ``training_state`` the AdamW moments, the step and the generator
        are saved too, so that training can resume exactly.
        """
        C.nnl_gpt_save(self._address, _paths.encode(path), 1 if training_state else 0)

    @property
    def config(self):
        """The architecture as a dict: n_layer, n_head, n_embd, block_size, dropout, seed."""
        config = GptConfig()
        C.nnl_gpt_get_config(self._address, ctypes.byref(config))
        return {name: getattr(config, name) for name, _ in GptConfig._fields_[1:]}

    @property
    def tokenizer(self):
        """The model's vocabulary (it keeps the model alive)."""
        return Tokenizer._borrowed(C.nnl_gpt_tokenizer(self._address), self._c)

    @property
    def model(self):
        """The :class:`nnlite.Model` the GPT is (embeddings, blocks, layernorm, tied output), as a view.

        The view keeps the GPT alive and never frees the model; its layers,
        summary, :meth:`~nnlite.Model.save`, :meth:`~nnlite.Model.generate`
        (on token ids) and, once :meth:`train` has compiled it,
        :meth:`~nnlite.Model.fit` and evaluation work as on any model.
        Adding layers or compiling it raises StateError.
        """
        return Model._adopt(CObject(C.nnl_gpt_model(self._address), None, (self._c,)), "GPT")

    def attention_weights(self, text):
        """``(weights, tokens)``: the attention weights over ``text`` and the text of each of its tokens.

        ``weights`` is a (n_layer, n_head, n, n) float32 array for the n tokens
        of ``text`` (at most ``block_size``), as :meth:`nnlite.Model.attention_weights`;
        pass a prompt followed by what :meth:`generate` returned to see what
        the generation attended to.
        """
        ids = self.tokenizer.encode(text)
        return self.model.attention_weights(ids), [self.tokenizer.decode([i]) for i in ids]

    @property
    def param_count(self):
        """Trainable scalars (the tied head counted once)."""
        return C.nnl_gpt_param_count(self._address)

    @property
    def step(self):
        """Optimizer steps taken so far."""
        return C.nnl_gpt_step(self._address)

    def summary(self, print_fn=print):
        """The Keras-like summary table; printed with ``print_fn`` too (None: only returned)."""
        return _text.summary(C.nnl_gpt_summary, self._address, print_fn)

    def __repr__(self):
        if self.closed:
            return "<nnlite.GPT (closed)>"
        return "<nnlite.GPT %d parameters, step %d>" % (self.param_count, self.step)

    def train(self, data, *, iters=2000, batch_size=12, learning_rate=1e-3, min_lr=1e-4, warmup_iters=100,
              lr_decay_iters=0, weight_decay=0.1, beta1=0.9, beta2=0.99, grad_clip=1.0, eval_interval=250,
              eval_batches=20, checkpoint_interval=0, checkpoint_path=None, verbose=1, callback=None):
        """Train on random windows of a :class:`nnlite.TextDataset` until the model has taken ``iters`` steps.

        AdamW with linear warm-up and cosine decay to ``min_lr`` at
        ``lr_decay_iters`` (0: ``iters``), gradient clipping, validation every
        ``eval_interval`` steps and, with ``checkpoint_path``, a checkpoint
        every ``checkpoint_interval`` steps. ``verbose=1`` shows a progress bar.
        ``callback(progress)`` receives a :class:`nnlite.GptProgress` after each
        step; returning True stops (``history.stopped``).

        Returns a :class:`nnlite.History` with per-step ``step``, ``loss``,
        ``learning_rate`` and ``grad_norm``, and ``val_step``/``val_loss`` at
        each evaluation.
        """

        def record(history, p):
            history.record(step=p.step, loss=p.loss, learning_rate=p.learning_rate, grad_norm=p.grad_norm)
            if p.val_loss == p.val_loss:  # not NaN: this step was evaluated
                history.record(val_step=p.step, val_loss=p.val_loss)

        def train(progress):
            options = GptTrainOptions(
                iters=iters, batch_size=batch_size, learning_rate=learning_rate, min_lr=min_lr,
                warmup_iters=warmup_iters, lr_decay_iters=lr_decay_iters, weight_decay=weight_decay, beta1=beta1,
                beta2=beta2, grad_clip=grad_clip, eval_interval=eval_interval, eval_batches=eval_batches,
                checkpoint_interval=checkpoint_interval,
                checkpoint_path=_paths.encode(checkpoint_path) if checkpoint_path is not None else None,
                progress=progress)
            C.nnl_gpt_train(self._address, data._address, ctypes.byref(options))

        return run_with_progress(train, read_gpt_progress, GptProgressBar() if verbose else None, record, callback)

    def evaluate(self, data, split="validation", batches=20, batch_size=12, seed=0):
        """Mean cross-entropy (nats per token) over ``batches`` seeded random batches of a split."""
        loss = ctypes.c_double()
        C.nnl_gpt_evaluate(self._address, data._address, split_code(split), batches, batch_size, seed,
                           ctypes.byref(loss))
        return loss.value

    def generate(self, prompt="", *, max_tokens=200, temperature=0.8, top_k=200, top_p=1.0, seed=1,
                 on_token=None):
        """Generate text after ``prompt``; returns the generated text (without the prompt).

        ``temperature`` 0 picks the most likely token; ``top_k`` 0 and ``top_p``
        1 disable those filters; the same ``seed`` gives the same text. For
        streaming, ``on_token(piece, token_id)`` is called with each token's
        text as it is generated; returning True stops early. The context
        slides when it reaches ``block_size``, so any length can be generated.
        """
        pieces = []

        def on_piece(piece, token, user):
            text = piece.decode("utf-8", "replace")
            pieces.append(text)
            return on_token is not None and on_token(text, token)

        trampoline = Trampoline(TOKEN_FN, on_piece)
        options = GptGenerateOptions(max_tokens=max_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                                     seed=seed)
        C.nnl_gpt_generate(self._address, prompt.encode("utf-8"), ctypes.byref(options), trampoline.pointer,
                           None)
        trampoline.reraise()
        return "".join(pieces)
