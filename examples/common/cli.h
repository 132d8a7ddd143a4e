/* The examples' command lines: "--name VALUE" options, "--name" flags and
 * positional arguments, read from one table per program; and the folder an
 * output file goes into.
 *
 *   int64_t epochs = 5;
 *   const char *save = "out/model.safetensors";
 *   const cli_option options[] = {{"--epochs", CLI_INT, &epochs}, {"--save", CLI_STRING, &save}};
 *   if (cli_parse("mnist_cnn", argc, argv, 1, options, CLI_COUNT(options), NULL, 0, NULL) != 0)
 *       return usage();
 */
#ifndef NNL_EXAMPLES_CLI_H
#define NNL_EXAMPLES_CLI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an option's value is, and the type `value` points to. */
typedef enum cli_kind {
    CLI_STRING, /* const char *: the argument itself (borrowed from argv) */
    CLI_INT,    /* int64_t: a whole decimal number */
    CLI_REAL,   /* double: a decimal number */
    CLI_FLAG    /* int: set to 1; the option takes no value */
} cli_kind;

/* One option: its name with the dashes ("--epochs"), its kind, where it goes. */
typedef struct cli_option {
    const char *name;
    cli_kind kind;
    void *value;
} cli_option;

#define CLI_COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

/* Read argv[first] .. argv[argc - 1]. Options may come in any order; a
 * repeated one keeps its last value. Arguments not starting with "--" are
 * positional: they go to positional[0 ..] (borrowed from argv), at most
 * `capacity` of them, and their number to *count (positional may be NULL
 * when the program takes none). Returns 0, or -1 after printing
 * "<program>: <what is wrong>" to stderr (unknown option, missing or
 * malformed value, unexpected or too many positional arguments); the caller
 * then prints its usage. */
int cli_parse(const char *program, int argc, char **argv, int first, const cli_option *options, int n_options,
              const char **positional, int capacity, int *count);

/* Create the folder that will hold `path` (and its parents), so that an
 * example can write "out/model.safetensors" from a fresh checkout; a NULL
 * path or one without a folder needs nothing. Returns 0,
 * or -1 after printing "<program>: cannot create ..." to stderr. */
int cli_make_parent_dir(const char *program, const char *path);

/* cli_make_parent_dir for each of paths[0..count) (NULL entries skipped):
 * every output file a program may write. Returns 0, or -1 at the first failure. */
int cli_make_parent_dirs(const char *program, const char *const *paths, int count);

#ifdef __cplusplus
}
#endif

#endif
