/* Misuse of text.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

static void misuse_nnl_tokenizer_create(void **state)
{
    (void)state;
    nnl_tokenizer *t = (nnl_tokenizer *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_create, NULL, "ab", 2, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_create, &t, NULL, 2, 0);
    assert_null(t);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_create, &t, "ab", 2, 8);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_create, &t, "ab", 2, -1);
    expect_misuse(NNL_E_FORMAT, nnl_tokenizer_create, &t, "a\xff", 2, NNL_TEXT_STRICT);
    assert_non_null(strstr(nnl_last_error(), "byte offset 1"));
    expect_misuse(NNL_E_FORMAT, nnl_tokenizer_create, &t, "\xe4\xbd", 2, NNL_TEXT_STRICT); /* cut short */
    expect_misuse(NNL_E_FORMAT, nnl_tokenizer_create, &t, "\xed\xa0\x80", 3, NNL_TEXT_STRICT); /* surrogate */
    expect_misuse(NNL_E_FORMAT, nnl_tokenizer_create, &t, "\xc0\xaf", 2, NNL_TEXT_STRICT); /* overlong */
    assert_null(t);
    assert_ok(nnl_tokenizer_create(&t, NULL, 0, 0)); /* empty text: only the unknown token */
    assert_int_equal(nnl_tokenizer_vocab_size(t), 1);
    nnl_tokenizer_free(t);
}

static void misuse_nnl_tokenizer_free(void **state)
{
    (void)state;
    nnl_tokenizer_free(NULL);
}

static void misuse_nnl_tokenizer_vocab_size(void **state)
{
    (void)state;
    assert_int_equal(nnl_tokenizer_vocab_size(NULL), -1);
}

static void misuse_nnl_dataset_load_tsv(void **state)
{
    (void)state;
    nnl_tokenizer *plain = fixture_tokenizer(), *special;
    assert_ok(nnl_tokenizer_create(&special, "ab", 2, NNL_TEXT_SPECIAL_TOKENS));
    char path[] = "/tmp/nnl-misuse-tsv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x\tab\n", 5), 5);
    close(fd);
    nnl_dataset *ds = (nnl_dataset *)1, *unnamed = fixture_images(2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_tsv, NULL, path, special, 8, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_tsv, &ds, NULL, special, 8, NULL);
    assert_null(ds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_tsv, &ds, path, NULL, 8, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_tsv, &ds, path, plain, 8, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_tsv, &ds, path, special, 2, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_tsv, &ds, path, special, (1 << 20) + 1, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_tsv, &ds, path, special, 8, unnamed);
    expect_misuse(NNL_E_IO, nnl_dataset_load_tsv, &ds, "/nonexistent.tsv", special, 8, NULL);
    assert_null(ds);
    assert_ok(nnl_dataset_load_tsv(&ds, path, special, 3, NULL));
    nnl_dataset_free(ds);
    remove(path);
    nnl_dataset_free(unnamed);
    nnl_tokenizer_free(special);
    nnl_tokenizer_free(plain);
}

static void misuse_nnl_tokenizer_num_special(void **state)
{
    (void)state;
    assert_int_equal(nnl_tokenizer_num_special(NULL), -1);
}

static void misuse_nnl_tokenizer_encode(void **state)
{
    (void)state;
    nnl_tokenizer *t = fixture_tokenizer();
    int32_t ids[4];
    int64_t count = -1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_encode, NULL, "ab", 2, 0, ids, 4, &count);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_encode, t, "ab", 2, 0, ids, 4, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_encode, t, NULL, 2, 0, ids, 4, &count);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_encode, t, "ab", 2, 8, ids, 4, &count);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_encode, t, "abcde", 5, 0, ids, 4, &count);
    assert_int_equal(count, 5); /* the needed capacity is reported */
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_encode, t, "ab", 2, 0, ids, -1, &count);
    expect_misuse(NNL_E_FORMAT, nnl_tokenizer_encode, t, "\x80", 1, 0, ids, 4, &count);
    nnl_tokenizer_free(t);
}

static void misuse_nnl_tokenizer_decode(void **state)
{
    (void)state;
    nnl_tokenizer *t = fixture_tokenizer();
    const int32_t ids[2] = {1, 2}, negative[1] = {-1};
    int32_t beyond[1] = {(int32_t)nnl_tokenizer_vocab_size(t)};
    char buf[16];
    size_t length;
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_decode, NULL, ids, 2, buf, sizeof buf, &length);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_decode, t, NULL, 2, buf, sizeof buf, &length);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_decode, t, ids, -1, buf, sizeof buf, &length);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_decode, t, ids, 2, NULL, sizeof buf, &length);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_decode, t, negative, 1, buf, sizeof buf, &length);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tokenizer_decode, t, beyond, 1, buf, sizeof buf, &length);
    assert_ok(nnl_tokenizer_decode(t, ids, 2, NULL, 0, &length)); /* measuring only */
    assert_ok(nnl_tokenizer_decode(t, ids, 2, buf, 1, NULL)); /* room for the NUL only */
    assert_string_equal(buf, "");
    nnl_tokenizer_free(t);
}

static void misuse_nnl_tokenizer_piece(void **state)
{
    (void)state;
    nnl_tokenizer *t = fixture_tokenizer();
    assert_null(nnl_tokenizer_piece(NULL, 1));
    assert_null(nnl_tokenizer_piece(t, -1));
    assert_null(nnl_tokenizer_piece(t, (int32_t)nnl_tokenizer_vocab_size(t)));
    assert_null(nnl_tokenizer_piece(t, INT32_MAX));
    nnl_tokenizer_free(t);
}

static void misuse_nnl_text_dataset_load(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "corpus.txt");
    nnl_text_dataset *d = (nnl_text_dataset *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_load, NULL, path, NULL, 0, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_load, &d, NULL, NULL, 0, 1);
    assert_null(d);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_load, &d, path, NULL, 16, 1);
    expect_misuse(NNL_E_IO, nnl_text_dataset_load, &d, path, NULL, 0, 1);
    assert_non_null(strstr(nnl_last_error(), path));
    expect_misuse(NNL_E_IO, nnl_text_dataset_load, &d, dir, NULL, 0, 1);
    fixture_write_file(path, "too short", 9);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_load, &d, path, NULL, 0, 1);
    fixture_write_file(path, "twenty-one characters\xff and more", 31);
    expect_misuse(NNL_E_FORMAT, nnl_text_dataset_load, &d, path, NULL, 0, 1);
    assert_non_null(strstr(nnl_last_error(), "byte offset 21"));
    assert_null(d);
    fixture_remove_tree(dir);
}

static void misuse_nnl_text_dataset_free(void **state)
{
    (void)state;
    nnl_text_dataset_free(NULL);
}

static void misuse_nnl_text_dataset_tokenizer(void **state)
{
    (void)state;
    assert_null(nnl_text_dataset_tokenizer(NULL));
}

static nnl_text_dataset *corpus(char *dir, size_t capacity)
{
    char path[512];
    size_t n;
    const char *text = fixture_text(&n);
    fixture_temp_dir(dir, capacity);
    fixture_path(path, sizeof path, dir, "corpus.txt");
    fixture_write_file(path, text, n);
    nnl_text_dataset *d = NULL;
    assert_ok(nnl_text_dataset_load(&d, path, NULL, 0, 1));
    return d;
}

static void misuse_nnl_text_dataset_length(void **state)
{
    (void)state;
    char dir[256];
    nnl_text_dataset *d = corpus(dir, sizeof dir);
    assert_int_equal(nnl_text_dataset_length(NULL, NNL_SPLIT_TRAIN), -1);
    assert_int_equal(nnl_text_dataset_length(d, (nnl_text_split)2), -1);
    assert_int_equal(nnl_text_dataset_length(d, (nnl_text_split)-1), -1);
    nnl_text_dataset_free(d);
    fixture_remove_tree(dir);
}

static void misuse_nnl_text_dataset_sample(void **state)
{
    (void)state;
    char dir[256];
    nnl_text_dataset *d = corpus(dir, sizeof dir);
    int32_t tokens[64];
    int64_t val = nnl_text_dataset_length(d, NNL_SPLIT_VALIDATION);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, NULL, NNL_SPLIT_TRAIN, 2, 4, tokens);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, d, NNL_SPLIT_TRAIN, 2, 4, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, d, (nnl_text_split)5, 2, 4, tokens);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, d, NNL_SPLIT_TRAIN, 0, 4, tokens);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, d, NNL_SPLIT_TRAIN, 2, 0, tokens);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, d, NNL_SPLIT_TRAIN, -2, 4, tokens);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, d, NNL_SPLIT_VALIDATION, 1, val, tokens);
    expect_misuse(NNL_E_INVALID_ARG, nnl_text_dataset_sample, d, NNL_SPLIT_TRAIN, 1, INT64_MAX, tokens);
    nnl_text_dataset_free(d);
    fixture_remove_tree(dir);
}

static void misuse_nnl_dataset_from_text(void **state)
{
    (void)state;
    char dir[256];
    nnl_text_dataset *d = corpus(dir, sizeof dir);
    nnl_dataset *w = (nnl_dataset *)1;
    int64_t val = nnl_text_dataset_length(d, NNL_SPLIT_VALIDATION);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_from_text, NULL, d, NNL_SPLIT_TRAIN, 4);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_from_text, &w, NULL, NNL_SPLIT_TRAIN, 4);
    assert_null(w);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_from_text, &w, d, (nnl_text_split)7, 4);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_from_text, &w, d, NNL_SPLIT_TRAIN, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_from_text, &w, d, NNL_SPLIT_VALIDATION, val);
    /* windows are not stored samples: no shuffling, splitting, scaling or augmenting */
    assert_ok(nnl_dataset_from_text(&w, d, NNL_SPLIT_TRAIN, 4));
    nnl_dataset *a = NULL, *b = NULL;
    float mean, std;
    assert_status_msg(nnl_dataset_shuffle(w, 1), NNL_E_UNSUPPORTED, "windows of a text");
    assert_status_msg(nnl_dataset_split(w, 2, &a, &b), NNL_E_UNSUPPORTED, "windows of a text");
    assert_status_msg(nnl_dataset_scale(w, 2.0f), NNL_E_UNSUPPORTED, "windows of a text");
    assert_status_msg(nnl_dataset_normalize(w, 0.0f, 1.0f), NNL_E_UNSUPPORTED, "windows of a text");
    assert_status_msg(nnl_dataset_mean_std(w, &mean, &std), NNL_E_UNSUPPORTED, "windows of a text");
    assert_status_msg(nnl_dataset_set_augmentation(w, 5.0f, 0.0f, 0.0f, 1), NNL_E_UNSUPPORTED, "windows of a text");
    nnl_dataset_free(w);
    nnl_text_dataset_free(d);
    fixture_remove_tree(dir);
}

/* The corpus of `dir` (corpus()) loaded with the special tokens. */
static nnl_text_dataset *with_special_tokens(const char *dir)
{
    char path[512];
    nnl_text_dataset *special = NULL;
    fixture_path(path, sizeof path, dir, "corpus.txt");
    assert_ok(nnl_text_dataset_load(&special, path, NULL, NNL_TEXT_SPECIAL_TOKENS, 1));
    return special;
}

static void misuse_nnl_dataset_masked_lm(void **state)
{
    (void)state;
    char dir[256];
    nnl_text_dataset *plain = corpus(dir, sizeof dir), *special = with_special_tokens(dir);
    nnl_dataset *w = (nnl_dataset *)1;
    int64_t val = nnl_text_dataset_length(special, NNL_SPLIT_VALIDATION);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, NULL, special, NNL_SPLIT_TRAIN, 4, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, NULL, NNL_SPLIT_TRAIN, 4, 0.15f, 1);
    assert_null(w);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, plain, NNL_SPLIT_TRAIN, 4, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, special, (nnl_text_split)7, 4, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, special, NNL_SPLIT_TRAIN, 0, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, special, NNL_SPLIT_VALIDATION, val, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, special, NNL_SPLIT_TRAIN, 4, 0.0f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, special, NNL_SPLIT_TRAIN, 4, 1.5f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm, &w, special, NNL_SPLIT_TRAIN, 4, NAN, 1);
    assert_null(w);
    assert_ok(nnl_dataset_masked_lm(&w, special, NNL_SPLIT_TRAIN, 4, 1.0f, 1));
    assert_status_msg(nnl_dataset_shuffle(w, 1), NNL_E_UNSUPPORTED, "windows of a text");
    nnl_dataset_free(w);
    nnl_text_dataset_free(special);
    nnl_text_dataset_free(plain);
    fixture_remove_tree(dir);
}

static void misuse_nnl_dataset_masked_lm_framed(void **state)
{
    (void)state;
    char dir[256];
    nnl_text_dataset *plain = corpus(dir, sizeof dir), *special = with_special_tokens(dir);
    nnl_dataset *w = (nnl_dataset *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm_framed, NULL, special, NNL_SPLIT_TRAIN, 4, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm_framed, &w, NULL, NNL_SPLIT_TRAIN, 4, 0.15f, 1);
    assert_null(w);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm_framed, &w, plain, NNL_SPLIT_TRAIN, 4, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm_framed, &w, special, NNL_SPLIT_TRAIN, 2, 0.15f, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_masked_lm_framed, &w, special, NNL_SPLIT_TRAIN, 4, 0.0f, 1);
    assert_null(w);
    assert_ok(nnl_dataset_masked_lm_framed(&w, special, NNL_SPLIT_TRAIN, 3, 1.0f, 1));
    assert_status_msg(nnl_dataset_shuffle(w, 1), NNL_E_UNSUPPORTED, "windows of a text");
    nnl_dataset_free(w);
    nnl_text_dataset_free(special);
    nnl_text_dataset_free(plain);
    fixture_remove_tree(dir);
}

const misuse_case misuse_text_cases[] = {
    MISUSE_CASE(nnl_tokenizer_create),
    MISUSE_CASE(nnl_tokenizer_free),
    MISUSE_CASE(nnl_tokenizer_vocab_size),
    MISUSE_CASE(nnl_tokenizer_num_special),
    MISUSE_CASE(nnl_tokenizer_encode),
    MISUSE_CASE(nnl_tokenizer_decode),
    MISUSE_CASE(nnl_tokenizer_piece),
    MISUSE_CASE(nnl_text_dataset_load),
    MISUSE_CASE(nnl_text_dataset_free),
    MISUSE_CASE(nnl_text_dataset_tokenizer),
    MISUSE_CASE(nnl_text_dataset_length),
    MISUSE_CASE(nnl_text_dataset_sample),
    MISUSE_CASE(nnl_dataset_from_text),
    MISUSE_CASE(nnl_dataset_load_tsv),
    MISUSE_CASE(nnl_dataset_masked_lm),
    MISUSE_CASE(nnl_dataset_masked_lm_framed),
    {NULL, NULL},
};
