/* gpt: train a character-level GPT on a UTF-8 corpus, and generate text.
 *
 *   gpt train --corpus FILE --save FILE [--iters N] [--layers N] [--heads N]
 *             [--embd N] [--block N] [--batch N] [--lr X] [--dropout X]
 *             [--threads N] [--seed N] [--resume FILE] [--log FILE.csv] [--curves FILE.png]
 *   gpt generate --model FILE --prompt TEXT [--tokens N] [--temperature X]
 *             [--top-k N] [--top-p X] [--seed N] [--attention FILE.png]
 *
 * The corpus defaults to Debian's fortunes-zh (/usr/share/games/fortunes/
 * chinese); ANSI colour escapes are stripped; the model goes to
 * out/gpt.safetensors unless --save says otherwise. The last line of `train` is
 * "val_loss=x.xxxx tokens_per_s=x" (validation loss over 50 batches).
 * `generate --attention` draws what the model attended to over the prompt
 * and the generated text (its last block-size tokens): one heat map per
 * layer and head. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nnlite.h>

#include "common/attention_picture.h"
#include "common/cli.h"
#include "common/training_curves.h"

typedef struct train_args {
    const char *corpus, *save, *resume;
    const char *log, *curves; /* the training history as CSV and as curves, or NULL */
    int64_t iters, layers, heads, embd, block, batch, threads, seed;
    double lr, dropout;
} train_args;

typedef struct generate_args {
    const char *model, *prompt, *attention;
    int64_t tokens, top_k, seed;
    double temperature, top_p;
} generate_args;

static int usage(void)
{
    fputs("usage: gpt train [--corpus FILE] [--save FILE] [--iters N] [--layers N] [--heads N]\n"
          "                 [--embd N] [--block N] [--batch N] [--lr X] [--dropout X]\n"
          "                 [--threads N] [--seed N] [--resume FILE] [--log FILE.csv] [--curves FILE.png]\n"
          "       gpt generate --model FILE [--prompt TEXT] [--tokens N] [--temperature X]\n"
          "                 [--top-k N] [--top-p X] [--seed N] [--attention FILE.png]\n",
          stderr);
    return 2;
}

static int fail(const char *what, nnl_status st)
{
    fprintf(stderr, "gpt: %s: %s: %s\n", what, nnl_status_str(st), nnl_last_error());
    return 1;
}

static int parse_train(int argc, char **argv, train_args *a)
{
    const cli_option table[] = {
        {"--corpus", CLI_STRING, &a->corpus}, {"--save", CLI_STRING, &a->save},
        {"--resume", CLI_STRING, &a->resume}, {"--iters", CLI_INT, &a->iters},
        {"--layers", CLI_INT, &a->layers},    {"--heads", CLI_INT, &a->heads},
        {"--embd", CLI_INT, &a->embd},        {"--block", CLI_INT, &a->block},
        {"--batch", CLI_INT, &a->batch},      {"--threads", CLI_INT, &a->threads},
        {"--seed", CLI_INT, &a->seed},        {"--lr", CLI_REAL, &a->lr},
        {"--dropout", CLI_REAL, &a->dropout}, {"--log", CLI_STRING, &a->log},
        {"--curves", CLI_STRING, &a->curves},
    };
    if (cli_parse("gpt train", argc, argv, 2, table, CLI_COUNT(table), NULL, 0, NULL) != 0)
        return -1;
    const char *outputs[] = {a->save, a->log, a->curves};
    if (cli_make_parent_dirs("gpt train", outputs, CLI_COUNT(outputs)) != 0)
        return -1;
    return 0;
}

static int parse_generate(int argc, char **argv, generate_args *a)
{
    const cli_option table[] = {
        {"--model", CLI_STRING, &a->model},        {"--prompt", CLI_STRING, &a->prompt},
        {"--tokens", CLI_INT, &a->tokens},         {"--top-k", CLI_INT, &a->top_k},
        {"--seed", CLI_INT, &a->seed},             {"--temperature", CLI_REAL, &a->temperature},
        {"--top-p", CLI_REAL, &a->top_p},          {"--attention", CLI_STRING, &a->attention},
    };
    if (cli_parse("gpt generate", argc, argv, 2, table, CLI_COUNT(table), NULL, 0, NULL) != 0)
        return -1;
    if (!a->model) {
        fprintf(stderr, "gpt generate: --model is required\n");
        return -1;
    }
    return a->attention ? cli_make_parent_dir("gpt generate", a->attention) : 0;
}

/* Progress: a line every 100 steps and at every validation. */
static int on_progress(const nnl_gpt_progress *p, void *user)
{
    double *tokens_per_s = user;
    double step = nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_STEP);
    double val = nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_VAL_LOSS);
    *tokens_per_s = nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_TOKENS_PER_S);
    if ((long long)step % 100 != 0 && val != val)
        return 0;
    printf("step %5.0f/%.0f  loss %.4f", step, nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_STEPS),
           nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_LOSS));
    if (val == val)
        printf("  val %.4f", val);
    printf("  lr %.2e  %.0f tok/s  ETA %.0fs\n", nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_LEARNING_RATE),
           *tokens_per_s, nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_ETA));
    fflush(stdout);
    return 0;
}

static int make_model(const train_args *a, const nnl_text_dataset *data, nnl_gpt **gpt)
{
    nnl_status st;
    if (a->resume) {
        if ((st = nnl_gpt_load(gpt, a->resume)) != NNL_OK)
            return fail("loading the checkpoint", st);
        printf("resuming %s at step %lld\n", a->resume, (long long)nnl_gpt_step(*gpt));
        return 0;
    }
    nnl_gpt_config config = NNL_GPT_CONFIG_INIT;
    config.n_layer = a->layers;
    config.n_head = a->heads;
    config.n_embd = a->embd;
    config.block_size = a->block;
    config.dropout = (float)a->dropout;
    config.seed = (uint64_t)a->seed;
    if ((st = nnl_gpt_create(gpt, &config, nnl_text_dataset_tokenizer(data))) != NNL_OK)
        return fail("creating the model", st);
    return 0;
}

static int load_corpus(const char *corpus, const nnl_gpt *resumed, long long seed, nnl_text_dataset **data)
{
    nnl_status st = nnl_text_dataset_load(data, corpus, resumed ? nnl_gpt_tokenizer(resumed) : NULL,
                                          NNL_TEXT_STRIP_ANSI, (uint64_t)seed);
    if (st != NNL_OK)
        return fail("loading the corpus", st);
    printf("corpus %s: %lld training and %lld validation characters, vocabulary %lld\n", corpus,
           (long long)nnl_text_dataset_length(*data, NNL_SPLIT_TRAIN),
           (long long)nnl_text_dataset_length(*data, NNL_SPLIT_VALIDATION),
           (long long)nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(*data)));
    return 0;
}

static int train(int argc, char **argv)
{
    train_args a = {"/usr/share/games/fortunes/chinese", "out/gpt.safetensors", NULL, NULL, NULL, 2000, 4, 4, 128, 64, 12, 0,
                    1337, 1e-3, 0.0};
    if (parse_train(argc, argv, &a) != 0)
        return usage();
    if (a.threads > 0 && nnl_set_num_threads((int)a.threads) != NNL_OK)
        return fail("--threads", NNL_E_INVALID_ARG);
    nnl_gpt *gpt = NULL;
    nnl_text_dataset *data = NULL;
    int rc = 0;
    if (a.resume)
        rc = make_model(&a, NULL, &gpt);
    if (rc == 0)
        rc = load_corpus(a.corpus, gpt, a.seed, &data);
    if (rc == 0 && !gpt)
        rc = make_model(&a, data, &gpt);
    if (rc == 0) {
        char summary[4096];
        nnl_gpt_summary(gpt, summary, sizeof summary, NULL);
        fputs(summary, stdout);
        nnl_gpt_train_options opts = NNL_GPT_TRAIN_OPTIONS_INIT;
        double tokens_per_s = 0.0, val_loss = 0.0;
        opts.iters = a.iters;
        opts.batch_size = a.batch;
        opts.learning_rate = (float)a.lr;
        opts.min_lr = (float)a.lr / 10.0f;
        opts.warmup_iters = a.iters < 1000 ? a.iters / 10 : 100;
        opts.progress = on_progress;
        opts.user = &tokens_per_s;
        nnl_status st = nnl_gpt_train(gpt, data, &opts);
        if (st == NNL_OK)
            st = nnl_gpt_save(gpt, a.save, NNL_GPT_SAVE_TRAINING);
        if (st == NNL_OK)
            st = nnl_gpt_evaluate(gpt, data, NNL_SPLIT_VALIDATION, 50, a.batch, 4242, &val_loss);
        if (st != NNL_OK)
            rc = fail("training", st);
        else if ((rc = training_outputs_write("gpt", nnl_model_history(nnl_gpt_model(gpt)), a.log, a.curves,
                                              "Character-level GPT")) == 0)
            printf("saved %s\nval_loss=%.4f tokens_per_s=%.0f\n", a.save, val_loss, tokens_per_s);
    }
    nnl_text_dataset_free(data);
    nnl_gpt_free(gpt);
    return rc;
}

/* The text so far: its token ids, kept for the attention picture. */
typedef struct generated {
    int32_t *ids;
    int64_t count, capacity;
    int out_of_memory;  /* a token could not be kept: generation stopped there */
} generated;

static int keep_token(generated *g, int32_t token)
{
    if (g->count == g->capacity) {
        int64_t capacity = g->capacity ? 2 * g->capacity : 256;
        int32_t *grown = realloc(g->ids, sizeof(int32_t) * (size_t)capacity);
        if (!grown) {
            g->out_of_memory = 1;
            return -1;
        }
        g->ids = grown;
        g->capacity = capacity;
    }
    g->ids[g->count++] = token;
    return 0;
}

static int print_piece(const char *piece, int32_t token, void *user)
{
    fputs(piece, stdout);
    fflush(stdout);
    return keep_token(user, token);
}

static int encode_prompt(const nnl_gpt *gpt, const char *prompt, generated *g)
{
    int64_t count;
    nnl_status st = nnl_tokenizer_encode(nnl_gpt_tokenizer(gpt), prompt, strlen(prompt), 0, NULL, 0, &count);
    for (int64_t i = 0; st == NNL_OK && i < count; i++)
        if (keep_token(g, 0) != 0)
            st = NNL_E_NOMEM;
    if (st == NNL_OK)
        st = nnl_tokenizer_encode(nnl_gpt_tokenizer(gpt), prompt, strlen(prompt), 0, g->ids, count, &count);
    return st == NNL_OK ? 0 : fail("encoding the prompt", st);
}

/* A token's text as a picture shows it: line breaks, tabs and spaces as visible signs. */
static const char *visible(const char *piece)
{
    if (strcmp(piece, "\n") == 0)
        return "↵";
    if (strcmp(piece, "\t") == 0)
        return "⇥";
    return strcmp(piece, " ") == 0 ? "␣" : piece;
}

/* One heat map per layer and head over the last block-size tokens of g. */
static int write_attention(nnl_gpt *gpt, const generated *g, const char *path)
{
    nnl_model *model = nnl_gpt_model(gpt);
    nnl_gpt_config config = NNL_GPT_CONFIG_INIT;
    nnl_status st = nnl_gpt_get_config(gpt, &config);
    int64_t n = g->count < config.block_size ? g->count : config.block_size, layers = 0, heads = 0;
    const int32_t *ids = g->ids + (g->count - n);
    if (st == NNL_OK)
        st = nnl_model_attention_weights(model, ids, n, NULL, 0, &layers, &heads);
    float *weights = st == NNL_OK ? malloc(sizeof(float) * (size_t)(layers * heads * n * n)) : NULL;
    const char **labels = malloc(sizeof(char *) * (size_t)n);
    if (st == NNL_OK && (!weights || !labels))
        st = NNL_E_NOMEM;
    if (st == NNL_OK)
        st = nnl_model_attention_weights(model, ids, n, weights, layers * heads * n * n, NULL, NULL);
    int rc = st == NNL_OK ? 0 : fail("reading the attention weights", st);
    for (int64_t i = 0; rc == 0 && i < n; i++)
        labels[i] = visible(nnl_tokenizer_piece(nnl_gpt_tokenizer(gpt), ids[i]));
    if (rc == 0 && attention_picture_write(path, weights, (int)layers, (int)heads, (int)n, labels) != 0) {
        fprintf(stderr, "gpt generate: cannot write %s\n", path);
        rc = 1;
    }
    if (rc == 0)
        fprintf(stderr, "attention (layers x heads: %lld x %lld) over %lld tokens: %s\n", (long long)layers,
                (long long)heads, (long long)n, path);
    free(weights);
    free(labels);
    return rc;
}

static int generate(int argc, char **argv)
{
    generate_args a = {NULL, "今天", NULL, 200, 200, 1, 0.8, 1.0};
    if (parse_generate(argc, argv, &a) != 0)
        return usage();
    nnl_gpt *gpt;
    nnl_status st = nnl_gpt_load(&gpt, a.model);
    if (st != NNL_OK)
        return fail("loading the model", st);
    nnl_gpt_generate_options opts = NNL_GPT_GENERATE_OPTIONS_INIT;
    opts.max_tokens = a.tokens;
    opts.temperature = (float)a.temperature;
    opts.top_k = a.top_k;
    opts.top_p = (float)a.top_p;
    opts.seed = (uint64_t)a.seed;
    generated text = {NULL, 0, 0, 0};
    int rc = encode_prompt(gpt, a.prompt, &text);
    int64_t prompt_tokens = text.count;
    struct timespec t0, t1;
    fputs(a.prompt, stdout);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rc == 0 && (st = nnl_gpt_generate(gpt, a.prompt, &opts, print_piece, &text)) != NNL_OK)
        rc = fail("generating", st);
    if (rc == 0 && text.out_of_memory) {
        fprintf(stderr, "gpt generate: out of memory keeping the generated tokens\n");
        rc = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    putchar('\n');
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    long long count = (long long)(text.count - prompt_tokens);
    if (rc == 0)
        fprintf(stderr, "generated %lld tokens in %.3f s (%.0f tokens/s)\n", count, seconds,
                seconds > 0 ? (double)count / seconds : 0.0);
    if (rc == 0 && a.attention)
        rc = write_attention(gpt, &text, a.attention);
    free(text.ids);
    nnl_gpt_free(gpt);
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
