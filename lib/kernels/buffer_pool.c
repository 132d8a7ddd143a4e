/* The pool of reusable float buffers (buffer_pool.h): a list under a
 * mutex; a buffer too small for a request is grown. */
#include "kernels/buffer_pool.h"

#include <pthread.h>

#include "core/alloc.h"

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static nnl_pooled_buffer *pool;

void nnl_buffer_release(nnl_pooled_buffer *buf)
{
    pthread_mutex_lock(&pool_lock);
    buf->next = pool;
    pool = buf;
    pthread_mutex_unlock(&pool_lock);
}

nnl_pooled_buffer *nnl_buffer_acquire(size_t floats)
{
    pthread_mutex_lock(&pool_lock);
    nnl_pooled_buffer *buf = pool;
    if (buf)
        pool = buf->next;
    pthread_mutex_unlock(&pool_lock);
    if (!buf) {
        buf = nnl_alloc(sizeof *buf);
        if (!buf)
            return NULL;
        buf->data = NULL;
        buf->floats = 0;
    }
    if (buf->floats < floats) {
        nnl_dealloc(buf->data);
        size_t bytes = nnl_mul_size(floats, sizeof(float));
        buf->data = bytes ? nnl_alloc(bytes) : NULL;
        buf->floats = buf->data ? floats : 0;
        if (!buf->data) {
            nnl_buffer_release(buf);
            return NULL;
        }
    }
    return buf;
}

__attribute__((destructor)) static void pool_free_all(void)
{
    pthread_mutex_lock(&pool_lock);
    while (pool) {
        nnl_pooled_buffer *next = pool->next;
        nnl_dealloc(pool->data);
        nnl_dealloc(pool);
        pool = next;
    }
    pthread_mutex_unlock(&pool_lock);
}
