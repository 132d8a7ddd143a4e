/**
 * @file nnlite.h
 * @brief Umbrella header: include this to use all of nnlite.
 */
#ifndef NNLITE_H
#define NNLITE_H

#include "nnlite/export.h"
#include "nnlite/version.h"
#include "nnlite/status.h"
#include "nnlite/runtime.h"
#include "nnlite/tensor.h"
#include "nnlite/text.h"
#include "nnlite/gpt.h"
#include "nnlite/blas.h"
#include "nnlite/dataset.h"
#include "nnlite/layer.h"
#include "nnlite/optim.h"
#include "nnlite/model.h"
#include "nnlite/history.h"
#include "nnlite/metrics.h"
#include "nnlite/estimator.h"
#include "nnlite/saliency.h"
#include "nnlite/input_check.h"
#include "nnlite/profile.h"

#endif
