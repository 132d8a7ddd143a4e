/* The dispatch tables follow the op list (lib/kernels/ops.def): at every
 * level this build and CPU run, every entry is set; an entry whose level
 * has a variant of its own (flag 1 in the list) differs from the scalar
 * oracle, and one without (flag 0) is the scalar function itself. Also: the
 * active table is the one of nnl_simd_level(). */
#include "kernel_test.h"

/* The list's flag for `level` (scalar: the oracle is its own variant). */
static int own_variant(nnl_simd level, int avx2, int avx512, int neon)
{
    switch (level) {
    case NNL_SIMD_AVX2: return avx2;
    case NNL_SIMD_AVX512: return avx512;
    case NNL_SIMD_NEON: return neon;
    default: return 1;
    }
}

static void every_entry_follows_the_list(void **state)
{
    (void)state;
    const nnl_kernels *scalar = scalar_table();
    int levels = 0;
    for (int l = NNL_SIMD_SCALAR; l <= NNL_SIMD_NEON; l++) {
        nnl_simd level = (nnl_simd)l;
        const nnl_kernels *k = nnl_kernels_for(level);
        if (!k)
            continue;
        levels++;
        assert_int_equal(k->level, level);
        int ops = 0;
#define NNL_KERNEL_OP(name, ret, params, avx2, avx512, neon)                                      \
    ops++;                                                                                     \
    if (k->name == NULL)                                                                       \
        fail_msg("level %s: entry %s is NULL", nnl_simd_name(level), #name);                   \
    if (level != NNL_SIMD_SCALAR && own_variant(level, avx2, avx512, neon) && k->name == scalar->name) \
        fail_msg("level %s: entry %s is the scalar function, the list names a variant",         \
                 nnl_simd_name(level), #name);                                                 \
    if (!own_variant(level, avx2, avx512, neon) && k->name != scalar->name)                    \
        fail_msg("level %s: entry %s has no variant in the list but is not the scalar one",     \
                 nnl_simd_name(level), #name);
#include "kernels/ops.def"
#undef NNL_KERNEL_OP
        print_message("level %s: %d entries checked\n", nnl_simd_name(level), ops);
    }
    /* scalar always, plus the machine's own levels */
    assert_true(levels >= 1);
    assert_non_null(nnl_kernels_for(nnl_simd_level()));
}

static void active_table_is_the_chosen_level(void **state)
{
    (void)state;
    const nnl_kernels *active = nnl_kernels_active();
    assert_non_null(active);
    assert_ptr_equal(active, nnl_kernels_for(nnl_simd_level()));
    assert_int_equal(active->level, nnl_simd_level());
    /* levels out of range or not runnable here have no table */
    assert_null(nnl_kernels_for((nnl_simd)-1));
    assert_null(nnl_kernels_for((nnl_simd)(NNL_SIMD_NEON + 1)));
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_entry_follows_the_list),
        cmocka_unit_test(active_table_is_the_chosen_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
