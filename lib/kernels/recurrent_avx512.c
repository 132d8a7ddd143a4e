/* Recurrent cells (LSTM, GRU), AVX-512: the body of recurrent_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/recurrent_simd.h"
