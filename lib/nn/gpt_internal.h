/* Internal: the GPT model's representation, shared by lib/nn/gpt*.c and the
 * tests (which compare cached generation with a full forward pass).
 *
 * Notation as llm.c: B batch, T sequence length (<= block_size), C n_embd,
 * NH heads, hs = C / NH, V vocabulary, L layers. Linear weights are stored
 * (out_features, in_features) as in PyTorch, so y = x W^T + b. */
#ifndef NNL_NN_GPT_INTERNAL_H
#define NNL_NN_GPT_INTERNAL_H

#include <stdint.h>

#include "core/rng.h"
#include "nnlite/gpt.h"

/* Parameter tensors of one block, in the order they sit in memory. */
enum {
    GPT_LN1_W, GPT_LN1_B, GPT_QKV_W, GPT_QKV_B, GPT_ATTPROJ_W, GPT_ATTPROJ_B,
    GPT_LN2_W, GPT_LN2_B, GPT_FC_W, GPT_FC_B, GPT_FCPROJ_W, GPT_FCPROJ_B,
    GPT_BLOCK_TENSORS
};

/* Pointers into one flat buffer (the weights, or their gradients, or an Adam
 * moment: all share the layout). */
typedef struct gpt_block_view {
    float *t[GPT_BLOCK_TENSORS];
} gpt_block_view;

typedef struct gpt_view {
    float *wte;      /* (V, C), also the LM head */
    float *wpe;      /* (block_size, C) */
    float *lnf_w, *lnf_b;  /* (C) */
    gpt_block_view *blocks; /* [L], owned by the view */
} gpt_view;

/* One named tensor of the flat layout (for save/load, init, weight decay). */
typedef struct gpt_tensor_info {
    char name[64];
    int ndim;
    int64_t dims[2];
    int64_t offset, count;
    int decay;       /* AdamW weight decay applies (matrices and embeddings) */
    int residual;    /* a projection into the residual stream (init scaled) */
} gpt_tensor_info;

/* Activations of one batch shape, allocated once per (B, T) and reused. */
typedef struct gpt_acts {
    int64_t B, T;
    float *block;     /* one allocation holding every float buffer below */
    int32_t *windows; /* (B, T + 1) drawn from the data */
    int32_t *inputs;  /* (B, T) */
    int32_t *targets; /* (B, T) */
    float *encoded;   /* (B, T, C) embeddings (after dropout) */
    float *ln1, *ln1_mean, *ln1_rstd;   /* (L, B, T, C), (L, B, T) x2 */
    float *qkv;       /* (L, B, T, 3C) */
    float *atty;      /* (L, B, T, C) attention output before the projection */
    float *lse;       /* (L, B, NH, T) softmax log-sum-exp per query */
    float *res2;      /* (L, B, T, C) residual after attention */
    float *ln2, *ln2_mean, *ln2_rstd;
    float *fch;       /* (L, B, T, 4C) MLP hidden before GELU */
    float *fch_gelu;  /* (L, B, T, 4C) after GELU */
    float *res3;      /* (L, B, T, C) residual after the MLP */
    float *lnf, *lnf_mean, *lnf_rstd;   /* (B, T, C), (B, T) x2 */
    float *logits;    /* (B, T, V); holds dlogits after a training forward */
    /* backward scratch */
    float *dres;      /* (B, T, C) gradient of the residual stream */
    float *dbuf;      /* (B, T, C) */
    float *datty;     /* (B, T, C) */
    float *dqkv;      /* (B, T, 3C) */
    float *dfch;      /* (B, T, 4C) */
    /* dropout keep-masks (0 or 1/(1-p)), only when dropout > 0 */
    float *mask_emb;  /* (B, T, C) */
    float *mask_attn; /* (L, B, T, C) */
    float *mask_mlp;  /* (L, B, T, C) */
} gpt_acts;

struct nnl_gpt {
    nnl_gpt_config config;
    int64_t L, NH, C, T, V;
    nnl_tokenizer *tokenizer;

    int64_t num_params;
    int num_tensors;
    gpt_tensor_info *tensors;
    float *params;
    gpt_view w;           /* views of params */
    float *grads;         /* allocated on the first training step */
    gpt_view g;
    float *adam_m, *adam_v;

    int64_t step;         /* optimizer steps taken */
    nnl_rng rng;          /* batches and dropout */

    gpt_acts acts;
};

/* gpt.c */
nnl_status gpt_view_create(const nnl_gpt *gpt, float *base, gpt_view *view);
void gpt_view_free(gpt_view *view);
/* A model with this config and a clone of tokenizer, weights uninitialised. */
nnl_status gpt_alloc(nnl_gpt **out, const nnl_gpt_config *config, const nnl_tokenizer *tokenizer,
                     const char *who);
nnl_status gpt_check_config(const nnl_gpt_config *config, const char *who);
/* Allocate gradients and AdamW moments (zeroed) if not yet there. */
nnl_status gpt_ensure_training_state(nnl_gpt *gpt, const char *who);

/* gpt_io.c: nnl_gpt_load() from `size` bytes (copied), `label` standing for
 * the path; for the model-file fuzz target and its regression tests. */
nnl_status gpt_load_from_memory(nnl_gpt **out, const void *bytes, size_t size, const char *label);

/* gpt_forward.c */
/* Make gpt->acts fit (B, T); reallocates only on a new shape. */
nnl_status gpt_acts_ensure(nnl_gpt *gpt, int64_t B, int64_t T, const char *who);
void gpt_acts_free(gpt_acts *acts);
/* Forward over acts->inputs (B, T). With targets (training or evaluation),
 * returns the summed loss; training also leaves dlogits (scaled by 1/(B T))
 * in acts->logits and applies dropout. Without targets, logits stay logits. */
double gpt_forward(nnl_gpt *gpt, int64_t B, int64_t T, int with_targets, int training);

/* gpt_backward.c */
/* Gradients of the loss of the last training forward, added to gpt->grads. */
void gpt_backward(nnl_gpt *gpt, int64_t B, int64_t T);

/* gpt_generate.c: incremental decoding with a key/value cache. */
typedef struct gpt_generator gpt_generator;
nnl_status gpt_generator_create(gpt_generator **out, nnl_gpt *gpt);
void gpt_generator_free(gpt_generator *gen);
/* Append n tokens at the next positions (pos + n <= block_size) and return
 * the logits (V) after the last of them, borrowed until the next call. */
const float *gpt_generator_feed(gpt_generator *gen, const int32_t *tokens, int64_t n);
void gpt_generator_reset(gpt_generator *gen);
int64_t gpt_generator_position(const gpt_generator *gen);

#endif
