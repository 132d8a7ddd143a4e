// The C++ side of the CMake consumer: the umbrella header from C++ and a
// misuse that must come back as a status with a message, not a crash.
#include <cstdio>
#include <cstring>

#include <nnlite.h>

int main()
{
    nnl_tensor *t = nullptr;
    const int64_t bad[1] = {0};
    if (nnl_tensor_create(&t, 1, bad) != NNL_E_INVALID_ARG || t != nullptr ||
        std::strlen(nnl_last_error()) == 0) {
        std::fprintf(stderr, "a zero dimension was not refused with a message\n");
        return 1;
    }
    std::printf("consumer_cpp: nnlite %s refuses a zero dimension: %s\n", nnl_version_string(),
                nnl_last_error());
    return 0;
}
