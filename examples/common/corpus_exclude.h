/* A pretraining corpus without the lines of a test set: `bert pretrain
 * --exclude TEST_TSV`, so that masked-LM pretraining never reads a line the
 * classifier is tested on.
 *
 * The corpus is a fortune file (Debian's fortunes-zh `chinese`): entries
 * separated by lines that are just `%`, ANSI escapes stripped. An entry's
 * text is what scripts/make-classics-tsv.py writes to the tsv: the entry
 * without its attribution (its last line starting, after spaces, with
 * `--`), blank lines at either end trimmed, `\` `TAB` and line breaks
 * written `\\` `\t` `\n`. An entry whose text is the text of a line of the
 * tsv (`label<TAB>text`) is dropped; the others are written as the script
 * writes data/classics-zh/pretrain.txt (its lines, then a `%` line), so the
 * fortunes file with --exclude data/classics-zh/test.tsv gives that file. */
#ifndef NNL_EXAMPLES_CORPUS_EXCLUDE_H
#define NNL_EXAMPLES_CORPUS_EXCLUDE_H

#include <stdint.h>
#include <stdio.h>

/* Writes the entries of the corpus file at corpus_path whose text is not a
 * line of the tsv file at tsv_path to `out`; *dropped receives how many were
 * left out, *kept how many were written. Returns 0, or -1 after printing
 * "program: ..." and the reason to stderr (a file that cannot be read or
 * written, memory). */
int corpus_exclude(const char *program, const char *corpus_path, const char *tsv_path, FILE *out,
                   int64_t *dropped, int64_t *kept);

#endif
