/* Recurrent cells (LSTM, GRU), AVX2: the body of recurrent_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/recurrent_simd.h"
