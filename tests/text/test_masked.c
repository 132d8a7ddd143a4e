/* Masked-LM windows: on a large sample, exactly 15% of each window's
 * non-special positions are chosen, never a special one, and of those 80%
 * become [MASK], 10% a random code point and 10% stay (within 4.5 standard
 * deviations); targets are the original tokens there and the ignore index
 * elsewhere; the masking is the same for the same seed and window. Framed
 * windows are [CLS] text [SEP], the frame never chosen, the text masked by
 * the same rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "data/dataset.h"
#include "data/text.h"

enum { T = 64, WINDOWS = 2000, CHARS = 40 };

/* A text of random letters from an alphabet of CHARS, whose tokenizer knows
 * all but 'Z' (which becomes [UNK], a special token never to be chosen). */
static nnl_text_dataset *letters(void)
{
    static char text[T * WINDOWS + T + 1];
    const char alphabet[CHARS + 1] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMZ";
    uint32_t state = 7;
    for (size_t i = 0; i < sizeof text - 1; i++) {
        state = state * 1664525u + 1013904223u;
        text[i] = alphabet[(state >> 16) % CHARS];
    }
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, alphabet, CHARS - 1, NNL_TEXT_SPECIAL_TOKENS));
    nnl_text_dataset *d;
    assert_ok(nnl_text_dataset_parse(&d, text, sizeof text - 1, tok, 0, 1, "letters"));
    nnl_tokenizer_free(tok);
    return d;
}

/* Samples start, start + T, ... (disjoint windows) of a masked data set. */
static void windows_of(const nnl_dataset *ds, int64_t first, int64_t count, float *x, float *y)
{
    for (int64_t k = 0; k < count; k++) {
        nnl_tensor *tx, *ty;
        const int64_t dims[2] = {1, T};
        assert_ok(nnl_tensor_wrap(&tx, 2, dims, x + k * T));
        assert_ok(nnl_tensor_wrap(&ty, 2, dims, y + k * T));
        assert_ok(nnl_dataset_get_batch(ds, first + k * T, 1, tx, ty));
        nnl_tensor_free(tx);
        nnl_tensor_free(ty);
    }
}

static void assert_share(const char *what, int64_t n, int64_t total, double p)
{
    double share = (double)n / (double)total, sigma = sqrt(p * (1.0 - p) / (double)total);
    if (fabs(share - p) > 4.5 * sigma)
        fail_msg("%s: %.4f of %lld chosen positions, expected %.3f +- %.4f", what, share, (long long)total, p,
                 4.5 * sigma);
}

static void masking_follows_80_10_10(void **state)
{
    (void)state;
    nnl_text_dataset *text = letters();
    const int32_t *tokens;
    int64_t length;
    tokens = nnl_text_dataset_split_tokens(text, NNL_SPLIT_TRAIN, &length);
    nnl_dataset *ds;
    assert_ok(nnl_dataset_masked_lm(&ds, text, NNL_SPLIT_TRAIN, T, 0.15f, 42));
    const int64_t windows = (length - T) / T;
    float *x = malloc(sizeof(float) * (size_t)(windows * T)), *y = malloc(sizeof(float) * (size_t)(windows * T));
    windows_of(ds, 0, windows, x, y);
    int64_t chosen = 0, masked = 0, kept = 0, replaced = 0;
    for (int64_t k = 0; k < windows; k++) {
        int64_t eligible = 0, here = 0;
        for (int64_t t = 0; t < T; t++) {
            const int32_t original = tokens[k * T + t];
            const float xi = x[k * T + t], yi = y[k * T + t];
            eligible += original >= 5;
            if (yi == (float)NNL_LOSS_IGNORE_INDEX) {
                assert_float_equal(xi, (float)original, 0.0f); /* not chosen: untouched */
                continue;
            }
            assert_true(original >= 5); /* [UNK] ('Z') is never chosen */
            assert_float_equal(yi, (float)original, 0.0f);
            here++;
            if (xi == (float)NNL_TOKEN_MASK)
                masked++;
            else if (xi == (float)original)
                kept++;
            else
                replaced++, assert_true(xi >= 5.0f && xi < (float)(5 + CHARS - 1));
        }
        assert_int_equal(here, lroundf(0.15f * (float)eligible));
        chosen += here;
    }
    assert_true(chosen > 15000);
    /* a random replacement draws the original itself 1 time in 39 */
    const double same = 0.1 / (CHARS - 1);
    assert_share("[MASK]", masked, chosen, 0.8);
    assert_share("kept", kept, chosen, 0.1 + same);
    assert_share("replaced", replaced, chosen, 0.1 - same);
    free(x);
    free(y);
    nnl_dataset_free(ds);
    nnl_text_dataset_free(text);
}

static void masking_is_reproducible_per_seed(void **state)
{
    (void)state;
    nnl_text_dataset *text = letters();
    nnl_dataset *a, *b, *c;
    assert_ok(nnl_dataset_masked_lm(&a, text, NNL_SPLIT_TRAIN, T, 0.15f, 1));
    assert_ok(nnl_dataset_masked_lm(&b, text, NNL_SPLIT_TRAIN, T, 0.15f, 1));
    assert_ok(nnl_dataset_masked_lm(&c, text, NNL_SPLIT_TRAIN, T, 0.15f, 2));
    float xa[4 * T], ya[4 * T], xb[4 * T], yb[4 * T], xc[4 * T], yc[4 * T];
    windows_of(a, 100, 4, xa, ya);
    windows_of(b, 100, 4, xb, yb);
    windows_of(c, 100, 4, xc, yc);
    assert_memory_equal(xa, xb, sizeof xa);
    assert_memory_equal(ya, yb, sizeof ya);
    assert_memory_not_equal(ya, yc, sizeof ya);
    /* the same window drawn again (in a batch of fit) is masked the same way */
    float x1[T], y1[T];
    const int64_t again = 100;
    nnl_masked_windows_fill(a, &again, 1, x1, y1);
    assert_memory_equal(x1, xa, sizeof x1);
    assert_memory_equal(y1, ya, sizeof y1);
    nnl_dataset_free(a);
    nnl_dataset_free(b);
    nnl_dataset_free(c);
    nnl_text_dataset_free(text);
}

/* Framed window k: [CLS], tokens[k .. k + T - 2), [SEP]; the frame is never
 * chosen, round(0.15 n) of the n eligible text positions are, and the
 * positions not chosen hold the text. */
static void framed_windows_hold_the_text_between_cls_and_sep(void **state)
{
    (void)state;
    nnl_text_dataset *text = letters();
    int64_t length;
    const int32_t *tokens = nnl_text_dataset_split_tokens(text, NNL_SPLIT_TRAIN, &length);
    nnl_dataset *ds;
    assert_ok(nnl_dataset_masked_lm_framed(&ds, text, NNL_SPLIT_TRAIN, T, 0.15f, 42));
    assert_int_equal(nnl_dataset_size(ds), length - T);
    enum { SAMPLES = 200 };
    float *x = malloc(sizeof(float) * SAMPLES * T), *y = malloc(sizeof(float) * SAMPLES * T);
    windows_of(ds, 0, SAMPLES, x, y); /* windows 0, T, 2T, ... */
    int64_t chosen = 0, masked = 0;
    for (int64_t k = 0; k < SAMPLES; k++) {
        const float *xk = x + k * T, *yk = y + k * T;
        const int32_t *w = tokens + k * T;
        assert_float_equal(xk[0], (float)NNL_TOKEN_CLS, 0.0f);
        assert_float_equal(xk[T - 1], (float)NNL_TOKEN_SEP, 0.0f);
        assert_float_equal(yk[0], (float)NNL_LOSS_IGNORE_INDEX, 0.0f);
        assert_float_equal(yk[T - 1], (float)NNL_LOSS_IGNORE_INDEX, 0.0f);
        int64_t eligible = 0, here = 0;
        for (int64_t t = 1; t < T - 1; t++) {
            eligible += w[t - 1] >= 5;
            if (yk[t] == (float)NNL_LOSS_IGNORE_INDEX) {
                assert_float_equal(xk[t], (float)w[t - 1], 0.0f);
                continue;
            }
            assert_float_equal(yk[t], (float)w[t - 1], 0.0f);
            here++;
            masked += xk[t] == (float)NNL_TOKEN_MASK;
        }
        assert_int_equal(here, lroundf(0.15f * (float)eligible));
        chosen += here;
    }
    assert_share("[MASK] in framed windows", masked, chosen, 0.8);
    free(x);
    free(y);
    nnl_dataset_free(ds);
    nnl_text_dataset_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masking_follows_80_10_10),
        cmocka_unit_test(masking_is_reproducible_per_seed),
        cmocka_unit_test(framed_windows_hold_the_text_between_cls_and_sep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
