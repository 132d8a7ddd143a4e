/* Internal: the GPT convenience over nnl_model, shared by lib/nn/gpt*.c and
 * the tests.
 *
 * The model (gpt_build_model):
 *   layers.0  embedding(V, C)            token embedding, "transformer.wte.weight"
 *   layers.1  position_embedding(T)      "transformer.wpe.weight"
 *  [layers.2  dropout(p)                 only when the config has dropout]
 *   then L    transformer_block(NH, C, p)
 *   then      layernorm(1e-5)            "transformer.ln_f"
 *   last      tied_output(0)             the LM head, wte's table
 * Its parameters, depth first, come in exactly the order of nanoGPT's
 * tensors, so tensor i of a GPT file is model parameter i; the four linear
 * weights of a block are stored (in, out) in the model and (out, in) in the
 * file, as PyTorch's nn.Linear. */
#ifndef NNL_NN_GPT_INTERNAL_H
#define NNL_NN_GPT_INTERNAL_H

#include <stdint.h>

#include "nn/model.h"
#include "nnlite/gpt.h"

struct nnl_gpt {
    nnl_gpt_config config;
    nnl_tokenizer *tokenizer;
    nnl_model *model;
};

/* One tensor of the nanoGPT layout and the model parameter it is. */
typedef struct gpt_tensor {
    char name[64];         /* "transformer.h.0.attn.c_attn.weight" */
    int ndim;
    int64_t dims[2];       /* as in the file: (out, in) for linear weights */
    int transposed;        /* the model holds it (in, out) */
    int residual;          /* a projection into the residual stream (init scaled by 1/sqrt(2 L)) */
    nnl_param *param;      /* the model's parameter */
    int slot;              /* its index among the model's parameters (optimizer state) */
} gpt_tensor;

/* The tensors of a GPT's model in file order (free with nnl_dealloc). */
nnl_status gpt_tensors(const nnl_gpt *gpt, gpt_tensor **out, int *count);

/* file (rows, cols) -> model (cols, rows) and back (a plain copy when not transposed). */
void gpt_tensor_to_model(const gpt_tensor *t, const float *file, float *model);
void gpt_tensor_to_file(const gpt_tensor *t, const float *model, float *file);

nnl_status gpt_check_config(const nnl_gpt_config *config, const char *who);
/* A GPT of this config over a clone of tokenizer; weights as the layers
 * initialise them (nnl_gpt_create then draws GPT-2's initialisation). */
nnl_status gpt_alloc(nnl_gpt **out, const nnl_gpt_config *config, const nnl_tokenizer *tokenizer,
                     const char *who);

/* gpt_io.c: nnl_gpt_load() from `size` bytes (copied), `label` standing for
 * the path; for the model-file fuzz target and its regression tests. */
nnl_status gpt_load_from_memory(nnl_gpt **out, const void *bytes, size_t size, const char *label);

#endif
