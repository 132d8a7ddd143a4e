/* A classifier encoder with a padding token runs a batch on its longest
 * sequence (lib/nn/trim.c) instead of the built length T. Checked against
 * the same batch run padded to T (nnl_forward_ctx.full_length): the loss,
 * the [CLS] outputs and every parameter gradient agree within 1e-5 for a
 * batch of lines of 3, 5 and 6 tokens in T = 8 (the largest difference is
 * printed), and the batch really ran on 6 positions. A batch whose longest
 * line is T runs untrimmed, bit for bit as padded; a [CLS] read further in
 * (select_position(6)) keeps its position; a masked LM (its output keeps the
 * time axis) runs on T; and once the buffers have seen T, batches of other
 * lengths allocate nothing. */
#include <math.h>
#include <stdio.h>

#include "test_util.h"

#include "core/alloc.h"
#include "nn/model.h"

enum { V = 12, C = 8, T = 8, B = 3, CLASSES = 3, PAD = NNL_TOKEN_PAD };

/* embedding -> positions -> 2 encoder blocks -> layernorm -> head: the
 * [CLS]-like position `select` and a dense softmax, or (select < 0) the
 * tied masked-LM output. Padding token PAD, SGD. */
static nnl_model *encoder(int64_t select)
{
    const int64_t in = T;
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, &in));
    assert_ok(nnl_model_set_seed(m, 11));
    assert_ok(nnl_model_set_padding_token(m, PAD));
    assert_ok(nnl_layer_embedding(&l, V, C));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_position_embedding(&l, T));
    assert_ok(nnl_model_add(m, l));
    for (int i = 0; i < 2; i++) {
        assert_ok(nnl_layer_encoder_block(&l, 2, C, 0.0f));
        assert_ok(nnl_model_add(m, l));
    }
    assert_ok(nnl_layer_layernorm(&l, 1e-5f));
    assert_ok(nnl_model_add(m, l));
    if (select >= 0) {
        assert_ok(nnl_layer_select_position(&l, select));
        assert_ok(nnl_model_add(m, l));
        assert_ok(nnl_layer_dense(&l, CLASSES, NNL_ACT_SOFTMAX));
        assert_ok(nnl_model_add(m, l));
    } else {
        assert_ok(nnl_layer_tied_output(&l, 0));
        assert_ok(nnl_model_add(m, l));
    }
    nnl_optimizer *sgd;
    assert_ok(nnl_optimizer_sgd(&sgd, 0.1f, 0.0f, 0));
    assert_ok(nnl_model_compile(m, select >= 0 ? NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY
                                               : NNL_LOSS_SOFTMAX_CROSSENTROPY, sgd));
    return m;
}

/* B lines of `lengths[b]` tokens ([CLS] first), padded to T, labels 0 1 2. */
static nnl_dataset *lines(const int64_t *lengths)
{
    float ids[B * T];
    const int32_t labels[B] = {0, 1, 2};
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++)
            ids[b * T + t] = t == 0 ? NNL_TOKEN_CLS : t < lengths[b] ? (float)(5 + (b * 3 + t) % (V - 5)) : PAD;
    const int64_t in = T;
    nnl_dataset *ds;
    assert_ok(nnl_dataset_create_labeled(&ds, B, 1, &in, ids, labels));
    return ds;
}

/* What one training forward and backward of the batch gives. */
typedef struct step_result {
    double loss;
    int64_t positions;    /* the time axis the layers ran on */
    float cls[B * C];     /* the selected position's outputs */
    float *grads;         /* every parameter gradient, one after the other */
    int64_t num_grads;
} step_result;

static void run(nnl_model *m, const nnl_dataset *ds, int full_length, step_result *r)
{
    const int64_t indices[B] = {0, 1, 2};
    const nnl_forward_ctx ctx = {.training = 1, .full_length = full_length};
    nnl_loss_result loss;
    assert_ok(nnl_model_batch_forward(m, ds, indices, B, &ctx, NULL, "test_trim", &loss));
    assert_ok(nnl_model_backward(m));
    r->loss = loss.sum / (double)loss.count;
    r->positions = m->train_ws->input->dims[1];
    const nnl_tensor *cls = m->train_ws->buffers[m->num_layers - 2].out;
    if (cls->ndim == 2)
        memcpy(r->cls, cls->data, sizeof r->cls);
    r->num_grads = 0;
    for (int i = 0; i < m->num_params; i++)
        r->num_grads += m->param_ptrs[i]->grad->size;
    r->grads = malloc(sizeof(float) * (size_t)r->num_grads);
    assert_non_null(r->grads);
    float *at = r->grads;
    for (int i = 0; i < m->num_params; i++) {
        const nnl_tensor *g = m->param_ptrs[i]->grad;
        memcpy(at, g->data, sizeof(float) * (size_t)g->size);
        at += g->size;
    }
}

static double max_difference(const float *a, const float *b, int64_t n)
{
    double worst = 0.0;
    for (int64_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)a[i] - (double)b[i]));
    return worst;
}

/* Trimmed and padded runs of the batch agree; returns the trimmed length. */
static int64_t assert_trim_changes_nothing(int64_t select, const int64_t *lengths)
{
    nnl_model *m = encoder(select);
    nnl_dataset *ds = lines(lengths);
    step_result padded, trimmed;
    run(m, ds, 1, &padded);
    run(m, ds, 0, &trimmed);
    assert_int_equal(padded.positions, T);
    assert_int_equal(trimmed.num_grads, padded.num_grads);
    const double loss = fabs(trimmed.loss - padded.loss), cls = max_difference(trimmed.cls, padded.cls, B * C),
                 grads = max_difference(trimmed.grads, padded.grads, padded.num_grads);
    printf("select_position(%lld), lines of %lld %lld %lld tokens: ran on %lld of %d positions; largest "
           "difference to the padded run: loss %.3g, [CLS] outputs %.3g, gradients %.3g (%lld values)\n",
           (long long)select, (long long)lengths[0], (long long)lengths[1], (long long)lengths[2],
           (long long)trimmed.positions, T, loss, cls, grads, (long long)padded.num_grads);
    if (loss > 1e-5 || cls > 1e-5 || grads > 1e-5)
        fail_msg("the trimmed run differs from the padded one: loss %g, outputs %g, gradients %g", loss, cls, grads);
    const int64_t positions = trimmed.positions;
    free(padded.grads);
    free(trimmed.grads);
    nnl_dataset_free(ds);
    nnl_model_free(m);
    return positions;
}

static void trimmed_batch_matches_padded_batch(void **state)
{
    (void)state;
    const int64_t lengths[B] = {3, 5, 6};
    assert_int_equal(assert_trim_changes_nothing(0, lengths), 6);
}

/* select_position(6) reads position 6: the batch keeps 7 positions. */
static void trim_keeps_the_selected_position(void **state)
{
    (void)state;
    const int64_t lengths[B] = {2, 4, 3};
    assert_int_equal(assert_trim_changes_nothing(6, lengths), 7);
}

static void full_batch_runs_untrimmed(void **state)
{
    (void)state;
    const int64_t lengths[B] = {3, T, 6};
    nnl_model *m = encoder(0);
    nnl_dataset *ds = lines(lengths);
    step_result padded, as_is;
    run(m, ds, 1, &padded);
    run(m, ds, 0, &as_is);
    assert_ptr_equal(m->train_ws->input, m->batch_x);
    assert_int_equal(as_is.positions, T);
    assert_true(as_is.loss == padded.loss);
    assert_memory_equal(as_is.cls, padded.cls, sizeof as_is.cls);
    assert_memory_equal(as_is.grads, padded.grads, sizeof(float) * (size_t)padded.num_grads);
    free(padded.grads);
    free(as_is.grads);
    nnl_dataset_free(ds);
    nnl_model_free(m);
}

/* The masked LM's logits keep the time axis: the loss and predict read T. */
static void sequence_output_runs_on_t(void **state)
{
    (void)state;
    const int64_t lengths[B] = {3, 5, 6};
    nnl_model *m = encoder(-1);
    nnl_dataset *ds;
    float ids[B * T], targets[B * T];
    for (int64_t i = 0; i < B * T; i++) {
        ids[i] = i % T < lengths[i / T] ? (float)(5 + i % 7) : PAD;
        targets[i] = i % T < lengths[i / T] ? (float)(5 + (i + 1) % 7) : NNL_LOSS_IGNORE_INDEX;
    }
    const int64_t in = T;
    assert_ok(nnl_dataset_create(&ds, B, 1, &in, ids, 1, &in, targets));
    const int64_t indices[B] = {0, 1, 2};
    nnl_loss_result r;
    assert_ok(nnl_model_batch_forward(m, ds, indices, B, &(const nnl_forward_ctx){.training = 1}, NULL, "test", &r));
    assert_int_equal(m->train_ws->input->dims[1], T);
    assert_int_equal(r.count, 3 + 5 + 6);
    nnl_dataset_free(ds);
    nnl_model_free(m);
}

/* Training steps of batches of different longest lines, after one of T. */
static void trimmed_batches_allocate_nothing(void **state)
{
    (void)state;
    nnl_model *m = encoder(0);
    const int64_t full[B] = {T, 2, 3}, shorter[B] = {4, 2, 3}, other[B] = {5, 7, 2};
    nnl_dataset *warm = lines(full), *a = lines(shorter), *b = lines(other);
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.batch_size = B;
    o.history_interval = -1;
    assert_ok(nnl_model_fit_with(m, warm, &o));
    assert_ok(nnl_model_fit_with(m, a, &o)); /* the indices of fit itself, the scratch of the first trim */
    nnl_testing_fail_allocation(0);
    const int64_t indices[B] = {0, 1, 2};
    const nnl_forward_ctx ctx = {.training = 1};
    nnl_loss_result r;
    for (int i = 0; i < 4; i++) {
        assert_ok(nnl_model_batch_forward(m, i % 2 ? a : b, indices, B, &ctx, NULL, "test", &r));
        assert_ok(nnl_model_backward(m));
        assert_int_equal(m->train_ws->input->dims[1], i % 2 ? 4 : 7);
    }
    assert_int_equal(nnl_testing_fail_allocation(0), 0);
    nnl_dataset_free(warm);
    nnl_dataset_free(a);
    nnl_dataset_free(b);
    nnl_model_free(m);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trimmed_batch_matches_padded_batch),
        cmocka_unit_test(trim_keeps_the_selected_position),
        cmocka_unit_test(full_batch_runs_untrimmed),
        cmocka_unit_test(sequence_output_runs_on_t),
        cmocka_unit_test(trimmed_batches_allocate_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
