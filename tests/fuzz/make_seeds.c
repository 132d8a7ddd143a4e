/* Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/) from real
 * files: the first MNIST digits of data/mnist, Tang poems from Debian's
 * fortunes-zh, and model files saved by this library (every layer type,
 * optimizer state, GPT weights and training state). The seeds are committed;
 * run this again when the file formats change:
 *   build/rel/tests/fuzz/make_seeds data/mnist /usr/share/games/fortunes/tang300 tests/fuzz/corpus */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "nnlite.h"

static void die(const char *what)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, nnl_last_error());
    exit(1);
}

static void check(nnl_status s, const char *what)
{
    if (s != NNL_OK)
        die(what);
}

static void write_file(const char *dir, const char *sub, const char *name, const void *a, size_t na,
                       const void *b, size_t nb)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(a, 1, na, f) != na || (nb && fwrite(b, 1, nb, f) != nb) || fclose(f) != 0)
        die(path);
}

static unsigned char *read_gz(const char *path, size_t want)
{
    gzFile f = gzopen(path, "rb");
    unsigned char *bytes = malloc(want);
    if (!f || !bytes || gzread(f, bytes, (unsigned)want) != (int)want)
        die(path);
    gzclose(f);
    return bytes;
}

static size_t gzip_bytes(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    z_stream z = {0};
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2");
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("deflate");
    deflateEnd(&z);
    return cap - z.avail_out;
}

/* An IDX header for `count` items with item dims; returns its length. */
static size_t idx_header(unsigned char *h, int ndim, uint32_t count, uint32_t rows, uint32_t cols)
{
    uint32_t dims[3] = {count, rows, cols};
    h[0] = h[1] = 0, h[2] = 8, h[3] = (unsigned char)ndim;
    for (int i = 0; i < ndim; i++)
        for (int b = 0; b < 4; b++)
            h[4 + 4 * i + b] = (unsigned char)(dims[i] >> (24 - 8 * b));
    return 4 + 4 * (size_t)ndim;
}

/* fuzz_idx input: u32 split, images file, labels file. */
static void idx_seed(const char *out, const char *name, const unsigned char *images, size_t ni,
                     const unsigned char *labels, size_t nl)
{
    unsigned char buf[16384];
    buf[0] = (unsigned char)ni, buf[1] = (unsigned char)(ni >> 8), buf[2] = (unsigned char)(ni >> 16), buf[3] = 0;
    memcpy(buf + 4, images, ni);
    write_file(out, "idx", name, buf, 4 + ni, labels, nl);
}

static void idx_seeds(const char *mnist, const char *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", mnist);
    unsigned char *images = read_gz(path, 16 + 3 * 784);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte.gz", mnist);
    unsigned char *labels = read_gz(path, 8 + 3);
    unsigned char img[16 + 3 * 784], lab[8 + 3], gz_img[8192], gz_lab[256];
    /* the real files' first 3 digits, as whole IDX files of 3 items */
    size_t hi = idx_header(img, 3, 3, 28, 28), hl = idx_header(lab, 1, 3, 0, 0);
    memcpy(img + hi, images + 16, 3 * 784);
    memcpy(lab + hl, labels + 8, 3);
    idx_seed(out, "mnist-3-plain", img, sizeof img, lab, sizeof lab);
    size_t ngi = gzip_bytes(img, sizeof img, gz_img, sizeof gz_img);
    size_t ngl = gzip_bytes(lab, sizeof lab, gz_lab, sizeof gz_lab);
    idx_seed(out, "mnist-3-gzip", gz_img, ngi, gz_lab, ngl);
    idx_seed(out, "mnist-gzip-images-plain-labels", gz_img, ngi, lab, sizeof lab);
    /* the same images with multi-hot labels (IDX of 2 dims: 3 x 10 bytes), each its digit and digit + 1 */
    unsigned char multihot[12 + 3 * 10] = {0};
    size_t hm = idx_header(multihot, 2, 3, 10, 0);
    for (int i = 0; i < 3; i++)
        multihot[hm + 10 * i + labels[8 + i]] = multihot[hm + 10 * i + (labels[8 + i] + 1) % 10] = 1;
    idx_seed(out, "mnist-3-multihot", img, sizeof img, multihot, sizeof multihot);
    /* one digit cropped to 7x7 (other dims), with two labels (counts disagree) */
    unsigned char small[16 + 49], two[8 + 2];
    size_t hs = idx_header(small, 3, 1, 7, 7);
    for (int r = 0; r < 7; r++)
        memcpy(small + hs + 7 * r, images + 16 + 28 * (10 + r) + 10, 7);
    idx_header(two, 1, 2, 0, 0);
    two[8] = 7, two[9] = 2;
    idx_seed(out, "cropped-7x7-count-mismatch", small, sizeof small, two, sizeof two);
    free(images);
    free(labels);
}

/* add(m, nnl_layer_x(&l, ...), &l): the layer is read after its constructor ran. */
static void add(nnl_model *m, nnl_status s, nnl_layer *const *l)
{
    check(s, "layer");
    check(nnl_model_add(m, *l), "nnl_model_add");
}

static void save_seed(const nnl_model *m, const char *out, const char *name, int flags)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/model_file/%s", out, name);
    check(nnl_model_save(m, path, flags), path);
}

static void model_seeds(const char *out)
{
    nnl_layer *l;
    nnl_optimizer *o;
    /* the MNIST network's layer types on 6x6 images, with Adam state */
    const int64_t image[3] = {6, 6, 1};
    nnl_model *cnn;
    check(nnl_model_create(&cnn, 3, image), "create");
    add(cnn, nnl_layer_conv2d(&l, 2, 3, 3, 1, NNL_PAD_SAME, NNL_ACT_RELU), &l);
    add(cnn, nnl_layer_maxpool2d(&l, 2, 2, 0), &l);
    add(cnn, nnl_layer_flatten(&l), &l);
    add(cnn, nnl_layer_dense(&l, 3, NNL_ACT_SOFTMAX), &l);
    save_seed(cnn, out, "cnn-weights.safetensors", NNL_SAVE_WEIGHTS);
    check(nnl_optimizer_adam(&o, 1e-3f, 0.9f, 0.999f, 1e-7f), "adam");
    check(nnl_optimizer_set_clip_norm(o, 1.0f), "clip");
    check(nnl_model_compile(cnn, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, o), "compile");
    save_seed(cnn, out, "cnn-adam.safetensors", NNL_SAVE_OPTIMIZER);
    nnl_model_free(cnn);
    /* every other layer type, MSE with SGD momentum, warm-up and a cosine schedule */
    const int64_t features[1] = {4};
    nnl_model *mlp;
    nnl_layer *block, *inner;
    check(nnl_model_create(&mlp, 1, features), "create");
    add(mlp, nnl_layer_batchnorm(&l, 0.99f, 1e-3f), &l);
    check(nnl_layer_residual(&block), "residual");
    check(nnl_layer_dense(&inner, 4, NNL_ACT_TANH), "dense");
    check(nnl_layer_residual_add(block, inner), "residual_add");
    check(nnl_layer_activation(&inner, NNL_ACT_GELU), "activation");
    check(nnl_layer_residual_add(block, inner), "residual_add");
    add(mlp, NNL_OK, &block);
    add(mlp, nnl_layer_dropout(&l, 0.25f), &l);
    add(mlp, nnl_layer_dense(&l, 2, NNL_ACT_SIGMOID), &l);
    check(nnl_optimizer_sgd(&o, 0.1f, 0.9f, 1), "sgd");
    check(nnl_optimizer_set_warmup(o, 5), "warmup");
    check(nnl_optimizer_schedule_cosine(o, 100, 0.01f), "cosine");
    check(nnl_model_compile(mlp, NNL_LOSS_MSE, o), "compile");
    save_seed(mlp, out, "mlp-residual-sgd.safetensors", NNL_SAVE_OPTIMIZER);
    nnl_model_free(mlp);
    /* average pooling and a step schedule with AdamW */
    const int64_t rgb[3] = {4, 4, 3};
    nnl_model *pool;
    check(nnl_model_create(&pool, 3, rgb), "create");
    add(pool, nnl_layer_avgpool2d(&l, 2, 2, 1), &l);
    add(pool, nnl_layer_conv2d(&l, 1, 1, 1, 2, NNL_PAD_VALID, NNL_ACT_NONE), &l);
    add(pool, nnl_layer_flatten(&l), &l);
    check(nnl_optimizer_adamw(&o, 1e-3f, 0.9f, 0.99f, 1e-8f, 0.01f), "adamw");
    check(nnl_optimizer_schedule_step(o, 10, 0.5f), "step");
    check(nnl_model_compile(pool, NNL_LOSS_MSE, o), "compile");
    save_seed(pool, out, "avgpool-adamw.safetensors", NNL_SAVE_OPTIMIZER);
    nnl_model_free(pool);
}

static void gpt_seeds(const char *out)
{
    nnl_tokenizer *tok;
    const char text[] = "ab 明月\n";
    check(nnl_tokenizer_create(&tok, text, sizeof text - 1, 0), "tokenizer");
    nnl_gpt_config c = NNL_GPT_CONFIG_INIT;
    c.n_layer = 1, c.n_head = 2, c.n_embd = 4, c.block_size = 4;
    nnl_gpt *g;
    check(nnl_gpt_create(&g, &c, tok), "gpt");
    char path[4096];
    snprintf(path, sizeof path, "%s/model_file/gpt-weights.safetensors", out);
    check(nnl_gpt_save(g, path, NNL_GPT_SAVE_WEIGHTS), path);
    snprintf(path, sizeof path, "%s/model_file/gpt-training.safetensors", out);
    check(nnl_gpt_save(g, path, NNL_GPT_SAVE_TRAINING), path);
    nnl_gpt_free(g);
    nnl_tokenizer_free(tok);
}

/* Estimator files of every kind, fitted on 40 synthetic samples of 5
 * features and 3 classes (the RBF SVM with probabilities). */
static void estimator_seeds(const char *out)
{
    enum { N = 40, F = 5 };
    float x[N * F];
    int32_t y[N];
    for (int i = 0; i < N; i++) {
        y[i] = i % 3;
        for (int j = 0; j < F; j++)
            x[i * F + j] = (float)((i * 7 + j * 13) % 11) / 11.0f + (j == y[i] ? 1.0f : 0.0f);
    }
    nnl_dataset *ds;
    check(nnl_dataset_create_labeled(&ds, N, 1, (const int64_t[]){F}, x, y), "dataset");
    const char *names[] = {"linear-svm", "rbf-svm-probability", "tree-entropy", "forest-3"};
    for (int kind = NNL_ESTIMATOR_LINEAR_SVM; kind <= NNL_ESTIMATOR_FOREST; kind++) {
        nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
        o.kind = kind;
        o.probability = 1;
        o.criterion = NNL_CRITERION_ENTROPY;
        o.n_estimators = 3;
        nnl_estimator *e;
        check(nnl_estimator_create(&e, &o), "nnl_estimator_create");
        check(nnl_estimator_fit(e, ds), "nnl_estimator_fit");
        char path[4096];
        snprintf(path, sizeof path, "%s/estimator_file/%s.safetensors", out, names[kind]);
        check(nnl_estimator_save(e, path), path);
        nnl_estimator_free(e);
    }
    nnl_dataset_free(ds);
}

/* The first `max` bytes of a file, cut at a line end. */
static char *head_of(const char *path, size_t max, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *text = malloc(max);
    if (!f || !text)
        die(path);
    *n = fread(text, 1, max, f);
    fclose(f);
    while (*n > 0 && text[*n - 1] != '\n')
        (*n)--;
    return text;
}

static void text_seeds(const char *poems, const char *out)
{
    size_t n;
    char *text = head_of(poems, 1200, &n);
    const unsigned char strict = 0, strip = NNL_TEXT_STRIP_ANSI, replace = NNL_TEXT_REPLACE_INVALID;
    const unsigned char fixed_vocab = 4 | NNL_TEXT_STRIP_ANSI;
    write_file(out, "text", "tang300-strip-ansi", &strip, 1, text, n);
    write_file(out, "text", "tang300-fixed-vocabulary", &fixed_vocab, 1, text, n);
    write_file(out, "text", "tang300-with-escapes-strict", &strict, 1, text, n);
    write_file(out, "tokenizer", "tang300-strip-ansi", &strip, 1, text, n / 3);
    write_file(out, "tokenizer", "tang300-strict", &strict, 1, text, n / 4);
    const char broken[] = "caf\xc3\xa9 \xe6\x98\x8e\xff\xc0\xaf \xed\xa0\x80 end \xf0\x9f\x98\x80";
    write_file(out, "tokenizer", "invalid-utf8-replace", &replace, 1, broken, sizeof broken - 1);
    write_file(out, "text", "invalid-utf8-replace", &replace, 1, broken, sizeof broken - 1);
    const char vocabulary[] = "10,32,97,98,26126,26376";
    write_file(out, "tokenizer", "serialised-vocabulary", &strict, 1, vocabulary, sizeof vocabulary - 1);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: make_seeds MNIST_DIR TANG300_FILE CORPUS_DIR\n");
        return 2;
    }
    idx_seeds(argv[1], argv[3]);
    model_seeds(argv[3]);
    gpt_seeds(argv[3]);
    text_seeds(argv[2], argv[3]);
    estimator_seeds(argv[3]);
    return 0;
}
