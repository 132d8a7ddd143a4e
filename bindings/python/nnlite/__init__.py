"""nnlite: a small neural-network library, from MNIST to a tiny GPT, through ctypes.

Pure Python over the C library ``libnnlite.so`` (found as described in
:mod:`nnlite._library`). numpy arrays are accepted and returned without
copies when numpy is installed; without it, lists, ``array.array`` and other
buffers go in and ``memoryview`` objects come out.

A first model::

    import nnlite
    train, test = nnlite.Dataset.load_idx_dir("data/mnist")
    model = nnlite.Model((28, 28, 1), [
        nnlite.Conv2D(32, 3, activation="relu"), nnlite.MaxPool2D(2), nnlite.Flatten(),
        nnlite.Dense(128, activation="relu"), nnlite.Dense(10, activation="softmax")])
    model.compile(nnlite.Adam(1e-3))
    model.fit(train, epochs=5, batch_size=32)
    loss, accuracy = model.evaluate(test)

Failing calls raise :class:`nnlite.Error` subclasses carrying the library's status and message.
"""

from ._library import ABI_VERSION
from .abnormal_input import InputCheck, input_check
from .blas import sgemm
from .dataset import Dataset
from .errors import (CancelledError, Error, FileError, FormatError, InternalError, InvalidArgumentError,
                     NumericError, OutOfMemoryError, ShapeError, StateError, Status, UnsupportedError)
from .estimators import DecisionTree, Estimator, LinearSVM, RandomForest, SVM
from .gpt import GPT
from .history import TrainingHistory
from .layers import (GRU, LSTM, Activation, AvgPool2D, BatchNorm, CausalSelfAttention, Conv2D, Dense, Dropout,
                     EncoderBlock, Embedding, Flatten, Layer, LayerNorm, MaxPool2D, Param, PositionEmbedding,
                     Residual, SelectPosition, SelfAttention, SimpleRNN, TiedOutput, TransformerBlock)
from .metrics import (ClassificationReport, MultilabelReport, classification_report, confusion_matrix,
                      multilabel_report, tune_thresholds)
from .model import IGNORE_INDEX, Model, Sequential
from .optimizers import SGD, Adam, AdamW, Optimizer
from .profiler import ProfileRow, Profiler, profile
from .progress import FitProgress, GptProgress, GptProgressBar, History, ProgressBar
from .runtime import (abi_version, cpu_info, library_path, num_threads, set_log_callback, set_num_threads,
                      simd_level, version, version_number)
from .tensor import Tensor
from .text import TextDataset, Tokenizer

#: Version of the loaded library (the package is installed with it).
__version__ = version()

__all__ = [
    "ABI_VERSION", "Activation", "Adam", "AdamW", "AvgPool2D", "BatchNorm", "CancelledError", "CausalSelfAttention",
    "ClassificationReport", "Conv2D", "Dataset", "DecisionTree", "Dense", "Dropout", "Embedding", "EncoderBlock",
    "Error", "Estimator", "FileError", "FitProgress", "Flatten", "FormatError", "GPT", "GRU", "GptProgress",
    "GptProgressBar", "History", "IGNORE_INDEX", "InputCheck", "InternalError", "InvalidArgumentError", "LSTM",
    "Layer", "LayerNorm", "LinearSVM", "MaxPool2D", "Model", "MultilabelReport", "NumericError", "Optimizer",
    "OutOfMemoryError", "Param", "PositionEmbedding", "ProfileRow", "Profiler", "ProgressBar", "RandomForest",
    "Residual", "SGD", "SVM", "SelectPosition", "SelfAttention", "Sequential", "ShapeError", "SimpleRNN",
    "StateError", "Status", "Tensor", "TextDataset", "TiedOutput", "Tokenizer", "TrainingHistory",
    "TransformerBlock", "UnsupportedError", "abi_version", "classification_report", "confusion_matrix", "cpu_info",
    "input_check", "library_path", "multilabel_report", "num_threads", "profile", "set_log_callback",
    "set_num_threads", "sgemm", "simd_level", "tune_thresholds", "version", "version_number",
]
