/* Benchmark: issue 14's BERT-style encoder on data/classics-zh (scripts/fetch-data),
 * the model of examples/bert (examples/common/bert_model.c) next to
 * bench/torch/bert.py (run both with bench/run-bert.sh). Prints key=value lines:
 *   pretrain_tokens_per_s        masked-LM pretraining throughput over all steps
 *   mlm_loss, mlm_accuracy       on the masked positions of 50 held-out batches
 *   finetune_accuracy, _macro_f1 test set, mean over the seeds, encoder pretrained
 *   scratch_accuracy, _macro_f1  the same from scratch
 *   finetune_samples_per_s       fine-tuning throughput (the first seed)
 * Config: 4 layers, 4 heads, 128 dims, dropout 0.1; pretraining on windows of
 * 64 tokens framed as "[CLS] text [SEP]" (62 of text), batch 16, AdamW lr 1e-3 (100 warmup steps, cosine to 1e-4),
 * weight decay 0.01, clipping 1.0; fine-tuning batch 32, AdamW lr 3e-4,
 * "[CLS] text [SEP]" in 128 tokens.
 * Usage: bench_bert [--data DIR] [--iters N] [--epochs N] [--seeds N] [--threads N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nnlite.h>

#include "common/bert_model.h"

enum { BLOCK = 64, POSITIONS = 128, PRETRAIN_BATCH = 16, FINETUNE_BATCH = 32 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_bert: %s: %s\n", what, nnl_last_error());
    return 1;
}

typedef struct data {
    nnl_text_dataset *text;
    nnl_dataset *train, *test;
} data;

/* One fine-tuning run; adds its scores to sums[0..1]. */
static int finetune(const data *d, const bert_config *c, const nnl_model *pretrained, int64_t epochs,
                    double *sums, double *samples_per_s)
{
    const bert_schedule s = {3e-4, 3e-4, 0, 0, 0.01, 1.0};
    nnl_model *m;
    if (bert_classifier_model(&m, c, POSITIONS, nnl_dataset_num_classes(d->train), pretrained, &s) != NNL_OK)
        return fail("classifier");
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.epochs = epochs;
    o.batch_size = FINETUNE_BATCH;
    o.seed = c->seed;
    double t0 = now(), accuracy = 0.0, f1 = 0.0;
    nnl_status st = nnl_model_fit_with(m, d->train, &o);
    *samples_per_s = (double)(epochs * nnl_dataset_size(d->train)) / (now() - t0);
    int64_t matrix[64 * 64];
    if (st == NNL_OK)
        st = nnl_dataset_num_classes(d->test) <= 64 ? bert_score(m, d->test, matrix, NULL, &f1, &accuracy)
                                                    : NNL_E_UNSUPPORTED;
    nnl_model_free(m);
    if (st != NNL_OK)
        return fail("fine-tuning");
    printf("%s_seed%llu_accuracy=%.4f\n", pretrained ? "finetune" : "scratch", (unsigned long long)c->seed, accuracy);
    sums[0] += accuracy;
    sums[1] += f1;
    return 0;
}

static int load(const char *dir, data *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/pretrain.txt", dir);
    if (nnl_text_dataset_load(&d->text, path, NULL, NNL_TEXT_STRIP_ANSI | NNL_TEXT_SPECIAL_TOKENS, 1) != NNL_OK)
        return fail("corpus (run scripts/fetch-data)");
    const nnl_tokenizer *tok = nnl_text_dataset_tokenizer(d->text);
    snprintf(path, sizeof path, "%s/train.tsv", dir);
    if (nnl_dataset_load_tsv(&d->train, path, tok, POSITIONS, NULL) != NNL_OK)
        return fail("train.tsv");
    snprintf(path, sizeof path, "%s/test.tsv", dir);
    if (nnl_dataset_load_tsv(&d->test, path, tok, POSITIONS, d->train) != NNL_OK)
        return fail("test.tsv");
    return 0;
}

/* Masked-LM pretraining of *out on the windows; prints its throughput and held-out scores. */
static int pretrain_on(const bert_config *c, int64_t iters, nnl_dataset *train,
                       nnl_dataset *held_out, nnl_model **out)
{
    const bert_schedule s = {1e-3, 1e-4, iters < 1000 ? iters / 10 : 100, iters, 0.01, 1.0};
    if (bert_pretraining_model(out, c, BLOCK, &s) != NNL_OK)
        return fail("model");
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.steps = iters;
    o.batch_size = PRETRAIN_BATCH;
    o.seed = c->seed;
    double t0 = now(), loss = 0.0, accuracy = 0.0;
    if (nnl_model_fit_with(*out, train, &o) != NNL_OK)
        return fail("pretraining");
    double seconds = now() - t0;
    if (nnl_model_evaluate_sampled(*out, held_out, 50, PRETRAIN_BATCH, 7, &loss, &accuracy) != NNL_OK)
        return fail("held-out windows");
    printf("params=%lld\nvocab=%lld\npretrain_s=%.2f\npretrain_tokens_per_s=%.0f\nmlm_loss=%.4f\nmlm_accuracy=%.4f\n",
           (long long)nnl_model_param_count(*out), (long long)c->vocab, seconds,
           (double)(iters * PRETRAIN_BATCH * BLOCK) / seconds, loss, accuracy);
    fflush(stdout);
    return 0;
}

static int pretrain(const data *d, const bert_config *c, int64_t iters, nnl_model **out)
{
    nnl_dataset *train = NULL, *held_out = NULL;
    int rc = nnl_dataset_masked_lm_framed(&train, d->text, NNL_SPLIT_TRAIN, BLOCK, 0.15f, 1) == NNL_OK &&
                     nnl_dataset_masked_lm_framed(&held_out, d->text, NNL_SPLIT_VALIDATION, BLOCK, 0.15f, 2) == NNL_OK
                 ? pretrain_on(c, iters, train, held_out, out)
                 : fail("masked windows");
    nnl_dataset_free(train);
    nnl_dataset_free(held_out);
    return rc;
}

int main(int argc, char **argv)
{
    const char *dir = "data/classics-zh";
    long long iters = 2000, epochs = 10, seeds = 3, threads = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--data") == 0) dir = argv[i + 1];
        else if (strcmp(argv[i], "--iters") == 0) iters = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--epochs") == 0) epochs = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--seeds") == 0) seeds = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0) threads = atoll(argv[i + 1]);
        else return fprintf(stderr, "bench_bert: unknown option %s\n", argv[i]), 2;
    }
    if (iters < 1 || epochs < 1 || seeds < 1 || nnl_set_num_threads((int)threads) != NNL_OK)
        return fprintf(stderr, "bench_bert: --iters, --epochs, --seeds and --threads must be positive\n"), 2;
    data d = {NULL, NULL, NULL};
    nnl_model *pretrained = NULL;
    bert_config c = {0, 4, 4, 128, POSITIONS, 0.1f, 1337};
    int rc = load(dir, &d);
    if (rc == 0) {
        c.vocab = nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(d.text));
        printf("impl=nnlite\nthreads=%lld\niters=%lld\nepochs=%lld\nseeds=%lld\n", threads, iters, epochs, seeds);
        rc = pretrain(&d, &c, iters, &pretrained);
    }
    double tuned[2] = {0, 0}, scratch[2] = {0, 0}, speed = 0.0, ignored;
    for (long long s = 1; rc == 0 && s <= seeds; s++) {
        c.seed = (uint64_t)s;
        rc = finetune(&d, &c, pretrained, epochs, tuned, s == 1 ? &speed : &ignored);
        if (rc == 0)
            rc = finetune(&d, &c, NULL, epochs, scratch, &ignored);
    }
    if (rc == 0)
        printf("finetune_samples_per_s=%.1f\nfinetune_accuracy=%.4f\nfinetune_macro_f1=%.4f\nscratch_accuracy=%.4f\n"
               "scratch_macro_f1=%.4f\n", speed, tuned[0] / (double)seeds, tuned[1] / (double)seeds,
               scratch[0] / (double)seeds, scratch[1] / (double)seeds);
    nnl_model_free(pretrained);
    nnl_dataset_free(d.train);
    nnl_dataset_free(d.test);
    nnl_text_dataset_free(d.text);
    return rc;
}
