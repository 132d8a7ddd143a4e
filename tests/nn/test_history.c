/* The training history (nnlite/history.h): fit records exactly the rows it
 * documents, with the values its progress reports carry, the CSV file has
 * its header and one line per row, the GPT's training records too, and an
 * allocation failure truncates the history, never the fit. (Misuse of each
 * function: tests/misuse/misuse_history.c.) */
#include <math.h>

#include "core/alloc.h"
#include "fixtures/fixtures.h"
#include "test_util.h"

static double value(const nnl_history *h, int64_t row, nnl_history_key key)
{
    double v = NAN;
    assert_ok(nnl_history_get(h, row, key, &v));
    return v;
}

/* Asserts two values are equal, NaN equal to NaN. */
static void assert_same(double a, double b, const char *what)
{
    if (!(a == b || (isnan(a) && isnan(b))))
        fail_msg("%s: history %.17g, progress %.17g", what, a, b);
}

/* At each report, the history's last row is the row of this report. */
typedef struct checker {
    nnl_model *model;
    int reports;
} checker;

static int check_last_row(const nnl_progress *p, void *user)
{
    checker *c = user;
    const nnl_history *h = nnl_model_history(c->model);
    int64_t last = nnl_history_rows(h) - 1;
    assert_true(last >= 0);
    int end = nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) != 0;
    assert_same(value(h, last, NNL_HISTORY_KIND), end ? NNL_HISTORY_ROW_EPOCH : NNL_HISTORY_ROW_STEP, "kind");
    assert_same(value(h, last, NNL_HISTORY_EPOCH), nnl_progress_get(p, NNL_PROGRESS_EPOCH), "epoch");
    assert_same(value(h, last, NNL_HISTORY_STEP), nnl_progress_get(p, NNL_PROGRESS_STEP), "step");
    assert_same(value(h, last, NNL_HISTORY_LOSS),
                nnl_progress_get(p, end ? NNL_PROGRESS_LOSS : NNL_PROGRESS_STEP_LOSS), "loss");
    if (end || nnl_progress_get(p, NNL_PROGRESS_BATCH) == 1) /* the epoch so far is this batch alone */
        assert_same(value(h, last, NNL_HISTORY_METRIC), nnl_progress_get(p, NNL_PROGRESS_ACCURACY), "accuracy");
    assert_same(value(h, last, NNL_HISTORY_VAL_LOSS), nnl_progress_get(p, NNL_PROGRESS_VAL_LOSS), "val_loss");
    assert_same(value(h, last, NNL_HISTORY_VAL_METRIC), nnl_progress_get(p, NNL_PROGRESS_VAL_ACCURACY),
                "val_accuracy");
    assert_same(value(h, last, NNL_HISTORY_LEARNING_RATE), nnl_progress_get(p, NNL_PROGRESS_LEARNING_RATE), "lr");
    assert_same(value(h, last, NNL_HISTORY_SAMPLES_PER_S), nnl_progress_get(p, NNL_PROGRESS_SAMPLES_PER_S),
                "samples/s");
    assert_same(value(h, last, NNL_HISTORY_ELAPSED), nnl_progress_get(p, NNL_PROGRESS_TOTAL_ELAPSED), "elapsed");
    assert_true(isnan(value(h, last, NNL_HISTORY_TOKENS_PER_S))); /* images, not tokens */
    c->reports++;
    return 0;
}

static char *read_text(const char *path)
{
    size_t size;
    unsigned char *bytes = fixture_read_file(path, &size);
    char *text = malloc(size + 1);
    memcpy(text, bytes, size);
    text[size] = '\0';
    free(bytes);
    return text;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* 3 epochs of 20 images in batches of 8 (8, 8, 4): 9 step rows and 3 epoch
 * rows, each equal to its report; the CSV has the header and 12 lines. */
static void epochs_record_every_step_and_epoch(void **state)
{
    (void)state;
    nnl_model *m = fixture_compiled_cnn();
    nnl_dataset *train = fixture_images(20), *validation = fixture_images(8);
    checker c = {m, 0};
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.epochs = 3, o.batch_size = 8, o.validation = validation, o.progress = check_last_row, o.user = &c;
    assert_ok(nnl_model_fit_with(m, train, &o));
    const nnl_history *h = nnl_model_history(m);
    assert_int_equal(c.reports, 12);
    assert_int_equal(nnl_history_rows(h), 12);
    assert_int_equal(nnl_history_truncated(h), 0);
    for (int64_t r = 0; r < 12; r++) {
        int epoch_row = r % 4 == 3;
        assert_same(value(h, r, NNL_HISTORY_KIND), epoch_row ? NNL_HISTORY_ROW_EPOCH : NNL_HISTORY_ROW_STEP, "kind");
        assert_same(value(h, r, NNL_HISTORY_EPOCH), (double)(r / 4 + 1), "epoch");
        assert_same(value(h, r, NNL_HISTORY_STEP), (double)(r / 4 * 3 + (epoch_row ? 3 : r % 4 + 1)), "step");
        assert_true(epoch_row == !isnan(value(h, r, NNL_HISTORY_VAL_LOSS)));
    }

    char dir[64], path[128];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "history.csv");
    assert_ok(nnl_history_write_csv(h, path));
    char *text = read_text(path);
    const char header[] = "kind,epoch,step,loss,accuracy,val_loss,val_accuracy,learning_rate,samples_per_s,"
                          "tokens_per_s,elapsed_s\n";
    assert_int_equal(strncmp(text, header, strlen(header)), 0);
    assert_int_equal(count_lines(text), 1 + 12);
    /* the first row: a step of epoch 1, its loss to 9 digits, no validation */
    const char *row = text + strlen(header);
    assert_int_equal(strncmp(row, "step,1,1,", 9), 0);
    assert_true(fabs(strtod(row + 9, NULL) - value(h, 0, NNL_HISTORY_LOSS)) <= 1e-8 * value(h, 0, NNL_HISTORY_LOSS));
    assert_non_null(strstr(row, ",,,")); /* val_loss, val_accuracy empty; tokens_per_s too */
    free(text);
    fixture_remove_tree(dir);
    nnl_dataset_free(train);
    nnl_dataset_free(validation);
    nnl_model_free(m);
}

/* history_interval 2 records steps 2, 4, 6 of 6 (and the 2 epochs); -1 none;
 * and each fit call starts a new history. */
static void interval_and_restart(void **state)
{
    (void)state;
    nnl_model *m = fixture_compiled_cnn();
    nnl_dataset *train = fixture_images(12);
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.epochs = 2, o.batch_size = 4, o.history_interval = 2;
    assert_ok(nnl_model_fit_with(m, train, &o));
    const nnl_history *h = nnl_model_history(m);
    assert_int_equal(nnl_history_rows(h), 5);
    const double steps[5] = {2, 3, 4, 6, 6}, kinds[5] = {0, 1, 0, 0, 1};
    for (int r = 0; r < 5; r++) {
        assert_same(value(h, r, NNL_HISTORY_STEP), steps[r], "step");
        assert_same(value(h, r, NNL_HISTORY_KIND), kinds[r], "kind");
    }
    o.history_interval = -1, o.epochs = 1;
    assert_ok(nnl_model_fit_with(m, train, &o));
    assert_int_equal(nnl_history_rows(h), 1);
    assert_same(value(h, 0, NNL_HISTORY_STEP), 9, "step after 9 steps in all");
    nnl_dataset_free(train);
    nnl_model_free(m);
}

/* Steps mode: 5 step rows, and a validation row after steps 2, 4 and 5. */
static void steps_record_validations(void **state)
{
    (void)state;
    nnl_model *m = fixture_compiled_cnn();
    nnl_dataset *train = fixture_images(16), *validation = fixture_images(8);
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.steps = 5, o.batch_size = 4, o.validation = validation, o.validation_interval = 2;
    assert_ok(nnl_model_fit_with(m, train, &o));
    const nnl_history *h = nnl_model_history(m);
    assert_int_equal(nnl_history_rows(h), 8);
    const double steps[8] = {1, 2, 2, 3, 4, 4, 5, 5}, kinds[8] = {0, 0, 2, 0, 0, 2, 0, 2};
    for (int r = 0; r < 8; r++) {
        assert_same(value(h, r, NNL_HISTORY_STEP), steps[r], "step");
        assert_same(value(h, r, NNL_HISTORY_KIND), kinds[r], "kind");
        assert_true((kinds[r] == NNL_HISTORY_ROW_VALIDATION) == !isnan(value(h, r, NNL_HISTORY_VAL_LOSS)));
        assert_true(value(h, r, NNL_HISTORY_METRIC) >= 0 && value(h, r, NNL_HISTORY_METRIC) <= 1);
    }
    nnl_dataset_free(train);
    nnl_dataset_free(validation);
    nnl_model_free(m);
}

/* The GPT's training records into its model: tokens/s as its report says. */
typedef struct gpt_check {
    nnl_gpt *gpt;
    int reports;
} gpt_check;

static int check_gpt_row(const nnl_gpt_progress *p, void *user)
{
    gpt_check *c = user;
    const nnl_history *h = nnl_model_history(nnl_gpt_model(c->gpt));
    int64_t last = nnl_history_rows(h) - 1;
    int validated = !isnan(nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_VAL_LOSS));
    if (validated) /* the step row, then its validation row */
        assert_same(value(h, last, NNL_HISTORY_VAL_LOSS), nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_VAL_LOSS),
                    "val_loss");
    int64_t step_row = last - validated;
    assert_same(value(h, step_row, NNL_HISTORY_KIND), NNL_HISTORY_ROW_STEP, "kind");
    assert_same(value(h, step_row, NNL_HISTORY_STEP), nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_STEP), "step");
    assert_same(value(h, step_row, NNL_HISTORY_LOSS), nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_LOSS), "loss");
    assert_same(value(h, step_row, NNL_HISTORY_TOKENS_PER_S), nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_TOKENS_PER_S),
                "tokens/s");
    c->reports++;
    return 0;
}

static void gpt_training_records(void **state)
{
    (void)state;
    size_t n;
    const char *text = fixture_text(&n);
    char dir[64], path[128];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "corpus.txt");
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 20; i++)
        fwrite(text, 1, n, f);
    fclose(f);
    nnl_text_dataset *data;
    assert_ok(nnl_text_dataset_load(&data, path, NULL, 0, 1));
    nnl_gpt_config config = NNL_GPT_CONFIG_INIT;
    config.n_layer = 1, config.n_head = 2, config.n_embd = 8, config.block_size = 8;
    nnl_gpt *g = NULL;
    assert_ok(nnl_gpt_create(&g, &config, nnl_text_dataset_tokenizer(data)));
    gpt_check c = {g, 0};
    nnl_gpt_train_options o = NNL_GPT_TRAIN_OPTIONS_INIT;
    o.iters = 4, o.warmup_iters = 1, o.batch_size = 2, o.eval_interval = 2, o.eval_batches = 1, o.progress = check_gpt_row, o.user = &c;
    assert_ok(nnl_gpt_train(g, data, &o));
    assert_int_equal(c.reports, 4);
    const nnl_history *h = nnl_model_history(nnl_gpt_model(g));
    assert_int_equal(nnl_history_rows(h), 4 + 2); /* validations after steps 2 and 4 */
    assert_string_equal(nnl_history_column_name(h, NNL_HISTORY_METRIC), "accuracy");
    nnl_gpt_free(g);
    nnl_text_dataset_free(data);
    fixture_remove_tree(dir);
}

/* A failed allocation never fails a fit: it records every row, or stops
 * recording and says so. Some allocation number reaches the history's. */
static void allocation_failure_truncates(void **state)
{
    (void)state;
    nnl_dataset *train = fixture_images(8);
    int truncated_once = 0;
    for (int64_t n = 1; n <= 64 && !truncated_once; n++) {
        nnl_model *m = fixture_compiled_cnn();
        nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
        o.epochs = 2, o.batch_size = 4;
        nnl_testing_fail_allocation(n);
        nnl_status s = nnl_model_fit_with(m, train, &o);
        nnl_testing_fail_allocation(0);
        const nnl_history *h = nnl_model_history(m);
        if (s == NNL_OK && nnl_history_truncated(h))
            truncated_once = 1;
        else if (s == NNL_OK)
            assert_int_equal(nnl_history_rows(h), 2 * 2 + 2);
        else
            assert_int_equal(s, NNL_E_NOMEM);
        nnl_model_free(m);
    }
    assert_true(truncated_once);
    nnl_dataset_free(train);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(epochs_record_every_step_and_epoch),
        cmocka_unit_test(interval_and_restart),
        cmocka_unit_test(steps_record_validations),
        cmocka_unit_test(gpt_training_records),
        cmocka_unit_test(allocation_failure_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
