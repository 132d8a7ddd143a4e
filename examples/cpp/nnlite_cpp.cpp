// nnlite from C++ through the RAII wrappers of nnlite.hpp.
//
//   nnlite_cpp classify [--model FILE] IMAGE.pgm...
//       Loads a digits model (default models/digits.safetensors) and prints
//       "IMAGE: digit=N p=0.xx" for each picture, preprocessed like MNIST by
//       the C helpers the C examples use.
//   nnlite_cpp train [--save FILE]
//       (FILE defaults to out/nnlite_cpp.safetensors, its folder made if missing.)
//       Trains a tiny network to tell points inside a circle from points
//       outside, saves it, loads it back and checks that the reloaded model
//       predicts the same; the last line is "test_accuracy=0.xx reloaded=same".
//
// Errors arrive as nnl::Error exceptions carrying nnl_last_error().
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include "common/digit_image.h"
#include "common/pgm_read.h"
#include "nnlite.hpp"

namespace {

// The C picture struct, freed when it goes out of scope.
struct Picture {
    grey_image image{};
    ~Picture() { grey_image_free(&image); }
};

std::vector<float> read_digit(const std::string &path)
{
    Picture picture;
    char error[256];
    std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file)
        throw std::runtime_error(path + ": " + std::strerror(errno));
    if (pgm_read(file.get(), &picture.image, error, sizeof error) != 0)
        throw std::runtime_error(path + ": " + error);
    std::vector<float> digit(DIGIT_SIDE * DIGIT_SIDE);
    if (digit_image_from_grey(&picture.image, digit.data()) != 0)
        throw std::runtime_error(path + ": the picture is blank");
    return digit;
}

int classify(const std::string &model_path, const std::vector<std::string> &images)
{
    nnl::Model model = nnl::Model::load(model_path);
    for (const std::string &path : images) {
        nnl::Tensor x({1, DIGIT_SIDE, DIGIT_SIDE, 1}, read_digit(path));
        std::vector<float> p = model.predict(x).values();
        auto best = std::max_element(p.begin(), p.end());
        std::printf("%s: digit=%d p=%.2f\n", path.c_str(), static_cast<int>(best - p.begin()), *best);
    }
    return 0;
}

// Points uniform in [-1, 1]^2, labelled 1 inside the circle of radius 0.7.
// mt19937 is specified exactly by the standard, so the data are the same everywhere.
struct Points {
    std::vector<float> xy;
    std::vector<int32_t> labels;
};

Points circle_points(int count, uint32_t seed)
{
    std::mt19937 rng(seed);
    Points points;
    for (int i = 0; i < count; i++) {
        float x = static_cast<float>(rng()) / 2147483648.0f - 1.0f;
        float y = static_cast<float>(rng()) / 2147483648.0f - 1.0f;
        points.xy.insert(points.xy.end(), {x, y});
        points.labels.push_back(x * x + y * y < 0.49f ? 1 : 0);
    }
    return points;
}

int train(const std::string &save_path)
{
    Points train_points = circle_points(512, 1), test_points = circle_points(256, 2);
    nnl::Dataset train_set({2}, train_points.xy, train_points.labels);
    nnl::Dataset test_set({2}, test_points.xy, test_points.labels);
    nnl::Model model({2}, 42);
    model.add(nnl::Layer::dense(16, NNL_ACT_TANH));
    model.add(nnl::Layer::dense(16, NNL_ACT_TANH));
    model.add(nnl::Layer::dense(2, NNL_ACT_SOFTMAX));
    model.compile(NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, nnl::Optimizer::adam(0.02f));
    model.fit(train_set, 60, 32, 7, [](int epoch, double loss, double accuracy) {
        if (epoch % 20 == 0)
            std::printf("epoch %d: loss %.4f accuracy %.4f\n", epoch, loss, accuracy);
    });
    double accuracy = model.evaluate(test_set, 64).second;
    std::filesystem::path folder = std::filesystem::path(save_path).parent_path();
    if (!folder.empty())
        std::filesystem::create_directories(folder);
    model.save(save_path);
    nnl::Model reloaded = nnl::Model::load(save_path);
    nnl::Tensor x({256, 2}, test_points.xy);
    bool same = model.predict(x).values() == reloaded.predict(x).values();
    try {
        nnl::Model::load(save_path + ".missing");
    } catch (const nnl::Error &e) {
        std::printf("a missing file raises nnl::Error (status %d): %s\n", e.status(), e.what());
    }
    std::printf("test_accuracy=%.2f reloaded=%s\n", accuracy, same ? "same" : "different");
    return accuracy >= 0.9 && same ? 0 : 1;
}

int usage()
{
    std::fprintf(stderr, "usage: nnlite_cpp classify [--model FILE] IMAGE.pgm...\n"
                         "       nnlite_cpp train [--save FILE]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty())
        return usage();
    std::string command = args[0], file;
    args.erase(args.begin());
    if (args.size() >= 2 && args[0] == (command == "classify" ? "--model" : "--save")) {
        file = args[1];
        args.erase(args.begin(), args.begin() + 2);
    }
    try {
        if (command == "classify" && !args.empty())
            return classify(file.empty() ? "models/digits.safetensors" : file, args);
        if (command == "train" && args.empty())
            return train(file.empty() ? "out/nnlite_cpp.safetensors" : file);
        return usage();
    } catch (const std::exception &e) {
        std::cerr << "nnlite_cpp: " << e.what() << "\n";
        return 1;
    }
}
