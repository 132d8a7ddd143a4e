/* Benchmark: nanoGPT's CPU "baby" character model on fortunes-zh `chinese`,
 * the same setting and data split as bench/torch/gpt.py (run both with
 * bench/run-gpt.sh). Prints key=value lines:
 *   train_tokens_per_s  training throughput over all steps
 *   val_loss            mean loss over 50 validation batches of 12 after training
 *   gen_tokens_per_s    generation with the KV cache (500 tokens after "今天")
 * Usage: bench_gpt [--corpus FILE] [--iters N] [--threads N] [--save FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nnlite.h>

#include "bench_cpu.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int count_token(const char *piece, int32_t token, void *user)
{
    (void)piece, (void)token;
    ++*(long long *)user;
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_gpt: %s: %s\n", what, nnl_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    const char *corpus = "/usr/share/games/fortunes/chinese", *save = NULL;
    long long iters = 2000, threads = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--corpus") == 0) corpus = argv[i + 1];
        else if (strcmp(argv[i], "--iters") == 0) iters = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0) threads = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--save") == 0) save = argv[i + 1];
        else return fprintf(stderr, "bench_gpt: unknown option %s\n", argv[i]), 2;
    }
    if (nnl_set_num_threads((int)threads) != NNL_OK)
        return fail("--threads");
    nnl_text_dataset *data;
    if (nnl_text_dataset_load(&data, corpus, NULL, NNL_TEXT_STRIP_ANSI, 1) != NNL_OK)
        return fail("corpus");
    nnl_gpt_config config = NNL_GPT_CONFIG_INIT; /* 4 layers, 4 heads, 128 dims, block 64, dropout 0 */
    nnl_gpt *gpt;
    if (nnl_gpt_create(&gpt, &config, nnl_text_dataset_tokenizer(data)) != NNL_OK)
        return fail("create");
    nnl_gpt_train_options opts = NNL_GPT_TRAIN_OPTIONS_INIT; /* lr 1e-3 -> 1e-4, warmup 100, wd 0.1, clip 1 */
    opts.iters = iters;
    opts.batch_size = 12;
    opts.eval_interval = 0;
    opts.warmup_iters = iters < 1000 ? iters / 10 : 100; /* short runs (smoke tests) keep the schedule's shape */
    double t0 = now();
    if (nnl_gpt_train(gpt, data, &opts) != NNL_OK)
        return fail("train");
    double train_s = now() - t0;
    double val_loss;
    if (nnl_gpt_evaluate(gpt, data, NNL_SPLIT_VALIDATION, 50, 12, 4242, &val_loss) != NNL_OK)
        return fail("evaluate");
    if (save && nnl_gpt_save(gpt, save, NNL_GPT_SAVE_WEIGHTS) != NNL_OK)
        return fail("save");
    nnl_gpt_generate_options gen = NNL_GPT_GENERATE_OPTIONS_INIT;
    gen.max_tokens = 500;
    long long generated = 0;
    t0 = now();
    if (nnl_gpt_generate(gpt, "今天", &gen, count_token, &generated) != NNL_OK)
        return fail("generate");
    double gen_s = now() - t0;
    printf("impl=nnlite\ncpu=%s\nsimd=%s\nthreads=%lld\niters=%lld\nparams=%lld\nvocab=%lld\n",
           bench_cpu_model(), nnl_simd_name(nnl_simd_level()), threads, iters, (long long)nnl_gpt_param_count(gpt),
           (long long)nnl_tokenizer_vocab_size(nnl_gpt_tokenizer(gpt)));
    printf("train_s=%.2f\ntrain_tokens_per_s=%.0f\nval_loss=%.4f\ngen_tokens=%lld\ngen_tokens_per_s=%.0f\n", train_s,
           (double)iters * 12 * 64 / train_s, val_loss, generated, (double)generated / gen_s);
    nnl_gpt_free(gpt);
    nnl_text_dataset_free(data);
    return 0;
}
