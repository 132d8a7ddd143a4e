#include "progress_bar.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

enum { BAR_WIDTH = 30 };

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
    double acc = nnl_progress_get(p, NNL_PROGRESS_ACCURACY);
    if (!isnan(acc))
        printf(" - accuracy: %.4f", acc);
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
        if (!isnan(val_loss))
            printf(" - val_loss: %.4f - val_accuracy: %.4f", val_loss, nnl_progress_get(p, NNL_PROGRESS_VAL_ACCURACY));
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
