#include "progress_bar.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

enum { BAR_WIDTH = 30 };

/* " - accuracy: x", or for a multi-label model (micro-F1 reported) the
 * subset accuracy, micro-F1 and Hamming loss; `prefix` is "" or "val_". */
static void print_scores(const nnl_progress *p, const char *prefix, nnl_progress_key accuracy,
                         nnl_progress_key micro_f1, nnl_progress_key hamming)
{
    double acc = nnl_progress_get(p, accuracy), f1 = nnl_progress_get(p, micro_f1);
    if (!isnan(f1))
        printf(" - %ssubset_accuracy: %.4f - %smicro_f1: %.4f - %shamming_loss: %.4f", prefix, acc, prefix, f1,
               prefix, nnl_progress_get(p, hamming));
    else if (!isnan(acc))
        printf(" - %saccuracy: %.4f", prefix, acc);
}

static void draw(const nnl_progress *p, int finished)
{
    int batch = (int)nnl_progress_get(p, NNL_PROGRESS_BATCH), batches = (int)nnl_progress_get(p, NNL_PROGRESS_BATCHES);
    int filled = batches ? batch * BAR_WIDTH / batches : BAR_WIDTH;
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled - 1 || (finished && i < filled) ? '=' : i == filled - 1 ? '>' : '.';
    bar[BAR_WIDTH] = '\0';
    double elapsed = nnl_progress_get(p, NNL_PROGRESS_ELAPSED), eta = nnl_progress_get(p, NNL_PROGRESS_ETA);
    printf("\r%d/%d [%s] - %s %.1fs - loss: %.4f", batch, batches, bar, finished ? "" : "ETA", finished ? elapsed : eta,
           nnl_progress_get(p, NNL_PROGRESS_LOSS));
    print_scores(p, "", NNL_PROGRESS_ACCURACY, NNL_PROGRESS_MICRO_F1, NNL_PROGRESS_HAMMING_LOSS);
}

int progress_bar_print(const nnl_progress *p, void *user)
{
    (void)user;
    static int is_tty = -1;
    if (is_tty < 0)
        is_tty = isatty(STDOUT_FILENO);
    int batch = (int)nnl_progress_get(p, NNL_PROGRESS_BATCH);
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) == 1) {
        draw(p, 1);
        double val_loss = nnl_progress_get(p, NNL_PROGRESS_VAL_LOSS);
        if (!isnan(val_loss)) {
            printf(" - val_loss: %.4f", val_loss);
            print_scores(p, "val_", NNL_PROGRESS_VAL_ACCURACY, NNL_PROGRESS_VAL_MICRO_F1,
                         NNL_PROGRESS_VAL_HAMMING_LOSS);
        }
        printf("\n");
        fflush(stdout);
        return 0;
    }
    if (batch == 1)
        printf("Epoch %d/%d\n", (int)nnl_progress_get(p, NNL_PROGRESS_EPOCH), (int)nnl_progress_get(p, NNL_PROGRESS_EPOCHS));
    if (is_tty && (batch % 10 == 0 || batch == (int)nnl_progress_get(p, NNL_PROGRESS_BATCHES))) {
        draw(p, 0);
        fflush(stdout);
    }
    return 0;
}
