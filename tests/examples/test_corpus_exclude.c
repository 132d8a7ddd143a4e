/* `bert pretrain --exclude`'s filter (examples/common/corpus_exclude.c) on
 * a hand-made fortune file (tests/examples/tiny_fortunes.txt) and test tsv
 * (tiny_fortunes_test.tsv): ANSI escapes, an attribution indented with
 * U+3000 or a TAB, blank lines around the text, a TAB and a backslash in it,
 * a line break written \n in the tsv, the same text twice, an entry without
 * attribution and a last entry without a closing % line. Five entries are
 * dropped, the two others written as they were; a missing file is an
 * error with its name. Arguments: the two files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/corpus_exclude.h"

static int failures = 0;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "test_corpus_exclude: FAILED: %s\n", what);
        failures++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_corpus_exclude CORPUS TSV\n");
        return 2;
    }
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    int64_t dropped = -1, kept = -1;
    check(out && corpus_exclude("test_corpus_exclude", argv[1], argv[2], out, &dropped, &kept) == 0,
          "corpus_exclude succeeds");
    fclose(out);
    printf("dropped %lld, kept %lld entries\n", (long long)dropped, (long long)kept);
    check(dropped == 5, "5 entries dropped");
    check(kept == 2, "2 entries kept");
    const char *expected = "plain entry without attribution\n%\nkept: its text is not in the tsv\n-- 《道德经》\n%\n";
    check(text && strcmp(text, expected) == 0, "the kept entries as they were, each closed by a % line");
    free(text);

    out = fopen("/dev/null", "w");
    fprintf(stderr, "(an error message naming no-such-file.tsv is expected next)\n");
    check(out && corpus_exclude("test_corpus_exclude", argv[1], "no-such-file.tsv", out, &dropped, &kept) == -1,
          "a missing tsv is an error");
    fclose(out);
    return failures ? 1 : 0;
}
