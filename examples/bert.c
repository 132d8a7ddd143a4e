/* bert: a BERT-style encoder on Chinese text. Pretraining as a masked
 * language model, then fine-tuning to classify text ("which classic is this
 * line from?"), then predicting the class of a line.
 *
 *   bert pretrain [--corpus FILE] [--exclude TEST_TSV] [--save FILE] [--iters N] [--layers N] [--heads N]
 *                 [--embd N] [--block N] [--batch N] [--lr X] [--threads N] [--seed N] [--log FILE.csv] [--curves FILE.png]
 *   bert classify [--train TSV] [--test TSV] (--model PRETRAINED | --from-scratch) [--corpus FILE]
 *                 [--epochs N] [--batch N] [--lr X] [--layers N --heads N --embd N] [--threads N] [--seed N]
 *                 [--save FILE]
 *                 [--log FILE.csv] [--curves FILE.png] [--confusion FILE.png]
 *   bert predict --model FILE "text"
 *
 * The data are scripts/fetch-data's data/classics-zh/: pretrain.txt (the
 * fortunes-zh file without the test entries, so pretraining never sees a
 * test line), train.tsv and test.tsv. The vocabulary is the corpus's code
 * points after [PAD] [CLS] [SEP] [MASK] ([UNK] is id 0); it travels in the
 * model files.
 *
 * --exclude TEST_TSV drops from the corpus every `%`-separated entry whose
 * text (without its `--` attribution line) is a line of TEST_TSV, and says
 * how many (examples/common/corpus_exclude.h): the way to pretrain on the
 * fortunes file itself without the test lines.
 *
 * Pretraining: masked-LM windows of --block tokens framed as the classifier's
 * input, [CLS] text [SEP] (15% of the text positions chosen, 80/10/10), AdamW (weight decay 0.01) with 100 warmup steps and cosine decay
 * to lr/10, clipping 1.0, dropout 0.1; position embeddings for 128 tokens.
 * The last line is "mlm_loss=x.xxxx mlm_accuracy=x.xxxx tokens_per_s=N", the
 * loss and accuracy on the masked positions of 50 batches of held-out windows
 * (the corpus's last 10%).
 *
 * Classification: "[CLS] text [SEP]" truncated to 128 tokens and padded with
 * [PAD] (which the encoder does not attend to; each batch runs on its
 * longest line); the encoder starts from the pretrained one (--model, whose
 * file gives its layers, heads, width and vocabulary) or from scratch
 * (--from-scratch, of --layers, --heads and --embd, vocabulary from
 * --corpus); a dense softmax layer reads [CLS]. AdamW at a constant --lr,
 * dropout 0.1. Prints per-class
 * precision, recall and F1, the confusion matrix, and last
 * "test_accuracy=x.xxxx macro_f1=x.xxxx". The model file keeps the
 * vocabulary and the class names for `predict`.
 *
 * --log and --curves write the training history (CSV) and its curves; the
 * validation data are then the held-out windows (pretrain, every tenth of
 * the steps) or the test lines (classify, after each epoch). --confusion
 * draws classify's confusion matrix. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nnlite.h>

#include "common/bert_model.h"
#include "common/cli.h"
#include "common/confusion_picture.h"
#include "common/corpus_exclude.h"
#include "common/training_curves.h"

#define DATA "data/classics-zh/"
#define POSITIONS 128
#define DROPOUT 0.1f
#define VALIDATION_BATCHES 50

typedef struct args {
    const char *corpus, *save, *train, *test, *model;
    const char *log, *curves, *confusion; /* pictures and the history, or NULL */
    int64_t iters, layers, heads, embd, block, batch, epochs, threads, seed, from_scratch;
    double lr;
    const char *exclude; /* pretrain: the test tsv whose lines leave the corpus, or NULL */
} args;

static int usage(void)
{
    fputs("usage: bert pretrain [--corpus FILE] [--exclude TEST_TSV] [--save FILE] [--iters N] [--layers N]\n"
          "                     [--heads N] [--embd N] [--block N] [--batch N] [--lr X] [--threads N] [--seed N]\n"
          "                     [--log FILE.csv] [--curves FILE.png]\n"
          "       bert classify [--train TSV] [--test TSV] (--model PRETRAINED | --from-scratch) [--corpus FILE]\n"
          "                     [--epochs N] [--batch N] [--lr X] [--layers N --heads N --embd N (--from-scratch)]\n"
          "                     [--threads N] [--seed N] [--save FILE]\n"
          "                     [--log FILE.csv] [--curves FILE.png] [--confusion FILE.png]\n"
          "       bert predict --model FILE \"text\"\n",
          stderr);
    return 2;
}

static int fail(const char *what, nnl_status st)
{
    fprintf(stderr, "bert: %s: %s: %s\n", what, nnl_status_str(st), nnl_last_error());
    return 1;
}

static int parse(const char *program, int argc, char **argv, args *a)
{
    const cli_option table[] = {
        {"--corpus", CLI_STRING, &a->corpus}, {"--save", CLI_STRING, &a->save},
        {"--train", CLI_STRING, &a->train},   {"--test", CLI_STRING, &a->test},
        {"--model", CLI_STRING, &a->model},   {"--iters", CLI_INT, &a->iters},
        {"--layers", CLI_INT, &a->layers},    {"--heads", CLI_INT, &a->heads},
        {"--embd", CLI_INT, &a->embd},        {"--block", CLI_INT, &a->block},
        {"--batch", CLI_INT, &a->batch},      {"--epochs", CLI_INT, &a->epochs},
        {"--threads", CLI_INT, &a->threads},  {"--seed", CLI_INT, &a->seed},
        {"--lr", CLI_REAL, &a->lr},           {"--from-scratch", CLI_FLAG, &a->from_scratch},
        {"--log", CLI_STRING, &a->log},       {"--curves", CLI_STRING, &a->curves},
        {"--confusion", CLI_STRING, &a->confusion}, {"--exclude", CLI_STRING, &a->exclude},
    };
    if (cli_parse(program, argc, argv, 2, table, CLI_COUNT(table), NULL, 0, NULL) != 0)
        return -1;
    if (a->iters < 1 || a->layers < 1 || a->heads < 1 || a->embd < 1 || a->block < 3 || a->block > POSITIONS ||
        a->batch < 1 || a->epochs < 1 || a->threads < 0 || !(a->lr > 0.0)) {
        fprintf(stderr, "%s: --iters, --layers, --heads, --embd, --batch, --epochs and --lr must be positive, "
                        "--block 3..%d, --threads >= 0\n", program, POSITIONS);
        return -1;
    }
    if (a->threads > 0)
        nnl_set_num_threads((int)a->threads);
    const char *outputs[] = {a->save, a->log, a->curves, a->confusion};
    if (cli_make_parent_dirs(program, outputs, CLI_COUNT(outputs)) != 0)
        return -1;
    return 0;
}

/* ---- pretrain */

typedef struct progress_state {
    int64_t block;
    double tokens_per_s;
} progress_state;

static int on_pretrain_progress(const nnl_progress *p, void *user)
{
    progress_state *s = user;
    double step = nnl_progress_get(p, NNL_PROGRESS_STEP), steps = nnl_progress_get(p, NNL_PROGRESS_BATCHES);
    s->tokens_per_s = nnl_progress_get(p, NNL_PROGRESS_SAMPLES_PER_S) * (double)s->block;
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) == 0 && (long long)step % 100 == 0) {
        printf("step %5.0f/%.0f  mlm loss %.4f  lr %.2e  %.0f tok/s\n", step, steps,
               nnl_progress_get(p, NNL_PROGRESS_STEP_LOSS), nnl_progress_get(p, NNL_PROGRESS_LEARNING_RATE),
               s->tokens_per_s);
        fflush(stdout);
    }
    return 0;
}

static int pretrain_on(const args *a, const nnl_text_dataset *text, nnl_model *m)
{
    nnl_dataset *train = NULL, *held_out = NULL;
    nnl_status st = nnl_dataset_masked_lm_framed(&train, text, NNL_SPLIT_TRAIN, a->block, 0.15f, (uint64_t)a->seed);
    if (st == NNL_OK)
        st = nnl_dataset_masked_lm_framed(&held_out, text, NNL_SPLIT_VALIDATION, a->block, 0.15f, (uint64_t)a->seed + 1);
    progress_state progress = {a->block, 0.0};
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.steps = a->iters;
    o.batch_size = a->batch;
    o.seed = (uint64_t)a->seed;
    o.progress = on_pretrain_progress;
    o.user = &progress;
    if (a->log || a->curves) { /* validation for the curves */
        o.validation = held_out;
        o.validation_interval = a->iters >= 10 ? a->iters / 10 : 1;
        o.validation_batches = VALIDATION_BATCHES;
    }
    if (st == NNL_OK)
        st = nnl_model_fit_with(m, train, &o);
    double loss = NAN, accuracy = NAN;
    if (st == NNL_OK)
        st = nnl_model_evaluate_sampled(m, held_out, VALIDATION_BATCHES, a->batch, (uint64_t)a->seed, &loss,
                                        &accuracy);
    nnl_dataset_free(train);
    nnl_dataset_free(held_out);
    if (st != NNL_OK)
        return fail("pretraining", st);
    if ((st = nnl_model_save(m, a->save, NNL_SAVE_WEIGHTS)) != NNL_OK)
        return fail("saving the model", st);
    if (training_outputs_write("bert pretrain", nnl_model_history(m), a->log, a->curves,
                               "BERT-style encoder: masked-language-model pretraining") != 0)
        return 1;
    printf("saved %s\nmlm_loss=%.4f mlm_accuracy=%.4f tokens_per_s=%.0f\n", a->save, loss, accuracy,
           progress.tokens_per_s);
    return 0;
}

/* The corpus, without the entries that are lines of a->exclude when given
 * (written to a temporary file for the loader, removed after). */
static nnl_status load_corpus(const args *a, nnl_text_dataset **text)
{
    const unsigned flags = NNL_TEXT_STRIP_ANSI | NNL_TEXT_SPECIAL_TOKENS;
    if (!a->exclude)
        return nnl_text_dataset_load(text, a->corpus, NULL, flags, (uint64_t)a->seed);
    char path[] = "/tmp/bert-corpus-XXXXXX";
    const int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "bert pretrain: cannot create a temporary file: %s\n", strerror(errno));
        if (fd >= 0)
            close(fd), unlink(path);
        return NNL_E_IO;
    }
    int64_t dropped = 0, kept = 0;
    int rc = corpus_exclude("bert pretrain", a->corpus, a->exclude, f, &dropped, &kept);
    rc = fclose(f) != 0 ? -1 : rc;
    nnl_status st = rc == 0 ? nnl_text_dataset_load(text, path, NULL, flags, (uint64_t)a->seed) : NNL_E_IO;
    unlink(path);
    if (rc == 0)
        printf("excluded %lld entries of %s that are lines of %s; %lld entries left\n", (long long)dropped,
               a->corpus, a->exclude, (long long)kept);
    return st;
}

static int pretrain(int argc, char **argv)
{
    args a = {DATA "pretrain.txt", "out/bert_pretrained.safetensors", NULL, NULL, NULL, NULL, NULL, NULL,
              2000, 4, 4, 128, 64, 16, 1, 0, 1337, 0, 1e-3, NULL};
    if (parse("bert pretrain", argc, argv, &a) != 0 || a.confusion)
        return usage(); /* --confusion is classify's */
    nnl_text_dataset *text = NULL;
    nnl_status st = load_corpus(&a, &text);
    if (st != NNL_OK)
        return fail("loading the corpus (run scripts/fetch-data)", st);
    const nnl_tokenizer *tok = nnl_text_dataset_tokenizer(text);
    const bert_config c = {nnl_tokenizer_vocab_size(tok), a.layers, a.heads, a.embd, POSITIONS, DROPOUT,
                           (uint64_t)a.seed};
    const bert_schedule s = {a.lr, a.lr / 10.0, a.iters < 1000 ? a.iters / 10 : 100, a.iters, 0.01, 1.0};
    nnl_model *m = NULL;
    int rc = 0;
    if ((st = bert_pretraining_model(&m, &c, a.block, &s)) != NNL_OK)
        rc = fail("creating the model", st);
    else if ((st = nnl_model_set_tokenizer(m, tok)) != NNL_OK)
        rc = fail("keeping the vocabulary", st);
    if (rc == 0) {
        printf("corpus %s: %lld training characters, vocabulary %lld; %lld layers, %lld heads, %lld dims, "
               "%lld parameters\n", a.corpus, (long long)nnl_text_dataset_length(text, NNL_SPLIT_TRAIN),
               (long long)c.vocab, (long long)a.layers, (long long)a.heads, (long long)a.embd,
               (long long)nnl_model_param_count(m));
        fflush(stdout);
        rc = pretrain_on(&a, text, m);
    }
    nnl_model_free(m);
    nnl_text_dataset_free(text);
    return rc;
}

/* ---- classify */

/* The confusion matrix as a picture, the classes named as in the tsv file. */
static int write_confusion(const char *path, const int64_t *matrix, const nnl_dataset *test)
{
    const int32_t k = nnl_dataset_num_classes(test);
    const char **names = malloc(sizeof(char *) * (size_t)k);
    if (!names) {
        fprintf(stderr, "bert: out of memory for the class names\n");
        return 1;
    }
    for (int32_t c = 0; c < k; c++)
        names[c] = nnl_dataset_class_name(test, c);
    int rc = 0;
    if (confusion_picture_write(path, matrix, k, names, "Classic of each test line") != 0) {
        fprintf(stderr, "bert: cannot write %s: %s\n", path, strerror(errno));
        rc = 1;
    } else
        printf("wrote %s (confusion matrix: rows true class, columns predicted)\n", path);
    free(names);
    return rc;
}

/* Per-class precision, recall and F1, the confusion matrix (and its
 * picture, when confusion_path is not NULL), then the last line. */
static int report(const nnl_model *m, const nnl_dataset *test, const char *confusion_path)
{
    const int32_t k = nnl_dataset_num_classes(test);
    int64_t *matrix = malloc(sizeof(int64_t) * (size_t)(k * k));
    double *p = malloc(sizeof(double) * (size_t)k * 3), macro_f1 = 0.0, accuracy = 0.0;
    nnl_status st = matrix && p ? bert_score(m, test, matrix, p, &macro_f1, &accuracy) : NNL_E_NOMEM;
    if (st == NNL_OK) {
        printf("%-10s %9s %9s %9s\n", "class", "precision", "recall", "f1");
        for (int32_t c = 0; c < k; c++)
            printf("%-10s %9.4f %9.4f %9.4f\n", nnl_dataset_class_name(test, c), p[c], p[k + c], p[2 * k + c]);
        printf("confusion matrix (rows: true class, columns: predicted, in the order above)\n");
        for (int32_t r = 0; r < k; r++) {
            for (int32_t c = 0; c < k; c++)
                printf("%6lld", (long long)matrix[r * k + c]);
            putchar('\n');
        }
    }
    int rc = st == NNL_OK ? 0 : fail("evaluating", st);
    if (rc == 0 && confusion_path)
        rc = write_confusion(confusion_path, matrix, test);
    if (rc == 0)
        printf("test_accuracy=%.4f macro_f1=%.4f\n", accuracy, macro_f1);
    free(matrix), free(p);
    return rc;
}

static int on_epoch(const nnl_progress *p, void *user)
{
    (void)user;
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) != 0) {
        printf("epoch %2.0f/%.0f  loss %.4f  accuracy %.4f  %.0f samples/s\n", nnl_progress_get(p, NNL_PROGRESS_EPOCH),
               nnl_progress_get(p, NNL_PROGRESS_EPOCHS), nnl_progress_get(p, NNL_PROGRESS_LOSS),
               nnl_progress_get(p, NNL_PROGRESS_ACCURACY), nnl_progress_get(p, NNL_PROGRESS_SAMPLES_PER_S));
        fflush(stdout);
    }
    return 0;
}

/* Class names of the training set, for the model file. */
static nnl_status name_classes(nnl_model *m, const nnl_dataset *train)
{
    const int32_t k = nnl_dataset_num_classes(train);
    const char *names[256];
    if (k > 256)
        return NNL_E_UNSUPPORTED;
    for (int32_t c = 0; c < k; c++)
        names[c] = nnl_dataset_class_name(train, c);
    return nnl_model_set_class_names(m, names, k);
}

static int fine_tune(const args *a, const nnl_tokenizer *tok, const nnl_model *pretrained, const bert_config *c)
{
    nnl_dataset *train = NULL, *test = NULL;
    nnl_status st = nnl_dataset_load_tsv(&train, a->train, tok, POSITIONS, NULL);
    if (st == NNL_OK)
        st = nnl_dataset_load_tsv(&test, a->test, tok, POSITIONS, train);
    if (st != NNL_OK) {
        nnl_dataset_free(train);
        return fail("loading the tsv files (run scripts/fetch-data)", st);
    }
    const bert_schedule s = {a->lr, a->lr, 0, 0, 0.01, 1.0};
    nnl_model *m = NULL;
    int rc = 0;
    st = bert_classifier_model(&m, c, POSITIONS, nnl_dataset_num_classes(train), pretrained, &s);
    if (st == NNL_OK)
        st = nnl_model_set_tokenizer(m, tok);
    if (st == NNL_OK)
        st = name_classes(m, train);
    if (st != NNL_OK)
        rc = fail("creating the classifier", st);
    if (rc == 0) {
        printf("%lld training and %lld test lines, %d classes; encoder %s: %lld layers, %lld heads, %lld dims, "
               "vocabulary %lld\n", (long long)nnl_dataset_size(train), (long long)nnl_dataset_size(test),
               (int)nnl_dataset_num_classes(train), pretrained ? a->model : "from scratch", (long long)c->layers,
               (long long)c->heads, (long long)c->embd, (long long)c->vocab);
        fflush(stdout);
        nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
        o.epochs = a->epochs;
        o.batch_size = a->batch;
        o.seed = (uint64_t)a->seed;
        o.progress = on_epoch;
        o.validation = a->log || a->curves ? test : NULL; /* for the curves */
        if ((st = nnl_model_fit_with(m, train, &o)) != NNL_OK)
            rc = fail("fine-tuning", st);
        else
            rc = training_outputs_write("bert classify", nnl_model_history(m), a->log, a->curves,
                                        "BERT-style encoder: fine-tuning to classify lines");
    }
    if (rc == 0 && (st = nnl_model_save(m, a->save, NNL_SAVE_WEIGHTS)) != NNL_OK)
        rc = fail("saving the classifier", st);
    if (rc == 0) {
        printf("saved %s\n", a->save);
        rc = report(m, test, a->confusion);
    }
    nnl_model_free(m);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    return rc;
}

static int classify(int argc, char **argv)
{
    args a = {DATA "pretrain.txt", "out/bert_classifier.safetensors", DATA "train.tsv", DATA "test.tsv", NULL,
              NULL, NULL, NULL, 1, 4, 4, 128, 64, 32, 10, 0, 1337, 0, 3e-4, NULL};
    if (parse("bert classify", argc, argv, &a) != 0 || a.exclude)
        return usage(); /* --exclude is pretrain's */
    if (!a.model == !a.from_scratch) {
        fprintf(stderr, "bert classify: give either --model PRETRAINED or --from-scratch\n");
        return usage();
    }
    nnl_model *pretrained = NULL;
    nnl_text_dataset *text = NULL;
    const nnl_tokenizer *tok = NULL;
    bert_config c = {0, a.layers, a.heads, a.embd, POSITIONS, DROPOUT, (uint64_t)a.seed};
    nnl_status st;
    if (a.model) {
        if ((st = nnl_model_load(&pretrained, a.model)) != NNL_OK)
            return fail("loading the pretrained encoder", st);
        if (bert_config_of(pretrained, DROPOUT, (uint64_t)a.seed, &c) != NNL_OK ||
            !(tok = nnl_model_tokenizer(pretrained))) {
            fprintf(stderr, "bert classify: %s is not an encoder made by bert pretrain (it needs an embedding, "
                            "a position embedding, encoder blocks and a vocabulary)\n", a.model);
            nnl_model_free(pretrained);
            return 1;
        }
    } else {
        st = nnl_text_dataset_load(&text, a.corpus, NULL, NNL_TEXT_STRIP_ANSI | NNL_TEXT_SPECIAL_TOKENS, 1);
        if (st != NNL_OK)
            return fail("loading the corpus for the vocabulary", st);
        tok = nnl_text_dataset_tokenizer(text);
        c.vocab = nnl_tokenizer_vocab_size(tok);
    }
    int rc = fine_tune(&a, tok, pretrained, &c);
    nnl_model_free(pretrained);
    nnl_text_dataset_free(text);
    return rc;
}

/* ---- predict */

/* "[CLS] text [SEP] [PAD]..." as the model's input, T ids (floats). */
static int encode_line(const nnl_tokenizer *tok, const char *text, int64_t T, float *x)
{
    int64_t n = 0;
    nnl_status st = nnl_tokenizer_encode(tok, text, strlen(text), NNL_TEXT_STRICT, NULL, 0, &n);
    int32_t *ids = st == NNL_OK ? malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1)) : NULL;
    if (st == NNL_OK && !ids)
        st = NNL_E_NOMEM;
    if (st == NNL_OK)
        st = nnl_tokenizer_encode(tok, text, strlen(text), NNL_TEXT_STRICT, ids, n, &n);
    if (st == NNL_OK) {
        int64_t kept = n < T - 2 ? n : T - 2;
        x[0] = NNL_TOKEN_CLS;
        for (int64_t t = 0; t < kept; t++)
            x[1 + t] = (float)ids[t];
        x[1 + kept] = NNL_TOKEN_SEP;
        for (int64_t t = 2 + kept; t < T; t++)
            x[t] = NNL_TOKEN_PAD;
    }
    free(ids);
    return st == NNL_OK ? 0 : fail("encoding the text", st);
}

/* The classifier's class probabilities for one line; prints the best. */
static int predict_with(const nnl_model *m, const char *line)
{
    const nnl_tokenizer *tok = nnl_model_tokenizer(m);
    int64_t k = 0;
    int ndim = 0;
    if (!tok || !nnl_model_class_name(m, 0) || nnl_model_output_shape(m, &k, 1, &ndim) != NNL_OK) {
        fprintf(stderr, "bert predict: the model has no vocabulary or class names (not made by bert classify?)\n");
        return 1;
    }
    float x[POSITIONS], *probs = malloc(sizeof(float) * (size_t)k);
    const int64_t xd[2] = {1, POSITIONS}, yd[2] = {1, k};
    nnl_tensor *tx = NULL, *ty = NULL;
    int rc = probs ? encode_line(tok, line, POSITIONS, x) : fail("allocating", NNL_E_NOMEM);
    nnl_status st = NNL_OK;
    if (rc == 0 && (st = nnl_tensor_wrap(&tx, 2, xd, x)) == NNL_OK && (st = nnl_tensor_wrap(&ty, 2, yd, probs)) == NNL_OK)
        st = nnl_model_predict(m, tx, ty);
    if (rc == 0 && st != NNL_OK)
        rc = fail("predicting (a classifier of 128 tokens made by bert classify?)", st);
    if (rc == 0) {
        int32_t best = 0;
        for (int32_t c = 1; c < (int32_t)k; c++)
            best = probs[c] > probs[best] ? c : best;
        printf("%s %.4f\n", nnl_model_class_name(m, best), (double)probs[best]);
    }
    nnl_tensor_free(tx);
    nnl_tensor_free(ty);
    free(probs);
    return rc;
}

static int predict(int argc, char **argv)
{
    const char *model = NULL, *line[1] = {NULL};
    int count = 0;
    const cli_option table[] = {{"--model", CLI_STRING, &model}};
    if (cli_parse("bert predict", argc, argv, 2, table, CLI_COUNT(table), line, 1, &count) != 0 || count != 1 ||
        !model)
        return usage();
    nnl_model *m = NULL;
    nnl_status st = nnl_model_load(&m, model);
    if (st != NNL_OK)
        return fail("loading the classifier", st);
    int rc = predict_with(m, line[0]);
    nnl_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "pretrain") == 0)
        return pretrain(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "classify") == 0)
        return classify(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "predict") == 0)
        return predict(argc, argv);
    return usage();
}
