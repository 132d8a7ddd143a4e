/* Sized option structs: one reading of struct_size for every public struct
 * (docs/versioning.md, "What is compatible"). */
#include "core/options.h"

#include <string.h>

#include "core/error.h"

/* The struct_size of a caller's struct (its first member). */
static size_t struct_size_of(const void *s)
{
    size_t n;
    memcpy(&n, s, sizeof n);
    return n;
}

/* The size checks common to input and output structs. */
static nnl_status check_size(const nnl_options_type *type, size_t n, const char *who)
{
    if (n < type->min_size || n < sizeof(size_t))
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: %s struct_size=%zu is smaller than its first version's %zu bytes "
                         "(initialise it with %s)",
                         who, type->name, n, type->min_size, type->init);
    if (n > NNL_OPTIONS_MAX_SIZE)
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: %s struct_size=%zu is not a struct size (more than %zu bytes; initialise it with %s)",
                         who, type->name, n, NNL_OPTIONS_MAX_SIZE, type->init);
    return NNL_OK;
}

nnl_status nnl_options_read(const nnl_options_type *type, void *out, const void *in, const char *who)
{
    memcpy(out, type->defaults, type->size);
    size_t n = struct_size_of(in);
    NNL_TRY(check_size(type, n, who));
    if (n > type->size) {
        const unsigned char *tail = (const unsigned char *)in + type->size;
        for (size_t i = 0; i < n - type->size; i++)
            if (tail[i] != 0)
                return nnl_error(NNL_E_INVALID_ARG,
                                 "%s: %s struct_size=%zu has members this library does not know: byte %zu "
                                 "is not zero (this nnlite's %s is %zu bytes; a newer one's members must "
                                 "stay zero here)",
                                 who, type->name, n, type->size + i, type->name, type->size);
        n = type->size;
    }
    memcpy(out, in, n);
    memcpy(out, &type->size, sizeof type->size);
    return NNL_OK;
}

nnl_status nnl_options_write(const nnl_options_type *type, void *out, const void *value, const char *who)
{
    size_t n = struct_size_of(out);
    NNL_TRY(check_size(type, n, who));
    if (n > type->size)
        n = type->size;
    memcpy((unsigned char *)out + sizeof(size_t), (const unsigned char *)value + sizeof(size_t),
           n - sizeof(size_t));
    return NNL_OK;
}
