/* Internal: declarations of every per-ISA kernel (nnl_<op>_<isa>) that
 * dispatch.c puts into the tables, generated from the list in ops.def.
 * NNL_HAVE_X86_KERNELS and NNL_HAVE_NEON_KERNELS come from the build
 * (meson): they say which per-ISA libraries are linked in. */
#ifndef NNL_KERNELS_ISA_H
#define NNL_KERNELS_ISA_H

#include "kernels/kernels.h"

#ifndef NNL_HAVE_X86_KERNELS
#define NNL_HAVE_X86_KERNELS 0
#endif
#ifndef NNL_HAVE_NEON_KERNELS
#define NNL_HAVE_NEON_KERNELS 0
#endif

/* NNL_KERNEL_IF(flag, code): `code` when flag is 1, nothing when 0 (the
 * flags of ops.def are literal 0 or 1). */
#define NNL_KERNEL_IF_0(...)
#define NNL_KERNEL_IF_1(...) __VA_ARGS__
#define NNL_KERNEL_IF(flag, ...) NNL_KERNEL_IF_##flag(__VA_ARGS__)

/* For every op of ops.def: nnl_<op>_scalar, and nnl_<op>_<isa> for each
 * level that has a variant of its own. */
#define NNL_KERNEL_OP(name, ret, params, avx2, avx512, neon) \
    ret nnl_##name##_scalar params;                          \
    NNL_KERNEL_IF(avx2, ret nnl_##name##_avx2 params;)       \
    NNL_KERNEL_IF(avx512, ret nnl_##name##_avx512 params;)   \
    NNL_KERNEL_IF(neon, ret nnl_##name##_neon params;)
#include "kernels/ops.def"
#undef NNL_KERNEL_OP

#endif
