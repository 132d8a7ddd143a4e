"""The C API as ctypes sees it: one table of every function this package calls.

Each entry gives the function's result and argument types. Functions that
return ``nnl_status`` are marked ``STATUS``: a nonzero status raises the
matching :mod:`nnlite.errors` exception at once, with ``nnl_last_error()``
read on the calling thread before anything else can overwrite it.

Conventions: handles are ``c_void_p``; caller buffers (float, int32, int64
and double arrays) are ``c_void_p`` addresses, so numpy arrays, ``array``
objects and ctypes arrays all pass; out-parameters are typed pointers. The
only mirrored structures are the sized structs of ``nnlite/gpt.h``,
``nnlite/model.h``, ``nnlite/layer.h``, ``nnlite/metrics.h``, ``nnlite/saliency.h``,
``nnlite/input_check.h`` and ``nnlite/profile.h`` (first member
``struct_size``; see :class:`SizedStruct`), which the C API defines for
exactly that use.

A library missing any symbol of the table is refused with an ImportError
naming the missing functions.
"""

import ctypes
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_double, c_float, c_int, c_int32, c_int64, c_size_t,
                    c_uint64, c_void_p)

from . import _library
from .errors import error_class

STATUS = object()  # marker: the function returns nnl_status

P = c_void_p               # a handle (nnl_tensor *, nnl_model *, ...)
OUT = POINTER(c_void_p)    # receives a handle
BUF = c_void_p             # a caller buffer of floats or integers
DIMS = POINTER(c_int64)    # an int64_t array of dimensions
f32, i32, i64, u64 = c_float, c_int32, c_int64, c_uint64

#: void (*nnl_log_fn)(nnl_log_level, const char *message, void *user)
LOG_FN = CFUNCTYPE(None, c_int, c_char_p, c_void_p)
#: int (*nnl_progress_fn)(const nnl_progress *, void *user); also nnl_gpt_progress_fn
PROGRESS_FN = CFUNCTYPE(c_int, c_void_p, c_void_p)
#: int (*nnl_gpt_token_fn)(const char *piece, int32_t token, void *user)
TOKEN_FN = CFUNCTYPE(c_int, c_char_p, c_int32, c_void_p)
#: int (*nnl_token_fn)(int32_t token, void *user)
MODEL_TOKEN_FN = CFUNCTYPE(c_int, c_int32, c_void_p)


class SizedStruct(ctypes.Structure):
    """A sized option struct of the C API: its first member is ``struct_size``.

    Each mirror below has exactly the members of the struct in the headers
    this package comes with, so ``ctypes.sizeof`` of a mirror is that
    struct's size, and the constructor always sets ``struct_size`` to it
    (other members by keyword; unnamed ones are zero). The library reads
    struct_size by docs/versioning.md ("Sized structs"): a library of the
    same version reads every member; a newer one also takes this smaller
    struct and gives the members it lacks their defaults; an older one (same
    ABI, only the ABI is checked at load) ignores members it does not know
    when they are zero and otherwise fails with InvalidArgumentError naming
    the struct.
    """

    def __init__(self, **members):
        super().__init__(ctypes.sizeof(type(self)), **members)


class GptConfig(SizedStruct):
    """``nnl_gpt_config``."""

    _fields_ = [("struct_size", c_size_t), ("n_layer", i64), ("n_head", i64), ("n_embd", i64),
                ("block_size", i64), ("dropout", f32), ("seed", u64)]


class GptTrainOptions(SizedStruct):
    """``nnl_gpt_train_options``."""

    _fields_ = [("struct_size", c_size_t), ("iters", i64), ("batch_size", i64), ("learning_rate", f32),
                ("min_lr", f32), ("warmup_iters", i64), ("lr_decay_iters", i64), ("weight_decay", f32),
                ("beta1", f32), ("beta2", f32), ("grad_clip", f32), ("eval_interval", i64),
                ("eval_batches", i64), ("checkpoint_interval", i64), ("checkpoint_path", c_char_p),
                ("progress", PROGRESS_FN), ("user", c_void_p)]


class GptGenerateOptions(SizedStruct):
    """``nnl_gpt_generate_options``."""

    _fields_ = [("struct_size", c_size_t), ("max_tokens", i64), ("temperature", f32), ("top_k", i64),
                ("top_p", f32), ("seed", u64)]


class FitOptions(SizedStruct):
    """``nnl_fit_options``. Zero members are not NNL_FIT_OPTIONS_INIT's defaults: set epochs, batch_size, seed."""

    _fields_ = [("struct_size", c_size_t), ("epochs", i64), ("steps", i64), ("batch_size", i64),
                ("validation", c_void_p), ("validation_interval", i64), ("validation_batches", i64),
                ("checkpoint_path", c_char_p), ("checkpoint_interval", i64), ("progress", PROGRESS_FN),
                ("user", c_void_p), ("clip_norm", f32), ("seed", u64), ("threads", c_int),
                ("history_interval", i64)]


class GenerateOptions(SizedStruct):
    """``nnl_generate_options``. Zero members are not NNL_GENERATE_OPTIONS_INIT's defaults: set them all."""

    _fields_ = [("struct_size", c_size_t), ("max_tokens", i64), ("temperature", f32), ("top_k", i64),
                ("top_p", f32), ("seed", u64)]


class RNNOptions(SizedStruct):
    """``nnl_rnn_options``. Zero members are not NNL_RNN_OPTIONS_INIT's defaults: set hidden and return_sequences."""

    _fields_ = [("struct_size", c_size_t), ("hidden", i64), ("return_sequences", c_int), ("bidirectional", c_int),
                ("learn_initial_state", c_int)]


class CPUInfo(SizedStruct):
    """``nnl_cpu_info``, filled by ``nnl_cpu_info_get``."""

    _fields_ = [("struct_size", c_size_t), ("model", ctypes.c_char * 64), ("simd", c_int), ("l1d_bytes", i64),
                ("l2_bytes", i64), ("l3_bytes", i64), ("gemm_mr", c_int), ("gemm_nr", c_int), ("gemm_kc", i64),
                ("gemm_mc", i64), ("gemm_nc", i64)]
class EstimatorOptions(SizedStruct):
    """``nnl_estimator_options``. Zero members are not NNL_ESTIMATOR_OPTIONS_INIT's defaults: set them all."""

    _fields_ = [("struct_size", c_size_t), ("kind", c_int), ("c", c_double), ("gamma", c_double),
                ("tolerance", c_double), ("max_iter", i64), ("probability", c_int), ("cache_mb", c_double),
                ("criterion", c_int), ("max_depth", i64), ("min_samples_split", i64), ("min_samples_leaf", i64),
                ("max_features", i64), ("n_estimators", i64), ("bootstrap", c_int), ("threads", c_int),
                ("seed", u64)]
class MultilabelReport(SizedStruct):
    """``nnl_multilabel_report``: the averages nnl_metrics_multilabel() writes (an output struct)."""

    _fields_ = [("struct_size", c_size_t), ("subset_accuracy", c_double), ("hamming_loss", c_double),
                ("micro_precision", c_double), ("micro_recall", c_double), ("micro_f1", c_double),
                ("macro_precision", c_double), ("macro_recall", c_double), ("macro_f1", c_double)]


class OcclusionOptions(SizedStruct):
    """``nnl_occlusion_options``. Zero members are not NNL_OCCLUSION_OPTIONS_INIT's defaults: set them all."""

    _fields_ = [("struct_size", c_size_t), ("patch", i64), ("stride", i64), ("baseline", f32), ("batch_size", i64)]


class InputCheckOptions(SizedStruct):
    """``nnl_input_check_options``. Zero members are not NNL_INPUT_CHECK_OPTIONS_INIT's defaults: set them all."""

    _fields_ = [("struct_size", c_size_t), ("ink_level", f32), ("min_ink", f32), ("max_ink", f32),
                ("min_confidence", f32)]


class InputReport(SizedStruct):
    """``nnl_input_report``: what nnl_input_check() measured and decided (an output struct)."""

    _fields_ = [("struct_size", c_size_t), ("reason", i32), ("top_class", i32), ("top_probability", f32),
                ("ink", f32)]


class ProfileRow(SizedStruct):
    """``nnl_profile_row_info``: one row of a profiler table, written by nnl_profile_table_row() (an output struct)."""

    _fields_ = [("struct_size", c_size_t), ("name", ctypes.c_char * 96), ("kind", c_int), ("phase", c_int),
                ("calls", i64), ("total_ms", c_double), ("self_ms", c_double), ("flops", c_double),
                ("gflops_per_s", c_double), ("step_share", c_double)]


_TABLE = [
    # version.h, status.h, runtime.h
    ("nnl_version_string", c_char_p, []),
    ("nnl_version_number", c_int, []),
    ("nnl_abi_version", c_int, []),
    ("nnl_status_str", c_char_p, [c_int]),
    ("nnl_last_error", c_char_p, []),
    ("nnl_clear_error", None, []),
    ("nnl_set_log_callback", None, [LOG_FN, c_void_p]),
    ("nnl_simd_level", c_int, []),
    ("nnl_simd_name", c_char_p, [c_int]),
    ("nnl_set_num_threads", STATUS, [c_int]),
    ("nnl_get_num_threads", c_int, []),
    ("nnl_cpu_info_get", STATUS, [ctypes.POINTER(CPUInfo)]),
    # tensor.h
    ("nnl_tensor_create", STATUS, [OUT, c_int, DIMS]),
    ("nnl_tensor_create_from", STATUS, [OUT, c_int, DIMS, BUF]),
    ("nnl_tensor_wrap", STATUS, [OUT, c_int, DIMS, BUF]),
    ("nnl_tensor_free", None, [P]),
    ("nnl_tensor_ndim", c_int, [P]),
    ("nnl_tensor_dim", i64, [P, c_int]),
    ("nnl_tensor_shape", STATUS, [P, DIMS, c_int]),
    ("nnl_tensor_size", i64, [P]),
    ("nnl_tensor_nbytes", c_size_t, [P]),
    ("nnl_tensor_data", c_void_p, [P]),
    ("nnl_tensor_copy_to", STATUS, [P, BUF, i64]),
    ("nnl_tensor_reshape", STATUS, [P, c_int, DIMS]),
    ("nnl_tensor_fill", STATUS, [P, f32]),
    ("nnl_tensor_init_uniform", STATUS, [P, f32, f32, u64]),
    ("nnl_tensor_init_normal", STATUS, [P, f32, f32, u64]),
    ("nnl_tensor_init_glorot", STATUS, [P, i64, i64, u64]),
    ("nnl_tensor_init_he", STATUS, [P, i64, u64]),
    # blas.h
    ("nnl_sgemm", STATUS, [c_int, c_int, i64, i64, i64, f32, BUF, i64, BUF, i64, f32, BUF, i64]),
    # dataset.h
    ("nnl_dataset_load_idx", STATUS, [OUT, c_char_p, c_char_p]),
    ("nnl_dataset_load_idx_dir", STATUS, [OUT, OUT, c_char_p]),
    ("nnl_dataset_create", STATUS, [OUT, i64, c_int, DIMS, BUF, c_int, DIMS, BUF]),
    ("nnl_dataset_create_labeled", STATUS, [OUT, i64, c_int, DIMS, BUF, BUF]),
    ("nnl_dataset_create_multilabel", STATUS, [OUT, i64, c_int, DIMS, BUF, i64, i32, BUF]),
    ("nnl_dataset_is_multilabel", c_int, [P]),
    ("nnl_dataset_get_multilabels", STATUS, [P, i64, i64, BUF]),
    ("nnl_dataset_free", None, [P]),
    ("nnl_dataset_size", i64, [P]),
    ("nnl_dataset_sample_shape", STATUS, [P, DIMS, c_int, POINTER(c_int)]),
    ("nnl_dataset_target_shape", STATUS, [P, DIMS, c_int, POINTER(c_int)]),
    ("nnl_dataset_num_classes", i32, [P]),
    ("nnl_dataset_class_name", c_char_p, [P, i32]),
    ("nnl_dataset_load_tsv", STATUS, [OUT, c_char_p, P, i64, P]),
    ("nnl_dataset_masked_lm", STATUS, [OUT, P, c_int, i64, f32, u64]),
    ("nnl_dataset_masked_lm_framed", STATUS, [OUT, P, c_int, i64, f32, u64]),
    ("nnl_dataset_get_batch", STATUS, [P, i64, i64, P, P]),
    ("nnl_dataset_get_labels", STATUS, [P, i64, i64, BUF]),
    ("nnl_dataset_shuffle", STATUS, [P, u64]),
    ("nnl_dataset_split", STATUS, [P, i64, OUT, OUT]),
    ("nnl_dataset_normalize", STATUS, [P, f32, f32]),
    ("nnl_dataset_scale", STATUS, [P, f32]),
    ("nnl_dataset_mean_std", STATUS, [P, POINTER(f32), POINTER(f32)]),
    ("nnl_dataset_set_augmentation", STATUS, [P, f32, f32, f32, u64]),
    # layer.h
    ("nnl_layer_dense", STATUS, [OUT, i64, c_int]),
    ("nnl_layer_conv2d", STATUS, [OUT, i64, i64, i64, i64, c_int, c_int]),
    ("nnl_layer_maxpool2d", STATUS, [OUT, i64, i64, i64]),
    ("nnl_layer_avgpool2d", STATUS, [OUT, i64, i64, i64]),
    ("nnl_layer_flatten", STATUS, [OUT]),
    ("nnl_layer_activation", STATUS, [OUT, c_int]),
    ("nnl_layer_dropout", STATUS, [OUT, f32]),
    ("nnl_layer_batchnorm", STATUS, [OUT, f32, f32]),
    ("nnl_layer_residual", STATUS, [OUT]),
    ("nnl_layer_residual_add", STATUS, [P, P]),
    ("nnl_layer_embedding", STATUS, [OUT, i64, i64]),
    ("nnl_layer_layernorm", STATUS, [OUT, f32]),
    ("nnl_layer_causal_self_attention", STATUS, [OUT, i64]),
    ("nnl_layer_self_attention", STATUS, [OUT, i64]),
    ("nnl_layer_transformer_block", STATUS, [OUT, i64, i64]),
    ("nnl_layer_transformer_block_dropout", STATUS, [OUT, i64, i64, f32]),
    ("nnl_layer_encoder_block", STATUS, [OUT, i64, i64, f32]),
    ("nnl_layer_select_position", STATUS, [OUT, i64]),
    ("nnl_layer_position_embedding", STATUS, [OUT, i64]),
    ("nnl_layer_tied_output", STATUS, [OUT, i64]),
    ("nnl_layer_rnn", STATUS, [OUT, POINTER(RNNOptions)]),
    ("nnl_layer_lstm", STATUS, [OUT, POINTER(RNNOptions)]),
    ("nnl_layer_gru", STATUS, [OUT, POINTER(RNNOptions)]),
    ("nnl_layer_free", None, [P]),
    ("nnl_layer_type", c_char_p, [P]),
    ("nnl_layer_build", STATUS, [P, c_int, DIMS, u64]),
    ("nnl_layer_output_shape", STATUS, [P, DIMS, c_int, POINTER(c_int)]),
    ("nnl_layer_num_params", c_int, [P]),
    ("nnl_layer_param_count", i64, [P]),
    ("nnl_layer_param", STATUS, [P, c_int, POINTER(c_char_p), OUT, OUT]),
    ("nnl_layer_forward", STATUS, [P, P, P, c_int]),
    ("nnl_layer_backward", STATUS, [P, P, P]),
    ("nnl_layer_zero_grad", STATUS, [P]),
    # optim.h
    ("nnl_optimizer_sgd", STATUS, [OUT, f32, f32, c_int]),
    ("nnl_optimizer_adam", STATUS, [OUT, f32, f32, f32, f32]),
    ("nnl_optimizer_adamw", STATUS, [OUT, f32, f32, f32, f32, f32]),
    ("nnl_optimizer_set_clip_norm", STATUS, [P, f32]),
    ("nnl_optimizer_set_warmup", STATUS, [P, i64]),
    ("nnl_optimizer_schedule_step", STATUS, [P, i64, f32]),
    ("nnl_optimizer_schedule_cosine", STATUS, [P, i64, f32]),
    ("nnl_optimizer_learning_rate", f32, [P]),
    ("nnl_optimizer_steps", i64, [P]),
    ("nnl_optimizer_free", None, [P]),
    # model.h
    ("nnl_model_create", STATUS, [OUT, c_int, DIMS]),
    ("nnl_model_free", None, [P]),
    ("nnl_model_set_seed", STATUS, [P, u64]),
    ("nnl_model_set_padding_token", STATUS, [P, i32]),
    ("nnl_model_padding_token", i32, [P]),
    ("nnl_model_truncate", STATUS, [P, c_int]),
    ("nnl_model_set_tokenizer", STATUS, [P, P]),
    ("nnl_model_tokenizer", c_void_p, [P]),
    ("nnl_model_set_class_names", STATUS, [P, POINTER(c_char_p), i32]),
    ("nnl_model_class_name", c_char_p, [P, i32]),
    ("nnl_model_add", STATUS, [P, P]),
    ("nnl_model_num_layers", c_int, [P]),
    ("nnl_model_layer", c_void_p, [P, c_int]),
    ("nnl_model_param_count", i64, [P]),
    ("nnl_model_output_shape", STATUS, [P, DIMS, c_int, POINTER(c_int)]),
    ("nnl_model_summary", STATUS, [P, c_char_p, c_size_t, POINTER(c_size_t)]),
    ("nnl_model_compile", STATUS, [P, c_int, P]),
    ("nnl_progress_get", c_double, [P, c_int]),
    ("nnl_model_fit", STATUS, [P, P, P, i64, i64, u64, PROGRESS_FN, c_void_p]),
    ("nnl_model_fit_with", STATUS, [P, P, POINTER(FitOptions)]),
    ("nnl_model_history", c_void_p, [P]),
    ("nnl_history_rows", i64, [P]),
    ("nnl_history_get", STATUS, [P, i64, c_int, POINTER(c_double)]),
    ("nnl_history_column_name", c_char_p, [P, c_int]),
    ("nnl_history_truncated", c_int, [P]),
    ("nnl_history_write_csv", STATUS, [P, c_char_p]),
    ("nnl_model_evaluate", STATUS, [P, P, i64, POINTER(c_double), POINTER(c_double)]),
    ("nnl_model_evaluate_sampled", STATUS, [P, P, i64, i64, u64, POINTER(c_double), POINTER(c_double)]),
    ("nnl_model_generate", STATUS, [P, BUF, i64, POINTER(GenerateOptions), MODEL_TOKEN_FN, c_void_p]),
    ("nnl_model_attention_weights", STATUS, [P, BUF, i64, BUF, i64, POINTER(i64), POINTER(i64)]),
    ("nnl_model_predict", STATUS, [P, P, P]),
    ("nnl_model_predict_dataset", STATUS, [P, P, i64, BUF, BUF]),
    ("nnl_model_predict_multilabel", STATUS, [P, P, i64, BUF, BUF, BUF]),
    # saliency.h, input_check.h
    ("nnl_model_saliency", STATUS, [P, P, BUF, P]),
    ("nnl_model_occlusion", STATUS, [P, P, i32, POINTER(OcclusionOptions), P]),
    ("nnl_input_check", STATUS, [P, BUF, i64, POINTER(InputCheckOptions), POINTER(InputReport)]),
    ("nnl_model_predict_checked", STATUS, [P, P, P, POINTER(InputCheckOptions), POINTER(InputReport)]),
    ("nnl_input_reason_name", c_char_p, [i32]),
    ("nnl_model_save", STATUS, [P, c_char_p, c_int]),
    ("nnl_model_load", STATUS, [OUT, c_char_p]),
    # metrics.h
    ("nnl_metrics_confusion", STATUS, [BUF, BUF, i64, i32, BUF]),
    ("nnl_metrics_report", STATUS, [BUF, i32, BUF, BUF, BUF, BUF, BUF]),
    # estimator.h
    ("nnl_estimator_create", STATUS, [OUT, c_void_p]),
    ("nnl_estimator_free", None, [P]),
    ("nnl_estimator_fit", STATUS, [P, P]),
    ("nnl_estimator_predict", STATUS, [P, BUF, i64, BUF]),
    ("nnl_estimator_predict_proba", STATUS, [P, BUF, i64, BUF]),
    ("nnl_estimator_evaluate", STATUS, [P, P, BUF, POINTER(c_double)]),
    ("nnl_estimator_save", STATUS, [P, c_char_p]),
    ("nnl_estimator_load", STATUS, [OUT, c_char_p]),
    ("nnl_estimator_kind_of", c_int, [P]),
    ("nnl_estimator_num_classes", i32, [P]),
    ("nnl_estimator_num_features", i64, [P]),
    ("nnl_estimator_size", i64, [P]),
    ("nnl_estimator_feature_importances", STATUS, [P, BUF, i64]),
    ("nnl_metrics_multilabel", STATUS, [BUF, BUF, i64, i32, POINTER(MultilabelReport), BUF, BUF, BUF, BUF]),
    ("nnl_metrics_tune_thresholds", STATUS, [BUF, BUF, i64, i32, BUF]),
    # profile.h
    ("nnl_profile_start", STATUS, []),
    ("nnl_profile_stop", STATUS, []),
    ("nnl_profile_reset", None, []),
    ("nnl_profile_is_active", c_int, []),
    ("nnl_profile_write_trace", STATUS, [c_char_p]),
    ("nnl_profile_table_create", STATUS, [OUT]),
    ("nnl_profile_table_free", None, [P]),
    ("nnl_profile_table_count", i64, [P]),
    ("nnl_profile_table_row", STATUS, [P, i64, POINTER(ProfileRow)]),
    ("nnl_profile_table_totals", STATUS, [P, POINTER(i64), POINTER(c_double), POINTER(i64)]),
    ("nnl_profile_table_format", STATUS, [P, c_char_p, c_size_t, POINTER(c_size_t)]),
    # text.h
    ("nnl_tokenizer_create", STATUS, [OUT, c_char_p, c_size_t, c_int]),
    ("nnl_tokenizer_free", None, [P]),
    ("nnl_tokenizer_vocab_size", i64, [P]),
    ("nnl_tokenizer_num_special", i32, [P]),
    ("nnl_tokenizer_encode", STATUS, [P, c_char_p, c_size_t, c_int, BUF, i64, POINTER(i64)]),
    ("nnl_tokenizer_decode", STATUS, [P, BUF, i64, c_char_p, c_size_t, POINTER(c_size_t)]),
    ("nnl_tokenizer_piece", c_char_p, [P, i32]),
    ("nnl_text_dataset_load", STATUS, [OUT, c_char_p, P, c_int, u64]),
    ("nnl_text_dataset_free", None, [P]),
    ("nnl_text_dataset_tokenizer", c_void_p, [P]),
    ("nnl_text_dataset_length", i64, [P, c_int]),
    ("nnl_text_dataset_sample", STATUS, [P, c_int, i64, i64, BUF]),
    ("nnl_dataset_from_text", STATUS, [OUT, P, c_int, i64]),
    # gpt.h
    ("nnl_gpt_create", STATUS, [OUT, POINTER(GptConfig), P]),
    ("nnl_gpt_free", None, [P]),
    ("nnl_gpt_get_config", STATUS, [P, POINTER(GptConfig)]),
    ("nnl_gpt_tokenizer", c_void_p, [P]),
    ("nnl_gpt_model", c_void_p, [P]),
    ("nnl_gpt_param_count", i64, [P]),
    ("nnl_gpt_step", i64, [P]),
    ("nnl_gpt_summary", STATUS, [P, c_char_p, c_size_t, POINTER(c_size_t)]),
    ("nnl_gpt_progress_get", c_double, [P, c_int]),
    ("nnl_gpt_train", STATUS, [P, P, POINTER(GptTrainOptions)]),
    ("nnl_gpt_evaluate", STATUS, [P, P, c_int, i64, i64, u64, POINTER(c_double)]),
    ("nnl_gpt_generate", STATUS, [P, c_char_p, POINTER(GptGenerateOptions), TOKEN_FN, c_void_p]),
    ("nnl_gpt_save", STATUS, [P, c_char_p, c_int]),
    ("nnl_gpt_load", STATUS, [OUT, c_char_p]),
]


class Functions:
    """The declared C functions of one library, as attributes named like the C functions."""


def status_name(status):
    """The library's short name of a status, e.g. ``"invalid argument"``."""
    return C.nnl_status_str(status).decode("utf-8", "replace")


def make_error(status, message):
    """An exception of the right :mod:`nnlite.errors` class for ``status`` and ``message``."""
    return error_class(status)(status, status_name(status), message)


def _raise_on_status(result, func, args):
    if result != 0:
        message = C.nnl_last_error().decode("utf-8", "replace")
        raise make_error(result, message)
    return result


def bind(lib):
    """Declare every function of the table on ``lib``; returns a :class:`Functions`.

    Raises ImportError when ``lib`` lacks any of them.
    """
    functions = Functions()
    missing = []
    for name, restype, argtypes in _TABLE:
        try:
            fn = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.argtypes = argtypes
        if restype is STATUS:
            fn.restype = c_int
            fn.errcheck = _raise_on_status
        else:
            fn.restype = restype
        setattr(functions, name, fn)
    if missing:
        raise ImportError("nnlite: %s lacks %d function(s) this package needs: %s"
                          % (getattr(lib, "_name", lib), len(missing), ", ".join(missing)))
    return functions


_lib, LIBRARY_PATH = _library.find()
#: The declared functions of the loaded library.
C = bind(_lib)
