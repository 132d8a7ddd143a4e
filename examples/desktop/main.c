/* A desktop program that recognises a digit drawn with the mouse, with
 * nnlite and GTK 4.
 *
 *   digit_recognizer [--model FILE]
 * The model defaults to models/digits.safetensors, or the installed copy.
 * See recognizer_window.h for what it writes to standard output. */
#include <stdio.h>
#include <string.h>

#include <gtk/gtk.h>

#include "common/cli.h"
#include "common/digit_model.h"
#include "recognizer_window.h"

static void activate(GApplication *app, gpointer model_path)
{
    gtk_window_present(GTK_WINDOW(recognizer_window_new(GTK_APPLICATION(app), model_path)));
}

int main(int argc, char **argv)
{
    const char *model_path = digit_model_default_path();
    const cli_option table[] = {{"--model", CLI_STRING, &model_path}};
    if (cli_parse("digit_recognizer", argc, argv, 1, table, CLI_COUNT(table), NULL, 0, NULL) != 0) {
        fprintf(stderr, "usage: digit_recognizer [--model FILE]\n");
        return 2;
    }
    /* NON_UNIQUE: every run is its own window, and no D-Bus session is needed. */
    GtkApplication *app = gtk_application_new("org.nnlite.DigitRecognizer", G_APPLICATION_NON_UNIQUE);
    g_signal_connect(app, "activate", G_CALLBACK(activate), (gpointer)model_path);
    int status = g_application_run(G_APPLICATION(app), 1, argv); /* our options are not GApplication's */
    g_object_unref(app);
    return status;
}
