// C++17 wrappers over nnlite's C API, for programs to copy from.
//
// - Every handle lives in a std::unique_ptr with the C destructor as its
//   deleter, so nothing leaks when an exception unwinds the stack.
// - A failing call throws nnl::Error with the status and nnl_last_error(),
//   read at once: the message is per thread and the next call may replace it.
// - Ownership transfers of the C API (a layer to its model, an optimizer to
//   compile) are release() calls made only after the call succeeded; on
//   failure the wrapper still owns the object and frees it.
// - Exceptions never cross the C library: the fit() progress callback
//   catches them, stops training, and rethrows after nnl_model_fit returns.
#ifndef NNLITE_EXAMPLES_CPP_NNLITE_HPP
#define NNLITE_EXAMPLES_CPP_NNLITE_HPP

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nnlite.h>

namespace nnl {

class Error : public std::runtime_error {
public:
    Error(nnl_status status, const std::string &message) : std::runtime_error(message), status_(status) {}
    nnl_status status() const noexcept { return status_; }

private:
    nnl_status status_;
};

// The library's messages name the function and the values involved, e.g.
// "nnl_model_load: cannot open 'x': No such file or directory".
inline void check(nnl_status status)
{
    if (status != NNL_OK)
        throw Error(status, std::string(nnl_last_error()) + " (" + nnl_status_str(status) + ")");
}

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};

template <typename T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

class Tensor {
public:
    explicit Tensor(const std::vector<int64_t> &dims)
    {
        nnl_tensor *t = nullptr;
        check(nnl_tensor_create(&t, static_cast<int>(dims.size()), dims.data()));
        handle_.reset(t);
    }
    Tensor(const std::vector<int64_t> &dims, const std::vector<float> &values) : Tensor(dims)
    {
        if (static_cast<int64_t>(values.size()) != size())
            throw std::invalid_argument("Tensor: values do not match the shape");
        std::copy(values.begin(), values.end(), data());
    }
    float *data() { return nnl_tensor_data(handle_.get()); }
    int64_t size() const { return nnl_tensor_size(handle_.get()); }
    std::vector<float> values() const
    {
        const float *p = nnl_tensor_data_const(handle_.get());
        return std::vector<float>(p, p + size());
    }
    nnl_tensor *get() const { return handle_.get(); }

private:
    Handle<nnl_tensor, nnl_tensor_free> handle_;
};

// A layer not yet added to a model.
class Layer {
public:
    static Layer dense(int64_t units, nnl_activation activation)
    {
        nnl_layer *l = nullptr;
        check(nnl_layer_dense(&l, units, activation));
        return Layer(l);
    }
    nnl_layer *get() const { return handle_.get(); }
    nnl_layer *release() { return handle_.release(); }

private:
    explicit Layer(nnl_layer *l) : handle_(l) {}
    Handle<nnl_layer, nnl_layer_free> handle_;
};

// An optimizer not yet given to a model.
class Optimizer {
public:
    static Optimizer adam(float lr)
    {
        nnl_optimizer *o = nullptr;
        check(nnl_optimizer_adam(&o, lr, 0.9f, 0.999f, 1e-7f));
        return Optimizer(o);
    }
    nnl_optimizer *get() const { return handle_.get(); }
    nnl_optimizer *release() { return handle_.release(); }

private:
    explicit Optimizer(nnl_optimizer *o) : handle_(o) {}
    Handle<nnl_optimizer, nnl_optimizer_free> handle_;
};

class Dataset {
public:
    // count samples of shape sample_dims (values copied) with integer labels.
    Dataset(const std::vector<int64_t> &sample_dims, const std::vector<float> &samples,
            const std::vector<int32_t> &labels)
    {
        nnl_dataset *d = nullptr;
        check(nnl_dataset_create_labeled(&d, static_cast<int64_t>(labels.size()), static_cast<int>(sample_dims.size()),
                                         sample_dims.data(), samples.data(), labels.data()));
        handle_.reset(d);
    }
    nnl_dataset *get() const { return handle_.get(); }

private:
    Handle<nnl_dataset, nnl_dataset_free> handle_;
};

class Model {
public:
    explicit Model(const std::vector<int64_t> &input_dims, uint64_t seed = 0)
    {
        nnl_model *m = nullptr;
        check(nnl_model_create(&m, static_cast<int>(input_dims.size()), input_dims.data()));
        handle_.reset(m);
        check(nnl_model_set_seed(m, seed));
    }
    static Model load(const std::string &path)
    {
        nnl_model *m = nullptr;
        check(nnl_model_load(&m, path.c_str()));
        return Model(m);
    }
    void add(Layer layer)
    {
        check(nnl_model_add(handle_.get(), layer.get()));
        layer.release(); // the model owns it now
    }
    void compile(nnl_loss loss, Optimizer optimizer)
    {
        check(nnl_model_compile(handle_.get(), loss, optimizer.get()));
        optimizer.release();
    }
    // on_epoch(epoch, loss, accuracy) after each epoch; it may throw to stop training.
    void fit(const Dataset &train, int64_t epochs, int64_t batch, uint64_t seed,
             const std::function<void(int, double, double)> &on_epoch = {})
    {
        Progress progress{on_epoch, nullptr};
        nnl_status s = nnl_model_fit(handle_.get(), train.get(), nullptr, epochs, batch, seed,
                                     on_epoch ? report : nullptr, &progress);
        if (progress.failure)
            std::rethrow_exception(progress.failure);
        check(s);
    }
    // Mean loss and accuracy.
    std::pair<double, double> evaluate(const Dataset &data, int64_t batch) const
    {
        double loss = 0, accuracy = 0;
        check(nnl_model_evaluate(handle_.get(), data.get(), batch, &loss, &accuracy));
        return {loss, accuracy};
    }
    // Outputs for a batch x of shape {batch, input...}.
    Tensor predict(const Tensor &x) const
    {
        int64_t dims[NNL_MAX_DIMS];
        int ndim = 0;
        check(nnl_model_output_shape(handle_.get(), dims + 1, NNL_MAX_DIMS - 1, &ndim));
        dims[0] = nnl_tensor_dim(x.get(), 0);
        Tensor y(std::vector<int64_t>(dims, dims + ndim + 1));
        check(nnl_model_predict(handle_.get(), x.get(), y.get()));
        return y;
    }
    void save(const std::string &path) const
    {
        check(nnl_model_save(handle_.get(), path.c_str(), NNL_SAVE_WEIGHTS));
    }

private:
    struct Progress {
        const std::function<void(int, double, double)> &on_epoch;
        std::exception_ptr failure;
    };
    static int report(const nnl_progress *p, void *user) noexcept
    {
        auto *progress = static_cast<Progress *>(user);
        if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) != 1)
            return 0;
        try {
            progress->on_epoch(static_cast<int>(nnl_progress_get(p, NNL_PROGRESS_EPOCH)),
                               nnl_progress_get(p, NNL_PROGRESS_LOSS), nnl_progress_get(p, NNL_PROGRESS_ACCURACY));
            return 0;
        } catch (...) {
            progress->failure = std::current_exception();
            return 1; // stop; fit() rethrows
        }
    }
    explicit Model(nnl_model *m) : handle_(m) {}
    Handle<nnl_model, nnl_model_free> handle_;
};

} // namespace nnl

#endif
