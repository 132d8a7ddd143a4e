/* Estimator files: every kind round-trips (the loaded estimator predicts
 * exactly as the saved one), and damaged or hostile files give errors with
 * a message, never a crash: truncation, flipped bytes, and well-formed
 * files whose trees point backwards or out of range. */
#include <math.h>

#include "blobs.h"
#include "classic/estimator.h"
#include "fixtures/fixtures.h"
#include "io/safetensors.h"

enum { N = 200, F = 6, K = 3 };

static nnl_estimator *fitted(int kind, int probability)
{
    nnl_dataset *ds = blobs_dataset(N, F, K, 51);
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.n_estimators = 5;
    o.probability = probability;
    nnl_estimator *e = make_estimator(&o, kind);
    assert_ok(nnl_estimator_fit(e, ds));
    nnl_dataset_free(ds);
    return e;
}

static void every_kind_round_trips(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "estimator.safetensors");
    float x[N * F], pa[N * K], pb[N * K];
    int32_t y[N], la[N], lb[N];
    blobs_fill(x, y, N, F, K, 52);
    for (int kind = NNL_ESTIMATOR_LINEAR_SVM; kind <= NNL_ESTIMATOR_FOREST; kind++) {
        nnl_estimator *a = fitted(kind, 1), *b = NULL;
        assert_ok(nnl_estimator_save(a, path));
        assert_ok(nnl_estimator_load(&b, path));
        assert_int_equal(nnl_estimator_kind_of(b), kind);
        assert_int_equal(nnl_estimator_num_classes(b), K);
        assert_int_equal(nnl_estimator_num_features(b), F);
        assert_int_equal(nnl_estimator_size(b), nnl_estimator_size(a));
        assert_ok(nnl_estimator_predict(a, x, N, la));
        assert_ok(nnl_estimator_predict(b, x, N, lb));
        assert_memory_equal(la, lb, sizeof la);
        if (kind != NNL_ESTIMATOR_LINEAR_SVM) {
            assert_ok(nnl_estimator_predict_proba(a, x, N, pa));
            assert_ok(nnl_estimator_predict_proba(b, x, N, pb));
            assert_memory_equal(pa, pb, sizeof pa);
        }
        if (kind >= NNL_ESTIMATOR_TREE) {
            float ia[F], ib[F];
            assert_ok(nnl_estimator_feature_importances(a, ia, F));
            assert_ok(nnl_estimator_feature_importances(b, ib, F));
            assert_memory_equal(ia, ib, sizeof ia);
        }
        nnl_estimator_free(a);
        nnl_estimator_free(b);
    }
    fixture_remove_tree(dir);
}

/* Every prefix and many single-byte changes of a forest file: each load
 * succeeds or fails with a message (ASan and valgrind see the rest). */
static void damaged_files_give_errors(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "forest.safetensors");
    nnl_estimator *e = fitted(NNL_ESTIMATOR_FOREST, 0), *back = NULL;
    assert_ok(nnl_estimator_save(e, path));
    size_t size;
    unsigned char *bytes = fixture_read_file(path, &size);
    for (size_t cut = 0; cut < size; cut += 1 + cut / 4) {
        assert_int_equal(nnl_estimator_load_from_memory(&back, bytes, cut, "cut"), NNL_E_FORMAT);
        assert_null(back);
    }
    for (size_t i = 0; i < size; i += 1 + i / 64) {
        unsigned char saved = bytes[i];
        bytes[i] ^= (unsigned char)(0x5a + i);
        nnl_status s = nnl_estimator_load_from_memory(&back, bytes, size, "flipped");
        if (s != NNL_OK)
            assert_true(strlen(nnl_last_error()) > 0);
        else
            assert_non_null(back);
        nnl_estimator_free(back);
        bytes[i] = saved;
    }
    free(bytes);
    nnl_estimator_free(e);
    fixture_remove_tree(dir);
}

/* A one-tree file written by hand, with node 1's left child `left1`, node
 * 0's feature `feature0`, header `header`. Nodes: 0 splits into 1 and 2, 1
 * splits into 3 and 4. */
static nnl_status load_handmade(const char *path, float feature0, float left1, const char *header)
{
    const float start[2] = {0, 5}, feature[5] = {feature0, 1, -1, -1, -1}, threshold[5] = {0.5f, 0.5f, 0, 0, 0};
    const float left[5] = {1, left1, -1, -1, -1}, right[5] = {2, 4, -1, -1, -1};
    const float value[10] = {0.5f, 0.5f, 0.5f, 0.5f, 0, 1, 1, 0, 0, 1}, importance[2] = {0.5f, 0.5f};
    nnl_st_writer *w;
    assert_ok(nnl_st_writer_create(&w));
    assert_ok(nnl_st_writer_add_metadata(w, "format", "nnlite.estimator"));
    assert_ok(nnl_st_writer_add_metadata(w, "nnlite.estimator", header));
    assert_ok(nnl_st_writer_add_tensor(w, "trees.start", 1, (int64_t[]){2}, start));
    assert_ok(nnl_st_writer_add_tensor(w, "nodes.feature", 1, (int64_t[]){5}, feature));
    assert_ok(nnl_st_writer_add_tensor(w, "nodes.threshold", 1, (int64_t[]){5}, threshold));
    assert_ok(nnl_st_writer_add_tensor(w, "nodes.left", 1, (int64_t[]){5}, left));
    assert_ok(nnl_st_writer_add_tensor(w, "nodes.right", 1, (int64_t[]){5}, right));
    assert_ok(nnl_st_writer_add_tensor(w, "nodes.value", 2, (int64_t[]){5, 2}, value));
    assert_ok(nnl_st_writer_add_tensor(w, "feature_importances", 1, (int64_t[]){2}, importance));
    assert_ok(nnl_st_writer_save(w, path));
    nnl_st_writer_free(w);
    nnl_estimator *e = (nnl_estimator *)1;
    nnl_status s = nnl_estimator_load(&e, path);
    if (s == NNL_OK) {
        const float x[2] = {1.0f, 0.0f};
        int32_t label;
        assert_ok(nnl_estimator_predict(e, x, 1, &label));
        assert_int_equal(label, 1); /* x0 > 0.5: node 2, a leaf of class 1 */
    } else {
        assert_null(e);
    }
    nnl_estimator_free(e);
    return s;
}

static void hostile_trees_are_refused(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "tree.safetensors");
    const char *ok = "{\"kind\":\"tree\",\"num_classes\":2,\"num_features\":2,\"num_trees\":1,\"num_nodes\":5}";
    assert_ok(load_handmade(path, 0, 3, ok));
    assert_status_msg(load_handmade(path, 0, 0, ok), NNL_E_FORMAT, "node 1"); /* a loop back to the root */
    assert_status_msg(load_handmade(path, 0, 1, ok), NNL_E_FORMAT, "node 1"); /* itself */
    assert_status_msg(load_handmade(path, 2, 3, ok), NNL_E_FORMAT, "nodes.feature");
    assert_status_msg(load_handmade(path, 0, 3.5f, ok), NNL_E_FORMAT, "not an integer");
    assert_status_msg(load_handmade(path, 0, NAN, ok), NNL_E_FORMAT, "nodes.left");
    assert_status_msg(load_handmade(path, 0, 3,
                                    "{\"kind\":\"tree\",\"num_classes\":2,\"num_features\":2,\"num_trees\":1,"
                                    "\"num_nodes\":16000000}"),
                      NNL_E_FORMAT, "nodes.value");
    assert_status_msg(load_handmade(path, 0, 3, "{\"kind\":\"bush\"}"), NNL_E_FORMAT, "kind");
    assert_status_msg(load_handmade(path, 0, 3, "[1]"), NNL_E_FORMAT, "not an object");
    fixture_remove_tree(dir);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_round_trips),
        cmocka_unit_test(damaged_files_give_errors),
        cmocka_unit_test(hostile_trees_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
