/* Text-classification data sets from tsv files: samples [CLS] text [SEP]
 * [PAD]..., escapes, truncation, class names in order of appearance or
 * another data set's, malformed lines rejected with their line number, and
 * the real five-classics split of data/classics-zh when it has been fetched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* Samples [start, start + count) of a data set of T ids into x, targets into y. */
static void get_rows(const nnl_dataset *ds, int64_t start, int64_t count, int64_t T, float *x, float *y)
{
    nnl_tensor *tx, *ty;
    const int64_t xd[2] = {count, T};
    assert_ok(nnl_tensor_wrap(&tx, 2, xd, x));
    assert_ok(nnl_tensor_wrap(&ty, 1, &count, y));
    assert_ok(nnl_dataset_get_batch(ds, start, count, tx, ty));
    nnl_tensor_free(tx);
    nnl_tensor_free(ty);
}

/* Writes `text` to a new temporary file whose name goes to path[32]. */
static void write_temp(char path[32], const char *text)
{
    strcpy(path, "/tmp/nnl-tsv-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static nnl_tokenizer *special_tokenizer(void)
{
    nnl_tokenizer *tok;
    const char chars[] = "学而时习之道可\n\\";
    assert_ok(nnl_tokenizer_create(&tok, chars, sizeof chars - 1, NNL_TEXT_SPECIAL_TOKENS));
    return tok;
}

static int32_t id_of(const nnl_tokenizer *tok, const char *piece)
{
    for (int32_t id = 0; id < nnl_tokenizer_vocab_size(tok); id++)
        if (strcmp(nnl_tokenizer_piece(tok, id), piece) == 0)
            return id;
    fail_msg("no token '%s'", piece);
    return -1;
}

static void samples_are_cls_text_sep_padding(void **state)
{
    (void)state;
    nnl_tokenizer *tok = special_tokenizer();
    char path[32];
    write_temp(path, "论语\t学而\\n时习之\r\n道德经\t道可道\n论语\t学\\\\x\n");
    nnl_dataset *ds;
    assert_ok(nnl_dataset_load_tsv(&ds, path, tok, 6, NULL));
    assert_int_equal(nnl_dataset_size(ds), 3);
    assert_int_equal(nnl_dataset_num_classes(ds), 2);
    assert_string_equal(nnl_dataset_class_name(ds, 0), "论语");
    assert_string_equal(nnl_dataset_class_name(ds, 1), "道德经");
    assert_null(nnl_dataset_class_name(ds, 2));
    float x[18], y[3];
    get_rows(ds, 0, 3, 6, x, y);
    /* line 1: truncated to 4 characters of "学而\n时习之"; line 3: "学\x", x unknown */
    const float want[18] = {NNL_TOKEN_CLS, (float)id_of(tok, "学"), (float)id_of(tok, "而"), (float)id_of(tok, "\n"),
                            (float)id_of(tok, "时"), NNL_TOKEN_SEP,
                            NNL_TOKEN_CLS, (float)id_of(tok, "道"), (float)id_of(tok, "可"), (float)id_of(tok, "道"),
                            NNL_TOKEN_SEP, NNL_TOKEN_PAD,
                            NNL_TOKEN_CLS, (float)id_of(tok, "学"), (float)id_of(tok, "\\"), NNL_TOKEN_UNKNOWN,
                            NNL_TOKEN_SEP, NNL_TOKEN_PAD};
    for (int i = 0; i < 18; i++)
        assert_float_equal(x[i], want[i], 0.0f);
    assert_float_equal(y[0], 0.0f, 0.0f);
    assert_float_equal(y[1], 1.0f, 0.0f);
    assert_float_equal(y[2], 0.0f, 0.0f);

    /* A test set takes the training set's classes, in its order. */
    char test_path[32];
    write_temp(test_path, "道德经\t可");
    nnl_dataset *test, *first, *second;
    assert_ok(nnl_dataset_load_tsv(&test, test_path, tok, 4, ds));
    assert_int_equal(nnl_dataset_num_classes(test), 2);
    assert_string_equal(nnl_dataset_class_name(test, 0), "论语");
    get_rows(test, 0, 1, 4, x, y);
    assert_float_equal(y[0], 1.0f, 0.0f);
    nnl_dataset_free(test);
    write_temp(test_path, "道德经\t可\n诗经\t之\n");
    assert_status_msg(nnl_dataset_load_tsv(&test, test_path, tok, 4, ds), NNL_E_FORMAT, "line 2: label '诗经'");
    assert_null(test);
    remove(test_path);

    /* Splitting keeps the names. */
    assert_ok(nnl_dataset_split(ds, 1, &first, &second));
    assert_string_equal(nnl_dataset_class_name(second, 1), "道德经");
    nnl_dataset_free(first);
    nnl_dataset_free(second);
    nnl_dataset_free(ds);
    remove(path);
    nnl_tokenizer_free(tok);
}

static void malformed_lines_name_their_number(void **state)
{
    (void)state;
    nnl_tokenizer *tok = special_tokenizer();
    const struct {
        const char *text, *message;
    } bad[] = {
        {"a\tb\nno tab here\n", "line 2: no tab"},
        {"a\tb\n\na\tb\n", "line 2: an empty line"},
        {"a\tb\n\tb\n", "line 2: an empty label"},
        {"a\tb\na\t\n", "line 2: an empty text"},
        {"a\tb\tc\n", "line 1: a second tab"},
        {"a\tb\na\tb\na\tx\\q\n", "line 3: a backslash"},
        {"a\tb\\", "line 1: a backslash"},
        {"a\tb\na\t\xe5\xad\n", "line 2: text: invalid UTF-8 at byte offset 0"},
        {"\xff\tb\n", "line 1: label: invalid UTF-8"},
        {"", "has no lines"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[32];
        write_temp(path, bad[i].text);
        nnl_dataset *ds = (nnl_dataset *)1;
        assert_status_msg(nnl_dataset_load_tsv(&ds, path, tok, 8, NULL), NNL_E_FORMAT, bad[i].message);
        assert_null(ds);
        remove(path);
    }
    nnl_dataset *ds;
    assert_status_msg(nnl_dataset_load_tsv(&ds, "/nonexistent/train.tsv", tok, 8, NULL), NNL_E_IO,
                      "/nonexistent/train.tsv");
    nnl_tokenizer_free(tok);
}

/* data/classics-zh (scripts/fetch-data): 1,688 training and 422 test lines
 * of five classes, with the counts. */
static void the_classics_split_loads(void **state)
{
    (void)state;
    const char *root = getenv("NNL_SOURCE_ROOT");
    char train_path[4096], test_path[4096], corpus_path[4096];
    snprintf(train_path, sizeof train_path, "%s/data/classics-zh/train.tsv", root ? root : ".");
    snprintf(test_path, sizeof test_path, "%s/data/classics-zh/test.tsv", root ? root : ".");
    snprintf(corpus_path, sizeof corpus_path, "%s/data/classics-zh/pretrain.txt", root ? root : ".");
    FILE *f = fopen(train_path, "rb");
    if (!f)
        skip();
    fclose(f);
    nnl_text_dataset *corpus;
    assert_ok(nnl_text_dataset_load(&corpus, corpus_path, NULL, NNL_TEXT_SPECIAL_TOKENS, 1));
    const nnl_tokenizer *tok = nnl_text_dataset_tokenizer(corpus);
    nnl_dataset *train, *test;
    assert_ok(nnl_dataset_load_tsv(&train, train_path, tok, 128, NULL));
    assert_ok(nnl_dataset_load_tsv(&test, test_path, tok, 128, train));
    assert_int_equal(nnl_dataset_size(train), 1688);
    assert_int_equal(nnl_dataset_size(test), 422);
    assert_int_equal(nnl_dataset_num_classes(train), 5);
    int32_t counts[5] = {0}, labels[422];
    assert_ok(nnl_dataset_get_labels(test, 0, 422, labels));
    for (int i = 0; i < 422; i++)
        counts[labels[i]]++;
    const char *names[5] = {"菜根谭", "增广贤文", "论语", "谚语", "道德经"};
    const int32_t want[5] = {72, 70, 111, 153, 16};
    for (int32_t c = 0; c < 5; c++) {
        const char *name = nnl_dataset_class_name(train, c);
        int k = 0;
        while (k < 5 && strcmp(name, names[k]) != 0)
            k++;
        assert_true(k < 5);
        assert_int_equal(counts[c], want[k]);
    }
    nnl_dataset_free(test);
    nnl_dataset_free(train);
    nnl_text_dataset_free(corpus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(samples_are_cls_text_sep_padding),
        cmocka_unit_test(malformed_lines_name_their_number),
        cmocka_unit_test(the_classics_split_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
