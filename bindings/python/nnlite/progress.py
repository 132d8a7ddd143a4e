"""Training progress: the reports C sends, Keras-like progress bars, and the history of a run."""

import collections
import math
import sys
import time

from ._api import C, PROGRESS_FN
from ._callbacks import Trampoline
from .errors import CancelledError

#: One report of :meth:`nnlite.Model.fit`, after each batch and once at each epoch's end.
#: ``accuracy`` is NaN for MSE; ``val_loss``/``val_accuracy`` are NaN except at an epoch's end with
#: validation data; ``epoch_end`` is True only in the report after an epoch's last batch.
#: ``step_loss`` is the last batch's loss alone, ``samples_per_second`` and ``total_elapsed`` count
#: from the start of the fit call, ``grad_norm`` is the gradient norm before clipping (NaN without
#: clipping). With ``fit(steps=n)`` the run is one "epoch" of ``n`` batches; the reports at
#: validation steps carry ``val_loss``/``val_accuracy``, and the last report has ``epoch_end``.
#: With the ``"sigmoid_binary_crossentropy"`` loss (multi-label), ``accuracy`` is the subset accuracy
#: and ``micro_f1``/``hamming_loss`` (``val_micro_f1``/``val_hamming_loss`` with the validation
#: numbers) are reported too, each class decided at probability 0.5; they are NaN for other losses.
FitProgress = collections.namedtuple(
    "FitProgress", "epoch epochs batch batches loss accuracy elapsed eta epoch_end val_loss val_accuracy "
                   "learning_rate step step_loss samples_per_second grad_norm total_elapsed micro_f1 "
                   "hamming_loss val_micro_f1 val_hamming_loss")

#: One report of :meth:`nnlite.GPT.train`, after each step. ``val_loss`` is NaN except at evaluation steps.
GptProgress = collections.namedtuple(
    "GptProgress", "step steps loss val_loss tokens_per_second elapsed eta learning_rate grad_norm")


def read_fit_progress(report):
    """A :class:`FitProgress` from an ``nnl_progress`` pointer (valid only during the callback)."""
    v = [C.nnl_progress_get(report, key) for key in range(21)]
    return FitProgress(int(v[0]), int(v[1]), int(v[2]), int(v[3]), v[4], v[5], v[6], v[7], v[8] == 1, v[9],
                       v[10], v[11], int(v[12]), v[13], v[14], v[15], v[16], v[17], v[18], v[19], v[20])


def read_gpt_progress(report):
    """A :class:`GptProgress` from an ``nnl_gpt_progress`` pointer."""
    v = [C.nnl_gpt_progress_get(report, key) for key in range(9)]
    return GptProgress(int(v[0]), int(v[1]), v[2], v[3], v[4], v[5], v[6], v[7], v[8])


class History:
    """What a training run recorded: ``history[key]`` is a list of values (as Keras' History).

    ``stopped`` is True when a callback asked to stop early.
    """

    def __init__(self):
        self.history = collections.defaultdict(list)
        self.stopped = False

    def record(self, **values):
        """Append each value to its list."""
        for key, value in values.items():
            self.history[key].append(value)

    def __repr__(self):
        return "<nnlite.History %s>" % ", ".join("%s: %d values" % (k, len(v)) for k, v in self.history.items())


def run_with_progress(train, read, bar, record, callback):
    """Run a C training call that reports progress; returns its :class:`History`.

    ``train(pointer)`` makes the C call with ``pointer``, an
    ``nnl_progress_fn``. For each report, ``read(report)`` turns it into a
    namedtuple ``p``; then ``bar(p)`` draws it (when ``bar`` is not None),
    ``record(history, p)`` keeps what the history needs, and
    ``callback(p)`` (when not None) may return True to stop, which ends
    the C call with ``history.stopped`` set. An exception raised by any of
    them stops the C call and propagates.
    """
    history = History()

    def on_progress(report, user):
        p = read(report)
        if bar is not None:
            bar(p)
        record(history, p)
        if callback is not None and callback(p):
            history.stopped = True
            return True
        return False

    trampoline = Trampoline(PROGRESS_FN, on_progress)
    try:
        train(trampoline.pointer)
    except CancelledError:
        trampoline.reraise()
        if not history.stopped:
            raise
    return history


def _format_seconds(seconds):
    seconds = max(0, int(round(seconds)))
    if seconds >= 3600:
        return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)
    if seconds >= 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_per_step(seconds):
    if seconds >= 1:
        return "%.0fs/step" % seconds
    if seconds >= 1e-3:
        return "%.0fms/step" % (seconds * 1e3)
    return "%.0fus/step" % (seconds * 1e6)


def bar(done, total, width=30):
    """``[=====>........]``: the progress of ``done`` out of ``total``."""
    if done >= total:
        return "[" + "=" * width + "]"
    filled = width * done // total if total else 0
    return "[" + "=" * filled + ">" + "." * (width - filled - 1) + "]"


class _Line:
    """One status line redrawn in place on a terminal, printed once otherwise."""

    def __init__(self, file, interval=0.05):
        self.file = file if file is not None else sys.stdout
        self.interactive = hasattr(self.file, "isatty") and self.file.isatty()
        self.interval = interval
        self._last_draw = 0.0
        self._width = 0

    def update(self, text, force=False):
        """Redraw the line (terminals only; at most every ``interval`` seconds unless forced)."""
        now = time.monotonic()
        if not self.interactive or (not force and now - self._last_draw < self.interval):
            return
        self._last_draw = now
        self.file.write("\r" + text + " " * max(0, self._width - len(text)))
        self._width = len(text)
        self.file.flush()

    def finish(self, text):
        """Print the final state of the line and end it."""
        if self.interactive:
            self.file.write("\r" + text + " " * max(0, self._width - len(text)) + "\n")
        else:
            self.file.write(text + "\n")
        self._width = 0
        self.file.flush()


def _scores(prefix, accuracy, micro_f1, hamming_loss):
    """`` - accuracy: x``, or for a multi-label model the subset accuracy, micro-F1 and Hamming loss."""
    if not math.isnan(micro_f1):
        return " - %ssubset_accuracy: %.4f - %smicro_f1: %.4f - %shamming_loss: %.4f" % (
            prefix, accuracy, prefix, micro_f1, prefix, hamming_loss)
    return " - %saccuracy: %.4f" % (prefix, accuracy) if not math.isnan(accuracy) else ""


class ProgressBar:
    """Prints :meth:`nnlite.Model.fit` progress as Keras does.

    ``verbose=1``: ``Epoch i/n`` and a bar redrawn in place on a terminal
    (one final line per epoch elsewhere); ``verbose=2``: one line per epoch.
    With ``fit(steps=n)`` the steps are one epoch's batches, and each
    validation before the last step prints a line of its own.
    """

    def __init__(self, verbose=1, file=None):
        self.verbose = verbose
        self.line = _Line(file)

    def __call__(self, p):
        if p.batch == 1 and not p.epoch_end:
            self.line.file.write("Epoch %d/%d\n" % (p.epoch, p.epochs))
            self.line.file.flush()
        metrics = " - loss: %.4f" % p.loss + _scores("", p.accuracy, p.micro_f1, p.hamming_loss)
        count = "%*d/%d" % (len(str(p.batches)), p.batch, p.batches)
        validated = not math.isnan(p.val_loss)
        if validated:
            val_metrics = " - val_loss: %.4f" % p.val_loss + _scores("val_", p.val_accuracy, p.val_micro_f1,
                                                                      p.val_hamming_loss)
        if validated and not p.epoch_end and p.batch < p.batches:  # fit(steps=...) validating on the way
            timing = "%s %s" % (_format_seconds(p.elapsed), _format_per_step(p.elapsed / max(p.batch, 1)))
            self.line.finish("%s - %s%s%s" % (count, timing, metrics, val_metrics))
        elif p.epoch_end:
            if validated:
                metrics += val_metrics
            timing = "%s %s" % (_format_seconds(p.elapsed), _format_per_step(p.elapsed / max(p.batches, 1)))
            if self.verbose == 1:
                self.line.finish("%s %s - %s%s" % (count, bar(p.batch, p.batches), timing, metrics))
            else:
                self.line.finish("%s - %s%s" % (count, timing, metrics))
        elif self.verbose == 1:
            self.line.update("%s %s - ETA: %s%s" % (count, bar(p.batch, p.batches), _format_seconds(p.eta),
                                                     metrics), force=p.batch == p.batches)


class GptProgressBar:
    """Prints :meth:`nnlite.GPT.train` progress: a bar over the steps, and a line at each evaluation."""

    def __init__(self, file=None):
        self.line = _Line(file)

    def __call__(self, p):
        status = "step %*d/%d" % (len(str(p.steps)), p.step, p.steps)
        metrics = " - loss: %.4f - lr: %.2e - %.0f tok/s" % (p.loss, p.learning_rate, p.tokens_per_second)
        if not math.isnan(p.val_loss) or p.step == p.steps:
            val = " - val_loss: %.4f" % p.val_loss if not math.isnan(p.val_loss) else ""
            self.line.finish("%s - %s%s%s" % (status, _format_seconds(p.elapsed), metrics, val))
        else:
            self.line.update("%s %s - ETA: %s%s" % (status, bar(p.step, p.steps), _format_seconds(p.eta), metrics))
