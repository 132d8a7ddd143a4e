/* char_rnn: a character-level recurrent language model (LSTM, GRU or tanh
 * RNN) on a UTF-8 corpus, trained by nnl_model_fit_with() like any model,
 * and text generation with the recurrent state carried from token to token.
 *
 *   char_rnn train [--cell lstm|gru|rnn] [--corpus FILE] [--save FILE] [--iters N]
 *             [--embd N] [--hidden N] [--layers N] [--seq N] [--batch N] [--lr X]
 *             [--threads N] [--seed N] [--log FILE.csv] [--curves FILE.png]
 *   char_rnn generate --model FILE [--prompt TEXT] [--corpus FILE] [--tokens N]
 *             [--temperature X] [--top-k N] [--top-p X] [--seed N]
 *
 * The model: embedding(V, embd) -> cell(hidden) x layers (every step's
 * output) -> dense(V) logits, softmax cross-entropy at every position; the
 * embedding and the output layer start as PyTorch's (examples/common/char_model.c). The
 * defaults are issue 13's benchmark config: embedding 128, 2 layers of
 * hidden 128, windows of 64 characters, batches of 16, Adam lr 2e-3 with 100
 * warmup steps and cosine decay to lr/10, gradient clipping 1.0, 2000 steps
 * (runs shorter than 1000 steps warm up for a tenth of them, as examples/gpt.c).
 *
 * The corpus defaults to Debian's fortunes-zh (/usr/share/games/fortunes/
 * chinese), ANSI colour escapes stripped; the vocabulary is its distinct code
 * points (plus the unknown token), its first 90% trains and the last 10%
 * validates. The model goes to out/char_rnn.safetensors unless --save says
 * otherwise. The last line of `train` is "val_loss=x.xxxx tokens_per_s=N"
 * (validation loss: mean over 50 random validation batches).
 *
 * The model file holds no vocabulary: `generate` rebuilds it from the corpus
 * the model was trained on (--corpus, the same default), which gives the same
 * ids every time, and refuses a corpus whose vocabulary does not match the
 * model's output width. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nnlite.h>

#include "common/char_model.h"
#include "common/cli.h"
#include "common/training_curves.h"

#define DEFAULT_CORPUS "/usr/share/games/fortunes/chinese"
#define VALIDATION_BATCHES 50
#define VALIDATION_INTERVAL 500
#define PROGRESS_INTERVAL 100

typedef struct train_args {
    const char *cell, *corpus, *save;
    const char *log, *curves; /* the training history as CSV and as curves, or NULL */
    int64_t iters, embd, hidden, layers, seq, batch, threads, seed;
    double lr;
} train_args;

typedef struct generate_args {
    const char *model, *prompt, *corpus;
    int64_t tokens, top_k, seed;
    double temperature, top_p;
} generate_args;

static int usage(void)
{
    fputs("usage: char_rnn train [--cell lstm|gru|rnn] [--corpus FILE] [--save FILE] [--iters N]\n"
          "                 [--embd N] [--hidden N] [--layers N] [--seq N] [--batch N] [--lr X]\n"
          "                 [--threads N] [--seed N] [--log FILE.csv] [--curves FILE.png]\n"
          "       char_rnn generate --model FILE [--prompt TEXT] [--corpus FILE] [--tokens N]\n"
          "                 [--temperature X] [--top-k N] [--top-p X] [--seed N]\n",
          stderr);
    return 2;
}

static int fail(const char *what, nnl_status st)
{
    fprintf(stderr, "char_rnn: %s: %s: %s\n", what, nnl_status_str(st), nnl_last_error());
    return 1;
}

static int parse_train(int argc, char **argv, train_args *a)
{
    const cli_option table[] = {
        {"--cell", CLI_STRING, &a->cell},     {"--corpus", CLI_STRING, &a->corpus},
        {"--save", CLI_STRING, &a->save},     {"--iters", CLI_INT, &a->iters},
        {"--embd", CLI_INT, &a->embd},        {"--hidden", CLI_INT, &a->hidden},
        {"--layers", CLI_INT, &a->layers},    {"--seq", CLI_INT, &a->seq},
        {"--batch", CLI_INT, &a->batch},      {"--threads", CLI_INT, &a->threads},
        {"--seed", CLI_INT, &a->seed},        {"--lr", CLI_REAL, &a->lr},
        {"--log", CLI_STRING, &a->log},       {"--curves", CLI_STRING, &a->curves},
    };
    if (cli_parse("char_rnn train", argc, argv, 2, table, CLI_COUNT(table), NULL, 0, NULL) != 0)
        return -1;
    if (!char_model_cell(a->cell)) {
        fprintf(stderr, "char_rnn train: --cell is lstm, gru or rnn, got '%s'\n", a->cell);
        return -1;
    }
    if (a->iters < 1 || a->embd < 1 || a->hidden < 1 || a->layers < 1 || a->seq < 1 || a->batch < 1 ||
        a->threads < 0 || !(a->lr > 0.0)) {
        fprintf(stderr, "char_rnn train: --iters, --embd, --hidden, --layers, --seq, --batch and --lr must be "
                        "positive (--threads >= 0)\n");
        return -1;
    }
    const char *outputs[] = {a->save, a->log, a->curves};
    if (cli_make_parent_dirs("char_rnn train", outputs, CLI_COUNT(outputs)) != 0)
        return -1;
    return 0;
}

static int parse_generate(int argc, char **argv, generate_args *a)
{
    const cli_option table[] = {
        {"--model", CLI_STRING, &a->model},        {"--prompt", CLI_STRING, &a->prompt},
        {"--corpus", CLI_STRING, &a->corpus},      {"--tokens", CLI_INT, &a->tokens},
        {"--top-k", CLI_INT, &a->top_k},           {"--seed", CLI_INT, &a->seed},
        {"--temperature", CLI_REAL, &a->temperature}, {"--top-p", CLI_REAL, &a->top_p},
    };
    if (cli_parse("char_rnn generate", argc, argv, 2, table, CLI_COUNT(table), NULL, 0, NULL) != 0)
        return -1;
    if (!a->model) {
        fprintf(stderr, "char_rnn generate: --model is required\n");
        return -1;
    }
    if (a->prompt[0] == '\0') {
        fprintf(stderr, "char_rnn generate: --prompt must have at least one character\n");
        return -1;
    }
    return 0;
}

static int load_corpus(const char *corpus, long long seed, int verbose, nnl_text_dataset **text)
{
    nnl_status st = nnl_text_dataset_load(text, corpus, NULL, NNL_TEXT_STRIP_ANSI, (uint64_t)seed);
    if (st != NNL_OK)
        return fail("loading the corpus", st);
    if (verbose)
        printf("corpus %s: %lld training and %lld validation characters, vocabulary %lld\n", corpus,
               (long long)nnl_text_dataset_length(*text, NNL_SPLIT_TRAIN),
               (long long)nnl_text_dataset_length(*text, NNL_SPLIT_VALIDATION),
               (long long)nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(*text)));
    return 0;
}

static nnl_status make_model(const train_args *a, int64_t vocab, nnl_model **out)
{
    const char_model_config c = {char_model_cell(a->cell), a->seq, a->embd, a->hidden, a->layers, a->iters,
                                 a->iters < 1000 ? a->iters / 10 : 100, a->lr, a->lr / 10.0, (uint64_t)a->seed};
    return char_model_create(out, &c, vocab);
}

typedef struct progress_state {
    int64_t seq;
    double loss_sum; /* step losses since the last line */
    int64_t loss_count;
    double tokens_per_s, val_loss;
} progress_state;

/* A line every 100 steps and at every validation: the mean step loss since
 * the previous line, the validation loss when fit computed one. */
static int on_progress(const nnl_progress *p, void *user)
{
    progress_state *s = user;
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) != 0)
        return 0; /* steps mode's closing report repeats the last step's */
    double step = nnl_progress_get(p, NNL_PROGRESS_STEP), steps = nnl_progress_get(p, NNL_PROGRESS_BATCHES);
    double val = nnl_progress_get(p, NNL_PROGRESS_VAL_LOSS), elapsed = nnl_progress_get(p, NNL_PROGRESS_TOTAL_ELAPSED);
    s->loss_sum += nnl_progress_get(p, NNL_PROGRESS_STEP_LOSS);
    s->loss_count++;
    s->tokens_per_s = nnl_progress_get(p, NNL_PROGRESS_SAMPLES_PER_S) * (double)s->seq;
    if (val == val)
        s->val_loss = val;
    if ((long long)step % PROGRESS_INTERVAL != 0 && val != val)
        return 0;
    printf("step %5.0f/%.0f  loss %.4f", step, steps, s->loss_sum / (double)s->loss_count);
    if (val == val)
        printf("  val %.4f", val);
    printf("  lr %.2e  %.0f tok/s  ETA %.0fs\n", nnl_progress_get(p, NNL_PROGRESS_LEARNING_RATE), s->tokens_per_s,
           elapsed / nnl_progress_get(p, NNL_PROGRESS_BATCH) * (steps - nnl_progress_get(p, NNL_PROGRESS_BATCH)));
    fflush(stdout);
    s->loss_sum = 0.0;
    s->loss_count = 0;
    return 0;
}

static int fit(nnl_model *m, const train_args *a, const nnl_text_dataset *text)
{
    nnl_dataset *train = NULL, *validation = NULL;
    nnl_status st = nnl_dataset_from_text(&train, text, NNL_SPLIT_TRAIN, a->seq);
    if (st == NNL_OK)
        st = nnl_dataset_from_text(&validation, text, NNL_SPLIT_VALIDATION, a->seq);
    if (st != NNL_OK) {
        nnl_dataset_free(train);
        return fail("making the windows (is the corpus longer than --seq?)", st);
    }
    progress_state progress = {a->seq, 0.0, 0, 0.0, 0.0};
    nnl_fit_options opts = NNL_FIT_OPTIONS_INIT;
    opts.steps = a->iters;
    opts.batch_size = a->batch;
    opts.validation = validation;
    opts.validation_interval = VALIDATION_INTERVAL;
    opts.validation_batches = VALIDATION_BATCHES;
    opts.seed = (uint64_t)a->seed;
    opts.progress = on_progress;
    opts.user = &progress;
    opts.threads = (int)a->threads;
    st = nnl_model_fit_with(m, train, &opts);
    nnl_dataset_free(train);
    nnl_dataset_free(validation);
    if (st != NNL_OK)
        return fail("training", st);
    if ((st = nnl_model_save(m, a->save, NNL_SAVE_WEIGHTS)) != NNL_OK)
        return fail("saving the model", st);
    if (training_outputs_write("char_rnn", nnl_model_history(m), a->log, a->curves, "Character-level recurrent model") != 0)
        return 1;
    printf("saved %s\nval_loss=%.4f tokens_per_s=%.0f\n", a->save, progress.val_loss, progress.tokens_per_s);
    return 0;
}

static int train(int argc, char **argv)
{
    train_args a = {"lstm", DEFAULT_CORPUS, "out/char_rnn.safetensors", NULL, NULL, 2000, 128, 128, 2, 64, 16, 0, 1337, 2e-3};
    if (parse_train(argc, argv, &a) != 0)
        return usage();
    nnl_text_dataset *text = NULL;
    if (load_corpus(a.corpus, a.seed, 1, &text) != 0)
        return 1;
    nnl_model *m = NULL;
    int rc = 0;
    nnl_status st = make_model(&a, nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(text)), &m);
    if (st != NNL_OK)
        rc = fail("creating the model", st);
    if (rc == 0) {
        size_t length = 0;
        nnl_model_summary(m, NULL, 0, &length);
        char *summary = malloc(length + 1);
        if (summary && nnl_model_summary(m, summary, length + 1, NULL) == NNL_OK)
            fputs(summary, stdout);
        free(summary);
        printf("%s, %lld steps of %lld windows of %lld characters\n", a.cell, (long long)a.iters, (long long)a.batch,
               (long long)a.seq);
        fflush(stdout);
        rc = fit(m, &a, text);
    }
    nnl_model_free(m);
    nnl_text_dataset_free(text);
    return rc;
}

typedef struct printer {
    const nnl_tokenizer *tokenizer;
    long long count;
} printer;

static int print_piece(int32_t token, void *user)
{
    printer *p = user;
    fputs(nnl_tokenizer_piece(p->tokenizer, token), stdout);
    fflush(stdout);
    ++p->count;
    return 0;
}

/* The prompt's ids; characters outside the vocabulary become the unknown token. */
static int encode_prompt(const nnl_tokenizer *tokenizer, const char *prompt, int32_t **ids, int64_t *count)
{
    size_t length = strlen(prompt);
    nnl_status st = nnl_tokenizer_encode(tokenizer, prompt, length, NNL_TEXT_STRICT, NULL, 0, count);
    if (st == NNL_OK && !(*ids = malloc(sizeof(int32_t) * (size_t)*count)))
        st = NNL_E_NOMEM;
    if (st == NNL_OK)
        st = nnl_tokenizer_encode(tokenizer, prompt, length, NNL_TEXT_STRICT, *ids, *count, count);
    return st == NNL_OK ? 0 : fail("encoding the prompt", st);
}

/* The model's output width is its vocabulary: the corpus must give the same. */
static int check_vocabulary(const nnl_model *m, const generate_args *a, const nnl_tokenizer *tokenizer)
{
    int64_t dims[8];
    int ndim = 0;
    nnl_status st = nnl_model_output_shape(m, dims, 8, &ndim);
    if (st != NNL_OK)
        return fail("reading the model's output shape", st);
    int64_t vocab = nnl_tokenizer_vocab_size(tokenizer);
    if (dims[ndim - 1] != vocab) {
        fprintf(stderr,
                "char_rnn generate: %s has a vocabulary of %lld tokens but %s outputs %lld: the model file holds "
                "no vocabulary, so --corpus must be the file it was trained on\n",
                a->corpus, (long long)vocab, a->model, (long long)dims[ndim - 1]);
        return 1;
    }
    return 0;
}

static int generate(int argc, char **argv)
{
    generate_args a = {NULL, "今天", DEFAULT_CORPUS, 200, 200, 1, 0.8, 1.0};
    if (parse_generate(argc, argv, &a) != 0)
        return usage();
    nnl_model *m = NULL;
    nnl_status st = nnl_model_load(&m, a.model);
    if (st != NNL_OK)
        return fail("loading the model", st);
    nnl_text_dataset *text = NULL;
    int32_t *ids = NULL;
    int64_t count = 0;
    int rc = load_corpus(a.corpus, 1, 0, &text);
    const nnl_tokenizer *tokenizer = text ? nnl_text_dataset_tokenizer(text) : NULL;
    if (rc == 0)
        rc = check_vocabulary(m, &a, tokenizer);
    if (rc == 0)
        rc = encode_prompt(tokenizer, a.prompt, &ids, &count);
    if (rc == 0) {
        nnl_generate_options opts = NNL_GENERATE_OPTIONS_INIT;
        opts.max_tokens = a.tokens;
        opts.temperature = (float)a.temperature;
        opts.top_k = a.top_k;
        opts.top_p = (float)a.top_p;
        opts.seed = (uint64_t)a.seed;
        printer out = {tokenizer, 0};
        struct timespec t0, t1;
        fputs(a.prompt, stdout);
        fflush(stdout);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = nnl_model_generate(m, ids, count, &opts, print_piece, &out);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        putchar('\n');
        if (st != NNL_OK) {
            rc = fail("generating", st);
        } else {
            double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
            fprintf(stderr, "generated %lld tokens in %.3f s (%.0f tokens/s)\n", out.count, seconds,
                    seconds > 0 ? (double)out.count / seconds : 0.0);
        }
    }
    free(ids);
    nnl_text_dataset_free(text);
    nnl_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "train") == 0)
        return train(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "generate") == 0)
        return generate(argc, argv);
    return usage();
}
