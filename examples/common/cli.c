/* Command lines of the examples: one table-driven parser (see cli.h). */
#include "common/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

static int read_value(const char *program, const cli_option *o, const char *text)
{
    char *end;
    errno = 0;
    if (o->kind == CLI_STRING) {
        *(const char **)o->value = text;
        return 0;
    }
    if (o->kind == CLI_INT) {
        long long v = strtoll(text, &end, 10);
        if (!errno && end != text && !*end) {
            *(int64_t *)o->value = (int64_t)v;
            return 0;
        }
    } else {
        double v = strtod(text, &end);
        if (!errno && end != text && !*end) {
            *(double *)o->value = v;
            return 0;
        }
    }
    fprintf(stderr, "%s: %s needs a %s, got '%s'\n", program, o->name,
            o->kind == CLI_INT ? "whole number" : "number", text);
    return -1;
}

int cli_parse(const char *program, int argc, char **argv, int first, const cli_option *options, int n_options,
              const char **positional, int capacity, int *count)
{
    int n = 0;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            if (!positional || n >= capacity) {
                fprintf(stderr, "%s: unexpected argument '%s'\n", program, arg);
                return -1;
            }
            positional[n++] = arg;
            continue;
        }
        const cli_option *o = NULL;
        for (int k = 0; k < n_options && !o; k++)
            if (!strcmp(arg, options[k].name))
                o = &options[k];
        if (!o) {
            fprintf(stderr, "%s: unknown option %s\n", program, arg);
            return -1;
        }
        if (o->kind == CLI_FLAG) {
            *(int *)o->value = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "%s: %s needs a value\n", program, arg);
            return -1;
        }
        if (read_value(program, o, argv[++i]) != 0)
            return -1;
    }
    if (count)
        *count = n;
    return 0;
}

int cli_make_parent_dir(const char *program, const char *path)
{
    char dir[4096];
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash || slash == path)
        return 0; /* the current folder or the root */
    size_t len = (size_t)(slash - path);
    if (len >= sizeof dir) {
        fprintf(stderr, "%s: path too long: %s\n", program, path);
        return -1;
    }
    memcpy(dir, path, len);
    dir[len] = '\0';
    for (char *p = dir + 1;; p++) {
        int end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "%s: cannot create %s: %s\n", program, dir, strerror(errno));
                return -1;
            }
            if (end)
                break;
            *p = '/';
        }
    }
    return 0;
}

int cli_make_parent_dirs(const char *program, const char *const *paths, int count)
{
    for (int i = 0; i < count; i++)
        if (cli_make_parent_dir(program, paths[i]) != 0)
            return -1;
    return 0;
}
