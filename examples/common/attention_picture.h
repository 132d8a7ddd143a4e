/* A picture of attention weights: one heat map per layer (rows of the
 * picture) and head (columns), queries down and keys across, each axis
 * labelled with the tokens' text. */
#ifndef NNL_EXAMPLES_ATTENTION_PICTURE_H
#define NNL_EXAMPLES_ATTENTION_PICTURE_H

/* weights: layers x heads x n x n (nnl_model_attention_weights());
 * labels: n UTF-8 strings. Returns 0, or -1 when the file cannot be written. */
int attention_picture_write(const char *path, const float *weights, int layers, int heads, int n,
                            const char *const *labels);

#endif
