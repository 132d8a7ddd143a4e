/**
 * @file nnlite/export.h
 * @brief Symbol visibility and C/C++ linkage macros shared by every public header.
 */
#ifndef NNLITE_EXPORT_H
#define NNLITE_EXPORT_H

/** @cond INTERNAL */
#if defined(_WIN32) && defined(NNL_BUILDING_LIBRARY)
#  define NNL_API __declspec(dllexport)
#elif defined(_WIN32)
#  define NNL_API
#elif defined(NNL_BUILDING_LIBRARY) && defined(__GNUC__)
#  define NNL_API __attribute__((visibility("default")))
#else
#  define NNL_API
#endif

#ifdef __cplusplus
#  define NNL_BEGIN_DECLS extern "C" {
#  define NNL_END_DECLS }
#else
#  define NNL_BEGIN_DECLS
#  define NNL_END_DECLS
#endif
/** @endcond */

#endif
