/* Tokenizer and text data sets: round trips on Chinese, English and mixed
 * text, invalid UTF-8 (error with offset, or replacement), ANSI stripping,
 * the vocabulary's serialised form, and the 90/10 split with seeded windows. */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

#include "core/alloc.h"
#include "data/text.h"

static void round_trip_mixed_text(void **state)
{
    (void)state;
    const char text[] = "今天天气很好。Hello, world! 春眠不觉晓，处处闻啼鸟。😀";
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, text, sizeof text - 1, NNL_TEXT_STRICT));
    int64_t n;
    assert_ok(nnl_tokenizer_encode(tok, text, sizeof text - 1, 0, NULL, 0, &n));
    assert_int_equal(n, 34);
    int32_t ids[64];
    assert_ok(nnl_tokenizer_encode(tok, text, sizeof text - 1, 0, ids, 64, &n));
    for (int64_t i = 0; i < n; i++)
        assert_true(ids[i] > 0 && ids[i] < nnl_tokenizer_vocab_size(tok));
    assert_int_equal(ids[1], ids[2]); /* 天天 */
    char buf[256];
    size_t len;
    assert_ok(nnl_tokenizer_decode(tok, ids, n, buf, sizeof buf, &len));
    assert_string_equal(buf, text);
    assert_int_equal(len, sizeof text - 1);
    assert_string_equal(nnl_tokenizer_piece(tok, ids[0]), "今");
    assert_null(nnl_tokenizer_piece(tok, -1));
    nnl_tokenizer_free(tok);
}

static void unknown_characters_get_id_zero(void **state)
{
    (void)state;
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, "abc", 3, 0));
    assert_int_equal(nnl_tokenizer_vocab_size(tok), 4);
    int32_t ids[4];
    int64_t n;
    assert_ok(nnl_tokenizer_encode(tok, "a字c", 5, 0, ids, 4, &n));
    assert_int_equal(n, 3);
    assert_int_equal(ids[1], NNL_TOKEN_UNKNOWN);
    char buf[16];
    assert_ok(nnl_tokenizer_decode(tok, ids, n, buf, sizeof buf, NULL));
    assert_string_equal(buf, "a\xEF\xBF\xBD" "c");
    assert_status_msg(nnl_tokenizer_encode(tok, "abc", 3, 0, ids, 2, &n), NNL_E_INVALID_ARG, "capacity=2");
    int32_t bad = 4;
    assert_status_msg(nnl_tokenizer_decode(tok, &bad, 1, buf, sizeof buf, NULL), NNL_E_INVALID_ARG, "ids[0]=4");
    nnl_tokenizer_free(tok);
}

static void decode_truncates_at_characters(void **state)
{
    (void)state;
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, "春眠", 6, 0));
    int32_t ids[2] = {1, 2};
    char buf[5];
    size_t len;
    assert_ok(nnl_tokenizer_decode(tok, ids, 2, buf, sizeof buf, &len));
    assert_int_equal(len, 6);
    assert_int_equal(strlen(buf), 3);
    nnl_tokenizer_free(tok);
}

static void invalid_utf8_is_rejected_or_replaced(void **state)
{
    (void)state;
    static const struct { const char *bytes; size_t len; const char *offset; } cases[] = {
        {"ab\xFFz", 4, "offset 2 (0xFF)"},          /* never valid */
        {"\xC0\xAF", 2, "offset 0 (0xC0)"},          /* overlong '/' */
        {"x\xE4\xBB", 3, "offset 1 (0xE4)"},        /* truncated 今 */
        {"\xED\xA0\x80", 3, "offset 0 (0xED)"},      /* surrogate */
        {"\xF4\x90\x80\x80", 4, "offset 0 (0xF4)"},  /* above U+10FFFF */
        {"ok\x80", 3, "offset 2 (0x80)"},            /* lone continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nnl_tokenizer *tok = (nnl_tokenizer *)&tok;
        assert_status_msg(nnl_tokenizer_create(&tok, cases[i].bytes, cases[i].len, 0), NNL_E_FORMAT,
                          cases[i].offset);
        assert_null(tok);
    }
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, "ab\xFFz", 4, NNL_TEXT_REPLACE_INVALID));
    assert_int_equal(nnl_tokenizer_vocab_size(tok), 5); /* unknown, a, b, z, U+FFFD */
    assert_string_equal(nnl_tokenizer_piece(tok, 4), "\xEF\xBF\xBD");
    nnl_tokenizer_free(tok); /* before tok is reused: a failed create sets it to NULL */
    assert_status_msg(nnl_tokenizer_create(&tok, "a", 1, 8), NNL_E_INVALID_ARG, "flags");
}

static void ansi_escapes_are_stripped(void **state)
{
    (void)state;
    const char text[] = "\x1b[33m春\x1b[m眠\x1b[;\x1b[34;1m不\x1b[0;31m觉\x1b";
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, text, sizeof text - 1, NNL_TEXT_STRIP_ANSI));
    int32_t ids[16];
    int64_t n;
    assert_ok(nnl_tokenizer_encode(tok, text, sizeof text - 1, NNL_TEXT_STRIP_ANSI, ids, 16, &n));
    char buf[64];
    assert_ok(nnl_tokenizer_decode(tok, ids, n, buf, sizeof buf, NULL));
    assert_string_equal(buf, "春眠不觉");
    nnl_tokenizer_free(tok);
}

static void vocabulary_serialises_and_parses(void **state)
{
    (void)state;
    nnl_tokenizer *tok, *back;
    assert_ok(nnl_tokenizer_create(&tok, "b a今", 6, 0));
    char *s;
    assert_ok(nnl_tokenizer_serialize(tok, &s));
    assert_string_equal(s, "32,97,98,20170");
    assert_ok(nnl_tokenizer_parse(&back, s, "test"));
    assert_int_equal(nnl_tokenizer_vocab_size(back), 5);
    assert_string_equal(nnl_tokenizer_piece(back, 4), "今");
    nnl_tokenizer_free(back);
    const char *bad[] = {"1,1", "2,1", "x", "1,", "55296", "1114112", "5;6", ",1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(nnl_tokenizer_parse(&back, bad[i], "vocab"), NNL_E_FORMAT);
        assert_null(back);
    }
    nnl_dealloc(s);
    nnl_tokenizer_free(tok);
}

/* [PAD] [CLS] [SEP] [MASK] take ids 1..4 and the code points follow; text
 * never encodes to them; they survive the vocabulary's text form. */
static void special_tokens_come_first_and_round_trip(void **state)
{
    (void)state;
    nnl_tokenizer *tok, *back;
    assert_ok(nnl_tokenizer_create(&tok, "b a今[", 7, NNL_TEXT_SPECIAL_TOKENS));
    assert_int_equal(nnl_tokenizer_num_special(tok), 5);
    assert_int_equal(nnl_tokenizer_vocab_size(tok), 10);
    const char *names[] = {"", "[PAD]", "[CLS]", "[SEP]", "[MASK]"};
    for (int32_t id = NNL_TOKEN_PAD; id <= NNL_TOKEN_MASK; id++)
        assert_string_equal(nnl_tokenizer_piece(tok, id), names[id]);
    int32_t ids[8];
    int64_t n;
    assert_ok(nnl_tokenizer_encode(tok, "[a今x", 6, NNL_TEXT_SPECIAL_TOKENS, ids, 8, &n));
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], 6); /* '[' is a character: 32, 91, 97, 98, 20170 from id 5 */
    assert_int_equal(ids[1], 7);
    assert_int_equal(ids[2], 9);
    assert_int_equal(ids[3], NNL_TOKEN_UNKNOWN);
    const int32_t seq[3] = {NNL_TOKEN_CLS, 9, NNL_TOKEN_SEP};
    char buf[32];
    assert_ok(nnl_tokenizer_decode(tok, seq, 3, buf, sizeof buf, NULL));
    assert_string_equal(buf, "[CLS]今[SEP]");
    char *s;
    assert_ok(nnl_tokenizer_serialize(tok, &s));
    assert_string_equal(s, "[PAD],[CLS],[SEP],[MASK],32,91,97,98,20170");
    assert_ok(nnl_tokenizer_parse(&back, s, "test"));
    assert_int_equal(nnl_tokenizer_num_special(back), 5);
    assert_int_equal(nnl_tokenizer_vocab_size(back), 10);
    assert_string_equal(nnl_tokenizer_piece(back, 9), "今");
    assert_string_equal(nnl_tokenizer_piece(back, NNL_TOKEN_MASK), "[MASK]");
    nnl_tokenizer_free(back);
    nnl_dealloc(s);
    const char *bad[] = {"[PAD],[CLS],[SEP]", "[PAD],[CLS],[SEP],[MASK]x", "[PAD],[CLS],[SEP],[MASK],2,1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(nnl_tokenizer_parse(&back, bad[i], "vocab"), NNL_E_FORMAT);
        assert_null(back);
    }
    nnl_tokenizer_free(tok);
    assert_ok(nnl_tokenizer_create(&tok, NULL, 0, NNL_TEXT_SPECIAL_TOKENS)); /* specials alone */
    assert_int_equal(nnl_tokenizer_vocab_size(tok), 5);
    assert_ok(nnl_tokenizer_serialize(tok, &s));
    assert_ok(nnl_tokenizer_parse(&back, s, "test"));
    assert_int_equal(nnl_tokenizer_vocab_size(back), 5);
    nnl_tokenizer_free(back);
    nnl_dealloc(s);
    nnl_tokenizer_free(tok);
}

static void dataset_splits_and_samples_windows(void **state)
{
    (void)state;
    char text[200];
    for (int i = 0; i < 100; i++)
        text[i] = (char)('a' + i % 26);
    nnl_text_dataset *d, *e;
    assert_ok(nnl_text_dataset_parse(&d, text, 100, NULL, 0, 7, "mem"));
    assert_ok(nnl_text_dataset_parse(&e, text, 100, NULL, 0, 7, "mem"));
    assert_int_equal(nnl_text_dataset_length(d, NNL_SPLIT_TRAIN), 90);
    assert_int_equal(nnl_text_dataset_length(d, NNL_SPLIT_VALIDATION), 10);
    assert_int_equal(nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(d)), 27);
    int32_t a[3 * 9], b[3 * 9];
    assert_ok(nnl_text_dataset_sample(d, NNL_SPLIT_TRAIN, 3, 8, a));
    assert_ok(nnl_text_dataset_sample(e, NNL_SPLIT_TRAIN, 3, 8, b));
    assert_memory_equal(a, b, sizeof a); /* same seed, same windows */
    nnl_text_dataset_free(e);
    for (int w = 0; w < 3; w++)
        for (int i = 1; i < 9; i++) /* consecutive letters */
            assert_int_equal((a[w * 9 + i] - 1) % 26, (a[w * 9 + i - 1] - 1 + 1) % 26);
    assert_ok(nnl_text_dataset_sample(d, NNL_SPLIT_VALIDATION, 2, 9, a));
    assert_int_equal(a[0], 1 + (90 % 26)); /* the only window starts at token 90 */
    assert_status_msg(nnl_text_dataset_sample(d, NNL_SPLIT_VALIDATION, 1, 10, a), NNL_E_INVALID_ARG,
                      "block_size=10");
    assert_status_msg(nnl_text_dataset_parse(&e, text, 5, NULL, 0, 1, "short"), NNL_E_INVALID_ARG, "short");
    assert_null(e);
    nnl_text_dataset_free(d);
}

static void dataset_file_errors(void **state)
{
    (void)state;
    nnl_text_dataset *d;
    assert_status_msg(nnl_text_dataset_load(&d, "/nonexistent/corpus.txt", NULL, 0, 1), NNL_E_IO,
                      "/nonexistent/corpus.txt");
    char path[] = "/tmp/nnl-text-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("这是一个足够长的测试文本，用来检查错误的字节位置。", f);
    fputc(0xFE, f);
    fclose(f);
    assert_status_msg(nnl_text_dataset_load(&d, path, NULL, 0, 1), NNL_E_FORMAT, "byte offset 75 (0xFE)");
    assert_ok(nnl_text_dataset_load(&d, path, NULL, NNL_TEXT_REPLACE_INVALID, 1));
    assert_int_equal(nnl_text_dataset_length(d, NNL_SPLIT_TRAIN) + nnl_text_dataset_length(d, NNL_SPLIT_VALIDATION), 26);
    nnl_text_dataset_free(d);
    remove(path);
}

static void fortunes_file_loads_when_installed(void **state)
{
    (void)state;
    const char *path = "/usr/share/games/fortunes/tang300";
    FILE *f = fopen(path, "rb");
    if (!f)
        skip();
    fclose(f);
    nnl_text_dataset *d;
    assert_ok(nnl_text_dataset_load(&d, path, NULL, NNL_TEXT_STRIP_ANSI, 1));
    const nnl_tokenizer *tok = nnl_text_dataset_tokenizer(d);
    assert_true(nnl_tokenizer_vocab_size(tok) > 1000);
    int32_t w[65];
    assert_ok(nnl_text_dataset_sample(d, NNL_SPLIT_TRAIN, 1, 64, w));
    for (int i = 0; i < 65; i++)
        assert_string_not_equal(nnl_tokenizer_piece(tok, w[i]), "\x1b");
    nnl_text_dataset_free(d);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_mixed_text),
        cmocka_unit_test(unknown_characters_get_id_zero),
        cmocka_unit_test(decode_truncates_at_characters),
        cmocka_unit_test(invalid_utf8_is_rejected_or_replaced),
        cmocka_unit_test(ansi_escapes_are_stripped),
        cmocka_unit_test(vocabulary_serialises_and_parses),
        cmocka_unit_test(special_tokens_come_first_and_round_trip),
        cmocka_unit_test(dataset_splits_and_samples_windows),
        cmocka_unit_test(dataset_file_errors),
        cmocka_unit_test(fortunes_file_loads_when_installed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
