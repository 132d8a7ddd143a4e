/* Growable arrays of tree nodes (tree_nodes.h). */
#include <string.h>

#include "classic/tree_nodes.h"
#include "core/alloc.h"
#include "core/error.h"

/* Indices are saved as float32, exact up to 2^24. */
#define MAX_NODES ((int64_t)1 << 24)

void nnl_tree_nodes_init(nnl_tree_nodes *t, int32_t num_classes)
{
    memset(t, 0, sizeof *t);
    t->num_classes = num_classes;
}

void nnl_tree_nodes_free(nnl_tree_nodes *t)
{
    nnl_dealloc(t->feature);
    nnl_dealloc(t->threshold);
    nnl_dealloc(t->left);
    nnl_dealloc(t->right);
    nnl_dealloc(t->value);
    nnl_tree_nodes_init(t, t->num_classes);
}

/* *p grown from `used` to `capacity` elements of `size` bytes. */
static int grow(void **p, int64_t used, int64_t capacity, size_t size)
{
    void *q = nnl_alloc(nnl_mul_size((size_t)capacity, size));
    if (!q)
        return 0;
    if (used)
        memcpy(q, *p, (size_t)used * size);
    nnl_dealloc(*p);
    *p = q;
    return 1;
}

nnl_status nnl_tree_nodes_reserve(nnl_tree_nodes *t, int64_t count)
{
    if (count <= t->capacity)
        return NNL_OK;
    if (count > MAX_NODES)
        return nnl_error(NNL_E_NOMEM, "tree: more than 2^24 nodes");
    int64_t cap = t->capacity ? t->capacity : 64;
    while (cap < count)
        cap *= 2;
    cap = cap < MAX_NODES ? cap : MAX_NODES;
    size_t k = (size_t)t->num_classes;
    if (!grow((void **)&t->feature, t->count, cap, sizeof(int32_t)) ||
        !grow((void **)&t->threshold, t->count, cap, sizeof(float)) ||
        !grow((void **)&t->left, t->count, cap, sizeof(int32_t)) ||
        !grow((void **)&t->right, t->count, cap, sizeof(int32_t)) ||
        !grow((void **)&t->value, t->count, cap, k * sizeof(float)))
        return nnl_error(NNL_E_NOMEM, "tree: out of memory for %lld nodes", (long long)cap);
    t->capacity = cap;
    return NNL_OK;
}

nnl_status nnl_tree_nodes_add(nnl_tree_nodes *t, int64_t *index)
{
    NNL_TRY(nnl_tree_nodes_reserve(t, t->count + 1));
    int64_t i = t->count++;
    t->feature[i] = -1;
    t->threshold[i] = 0.0f;
    t->left[i] = t->right[i] = -1;
    memset(t->value + i * t->num_classes, 0, (size_t)t->num_classes * sizeof(float));
    *index = i;
    return NNL_OK;
}

nnl_status nnl_tree_nodes_append(nnl_tree_nodes *dst, const nnl_tree_nodes *src)
{
    NNL_TRY(nnl_tree_nodes_reserve(dst, dst->count + src->count));
    int64_t base = dst->count, k = dst->num_classes;
    for (int64_t i = 0; i < src->count; i++) {
        dst->feature[base + i] = src->feature[i];
        dst->threshold[base + i] = src->threshold[i];
        dst->left[base + i] = src->left[i] < 0 ? -1 : (int32_t)(src->left[i] + base);
        dst->right[base + i] = src->right[i] < 0 ? -1 : (int32_t)(src->right[i] + base);
    }
    memcpy(dst->value + base * k, src->value, (size_t)(src->count * k) * sizeof(float));
    dst->count += src->count;
    return NNL_OK;
}

int64_t nnl_tree_leaf(const nnl_tree_nodes *t, int64_t root, const float *x)
{
    int64_t i = root;
    while (t->feature[i] >= 0)
        i = x[t->feature[i]] <= t->threshold[i] ? t->left[i] : t->right[i];
    return i;
}
