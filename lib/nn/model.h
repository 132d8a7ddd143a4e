/* Internal: the sequential model. */
#ifndef NNL_NN_MODEL_H
#define NNL_NN_MODEL_H

#include <pthread.h>

#include "nn/workspace.h"
#include "nnlite/model.h"
#include "optim/optimizer.h"

enum { NNL_MODEL_POOL_SIZE = 8 };

/* One parameter tensor of the model with its file name, e.g. "layers.0.kernel". */
typedef struct nnl_model_param {
    char name[96];
    nnl_param *param;
} nnl_model_param;

struct nnl_model {
    int in_ndim;
    int64_t in_dims[NNL_MAX_DIMS];
    nnl_layer **layers;
    int num_layers, cap_layers;
    uint64_t seed;
    int compiled;
    nnl_loss loss;
    nnl_optimizer *optimizer;
    nnl_model_param *params;        /* flattened, depth first; add appends */
    nnl_param **param_ptrs;         /* the same, as the optimizer wants them */
    int num_params, cap_params;
    nnl_workspace *train_ws;        /* fit/evaluate buffers, reused across batches */
    nnl_tensor *batch_x, *batch_y, *loss_grad;
    int32_t *batch_labels;
    int64_t batch_capacity;
    /* Inference workspaces kept between predict calls (any thread), so a
     * one-image prediction allocates nothing once warm. */
    pthread_mutex_t pool_lock;
    nnl_workspace *pool[NNL_MODEL_POOL_SIZE];
    int pool_count;
};

/* Take an inference workspace from the pool (or a new one) and give it back. */
nnl_status nnl_model_workspace_acquire(const nnl_model *m, nnl_workspace **ws);
void nnl_model_workspace_release(const nnl_model *m, nnl_workspace *ws);

/* Per-sample output shape of the last layer (the input shape when empty). */
void nnl_model_out_shape(const nnl_model *m, int *ndim, const int64_t **dims);

/* Check a data set's sample (and, with targets, target) shape against the model. */
nnl_status nnl_model_check_data(const nnl_model *m, const nnl_dataset *data, int with_targets, const char *who);

/* Inference of x {B, in...} with a caller workspace; *y is borrowed from it. */
nnl_status nnl_model_forward(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x, int training,
                             nnl_rng *rng, const nnl_tensor **y);

#endif
