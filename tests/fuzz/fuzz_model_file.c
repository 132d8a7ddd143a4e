/* Fuzz target: the model-file loaders. The input is a whole safetensors
 * file; it goes through the sequential model loader and the GPT loader
 * (nnl_st_file_parse, then building the model from the parsed file, the same
 * code as nnl_model_load() and nnl_gpt_load()). A model that loads is then
 * used: summary, and inference when it is small enough to run quickly. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_targets.h"
#include "nn/model_io.h"
#include "nn/gpt_internal.h"
#include "nn/model.h"
#include "nnlite.h"

/* Inference only on models whose per-sample activations stay small, so that
 * an input runs in microseconds (loading already bounds the weights). */
enum { MAX_INPUT_FLOATS = 4096, MAX_ACTIVATION_FLOATS = 1 << 16 };

static int64_t count_floats(int ndim, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < ndim && n <= MAX_ACTIVATION_FLOATS; i++)
        n *= dims[i];
    return n;
}

/* Whether inference on one sample is cheap: small input, small activations. */
static int small_enough(const nnl_model *m)
{
    if (count_floats(m->in_ndim, m->in_dims) > MAX_INPUT_FLOATS)
        return 0;
    int64_t total = 0;
    for (int i = 0; i < m->num_layers && total <= MAX_ACTIVATION_FLOATS; i++)
        total += count_floats(m->layers[i]->out_ndim, m->layers[i]->out_dims);
    return total <= MAX_ACTIVATION_FLOATS;
}

static void use_model(nnl_model *m)
{
    size_t length = 0;
    if (nnl_model_summary(m, NULL, 0, &length) != NNL_OK || length == 0)
        abort();
    if (!small_enough(m))
        return;
    int64_t out_dims[NNL_MAX_DIMS];
    int out_ndim;
    if (nnl_model_output_shape(m, out_dims, NNL_MAX_DIMS, &out_ndim) != NNL_OK)
        abort();
    nnl_tensor *x = NULL, *y = NULL;
    if (nnl_tensor_create(&x, m->in_ndim, m->in_dims) != NNL_OK ||
        nnl_tensor_create(&y, out_ndim, out_dims) != NNL_OK)
        abort(); /* shapes of a loaded model are valid */
    nnl_tensor_fill(x, 0.5f);
    int s = nnl_model_predict(m, x, y); /* hostile weights may give NaN outputs, never a crash */
    if (s != NNL_OK)
        fuzz_check_failure(s);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
}

static int ignore_token(const char *piece, int32_t token, void *user)
{
    (void)token;
    (void)user;
    if (!piece)
        abort();
    return 0;
}

static void use_gpt(nnl_gpt *g)
{
    size_t length = 0;
    if (nnl_gpt_summary(g, NULL, 0, &length) != NNL_OK || length == 0)
        abort();
    /* generation costs block_size x params per token: only for small models */
    if (nnl_gpt_param_count(g) > 100000 || g->config.block_size * g->config.n_embd * g->config.n_layer > 100000)
        return;
    nnl_gpt_generate_options o = NNL_GPT_GENERATE_OPTIONS_INIT;
    o.max_tokens = 3;
    int s = nnl_gpt_generate(g, "a", &o, ignore_token, NULL);
    if (s != NNL_OK)
        fuzz_check_failure(s);
}

int fuzz_model_file(const uint8_t *data, size_t size)
{
    nnl_model *m = (nnl_model *)1;
    int s = nnl_model_load_from_memory(&m, data, size, "fuzz.safetensors");
    if (s != NNL_OK) {
        fuzz_check_failure(s);
        if (m)
            abort();
    } else {
        if (!m)
            abort();
        use_model(m);
        nnl_model_free(m);
    }
    nnl_gpt *g = (nnl_gpt *)1;
    s = gpt_load_from_memory(&g, data, size, "fuzz.safetensors");
    if (s != NNL_OK) {
        fuzz_check_failure(s);
        if (g)
            abort();
    } else {
        if (!g)
            abort();
        use_gpt(g);
        nnl_gpt_free(g);
    }
    return 0;
}
