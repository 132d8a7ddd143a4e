/* Benchmark: issue 13's character-level recurrent language model on
 * fortunes-zh `chinese`, the same config and data split as
 * bench/torch/char_rnn.py (run both with bench/run-char-rnn.sh):
 * embedding 128 -> 2 x LSTM/GRU/RNN of hidden 128 (every step) -> dense(V),
 * windows of 64, batch 16, Adam lr 2e-3 with 100 warmup steps (a tenth of
 * the run when it has 100 steps or fewer) and cosine decay to 2e-4 at the
 * last step, gradient clipping 1.0, 2000 steps; PyTorch's initialisation
 * (examples/common/char_model.c, the model examples/char_rnn trains). Prints key=value lines:
 *   train_tokens_per_s  training throughput over all steps (no validation during training)
 *   train_cpu_s         CPU time of the process (all threads) while training: on a shared
 *                       machine tokens per CPU second compare work, where wall time varies
 *                       with the neighbours (meaningful at --threads 1, where no thread waits)
 *   val_loss            mean loss over 50 random validation batches after training
 *   gen_tokens_per_s    generation with the recurrent state carried (500 tokens after "今天")
 * Usage: bench_char_rnn [--cell lstm|gru|rnn] [--iters N] [--hidden N] [--batch N]
 *                       [--threads N] [--corpus FILE] [--save FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nnlite.h>

#include "common/char_model.h"

#include "bench_cpu.h"

enum { EMBD = 128, LAYERS = 2, SEQ = 64, VAL_BATCHES = 50, GEN_TOKENS = 500 };

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) { return clock_seconds(CLOCK_MONOTONIC); }

static int count_token(int32_t token, void *user)
{
    (void)token;
    ++*(long long *)user;
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_char_rnn: %s: %s\n", what, nnl_last_error());
    return 1;
}

/* The model examples/char_rnn trains, with the benchmark's schedule:
 * 100 warmup steps (a tenth of a run of 100 steps or fewer), cosine to 2e-4. */
static nnl_status make_model(const char *cell, long long hidden, long long iters, int64_t vocab, nnl_model **out)
{
    const char_model_config c = {char_model_cell(cell), SEQ, EMBD, hidden, LAYERS, iters,
                                 iters > 100 ? 100 : iters / 10, 2e-3, 2e-4, 1337};
    return char_model_create(out, &c, vocab);
}

static int encode(const nnl_tokenizer *tokenizer, const char *text, int32_t *ids, int64_t capacity, int64_t *count)
{
    return nnl_tokenizer_encode(tokenizer, text, strlen(text), NNL_TEXT_STRICT, ids, capacity, count) == NNL_OK;
}

int main(int argc, char **argv)
{
    const char *corpus = "/usr/share/games/fortunes/chinese", *cell = "lstm", *save = NULL;
    long long iters = 2000, hidden = 128, batch = 16, threads = 2;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) return fprintf(stderr, "bench_char_rnn: %s needs a value\n", argv[i]), 2;
        if (strcmp(argv[i], "--corpus") == 0) corpus = argv[i + 1];
        else if (strcmp(argv[i], "--cell") == 0) cell = argv[i + 1];
        else if (strcmp(argv[i], "--iters") == 0) iters = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--hidden") == 0) hidden = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--batch") == 0) batch = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0) threads = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--save") == 0) save = argv[i + 1];
        else return fprintf(stderr, "bench_char_rnn: unknown option %s\n", argv[i]), 2;
    }
    if (strcmp(cell, "lstm") != 0 && strcmp(cell, "gru") != 0 && strcmp(cell, "rnn") != 0)
        return fprintf(stderr, "bench_char_rnn: --cell is lstm, gru or rnn\n"), 2;
    if (iters < 1 || hidden < 1 || batch < 1)
        return fprintf(stderr, "bench_char_rnn: --iters, --hidden and --batch must be positive\n"), 2;
    if (nnl_set_num_threads((int)threads) != NNL_OK)
        return fail("--threads");
    nnl_text_dataset *text;
    if (nnl_text_dataset_load(&text, corpus, NULL, NNL_TEXT_STRIP_ANSI, 1) != NNL_OK)
        return fail("corpus");
    const nnl_tokenizer *tokenizer = nnl_text_dataset_tokenizer(text);
    nnl_model *m;
    if (make_model(cell, hidden, iters, nnl_tokenizer_vocab_size(tokenizer), &m) != NNL_OK)
        return fail("model");
    nnl_dataset *train, *validation;
    if (nnl_dataset_from_text(&train, text, NNL_SPLIT_TRAIN, SEQ) != NNL_OK ||
        nnl_dataset_from_text(&validation, text, NNL_SPLIT_VALIDATION, SEQ) != NNL_OK)
        return fail("windows");
    nnl_fit_options fit = NNL_FIT_OPTIONS_INIT;
    fit.steps = iters;
    fit.batch_size = batch;
    fit.seed = 1337;
    double t0 = now(), cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    if (nnl_model_fit_with(m, train, &fit) != NNL_OK)
        return fail("train");
    double train_s = now() - t0, train_cpu_s = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    double val_loss;
    if (nnl_model_evaluate_sampled(m, validation, VAL_BATCHES, batch, 4242, &val_loss, NULL) != NNL_OK)
        return fail("evaluate");
    if (save && nnl_model_save(m, save, NNL_SAVE_WEIGHTS) != NNL_OK)
        return fail("save");
    int32_t prompt[8];
    int64_t length;
    if (!encode(tokenizer, "今天", prompt, 8, &length))
        return fail("prompt");
    nnl_generate_options gen = NNL_GENERATE_OPTIONS_INIT; /* temperature 0.8, top-k 200 */
    gen.max_tokens = GEN_TOKENS;
    long long generated = 0;
    t0 = now();
    if (nnl_model_generate(m, prompt, length, &gen, count_token, &generated) != NNL_OK)
        return fail("generate");
    double gen_s = now() - t0;
    printf("impl=nnlite\ncpu=%s\ncell=%s\nhidden=%lld\nbatch=%lld\nsimd=%s\nthreads=%lld\niters=%lld\nparams=%lld\n"
           "vocab=%lld\n",
           bench_cpu_model(), cell, hidden, batch, nnl_simd_name(nnl_simd_level()), threads, iters,
           (long long)nnl_model_param_count(m), (long long)nnl_tokenizer_vocab_size(tokenizer));
    printf("train_s=%.2f\ntrain_cpu_s=%.2f\ntrain_tokens_per_s=%.0f\nval_loss=%.4f\ngen_tokens=%lld\n"
           "gen_tokens_per_s=%.0f\n", train_s, train_cpu_s, (double)iters * (double)batch * SEQ / train_s, val_loss,
           generated, (double)generated / gen_s);
    nnl_dataset_free(train);
    nnl_dataset_free(validation);
    nnl_model_free(m);
    nnl_text_dataset_free(text);
    return 0;
}
