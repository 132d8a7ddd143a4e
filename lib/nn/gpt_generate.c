/* GPT generation: the prompt encoded with the model's tokenizer, the tokens
 * drawn by nnl_model_generate() (KV caches, sampling, sliding window) and
 * streamed back as UTF-8 pieces. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "data/text.h"
#include "nn/gpt_internal.h"

/* The prompt's ids (an empty prompt starts from a newline). */
static nnl_status encode_prompt(const nnl_gpt *g, const char *prompt, int32_t **ids, int64_t *n, const char *who)
{
    size_t len = strlen(prompt);
    NNL_TRY(nnl_error_in(nnl_tokenizer_encode(g->tokenizer, prompt, len, NNL_TEXT_STRICT, NULL, 0, n), who));
    *ids = nnl_alloc(sizeof(int32_t) * (size_t)(*n > 0 ? *n : 1));
    if (!*ids)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the prompt", who);
    if (*n == 0) {
        (*ids)[0] = nnl_tokenizer_lookup(g->tokenizer, '\n');
        *n = 1;
        return NNL_OK;
    }
    nnl_status st = nnl_tokenizer_encode(g->tokenizer, prompt, len, NNL_TEXT_STRICT, *ids, *n, n);
    if (st != NNL_OK) { /* out of memory while decoding again: the caller gets no ids */
        nnl_dealloc(*ids);
        *ids = NULL;
    }
    return nnl_error_in(st, who);
}

typedef struct piece_stream {
    const nnl_tokenizer *tokenizer;
    nnl_gpt_token_fn on_token;
    void *user;
} piece_stream;

static int stream_piece(int32_t token, void *user)
{
    const piece_stream *s = user;
    return s->on_token(s->tokenizer->pieces[token], token, s->user);
}

nnl_status nnl_gpt_generate(nnl_gpt *gpt, const char *prompt, const nnl_gpt_generate_options *options,
                            nnl_gpt_token_fn on_token, void *user)
{
    static const char who[] = "nnl_gpt_generate";
    NNL_CHECK_PTR(who, gpt);
    NNL_CHECK_PTR(who, prompt);
    NNL_CHECK_PTR(who, on_token);
    nnl_gpt_generate_options o = NNL_GPT_GENERATE_OPTIONS_INIT; /* the caller's options at today's size */
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_gpt_generate_options, NNL_GPT_GENERATE_OPTIONS_INIT,
                                 NNL_GPT_GENERATE_OPTIONS_MIN_SIZE, &o, options, who));
    nnl_generate_options model_options = {sizeof model_options, o.max_tokens, o.temperature, o.top_k, o.top_p,
                                          o.seed};
    int32_t *ids;
    int64_t n;
    NNL_TRY(encode_prompt(gpt, prompt, &ids, &n, who));
    piece_stream stream = {gpt->tokenizer, on_token, user};
    nnl_status s = nnl_model_generate(gpt->model, ids, n, &model_options, stream_piece, &stream);
    nnl_dealloc(ids);
    return nnl_error_in(s, who);
}
