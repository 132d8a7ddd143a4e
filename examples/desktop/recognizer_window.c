/* Drawing changes the canvas, which schedules a prediction; predictions run
 * on the GTK main loop, at most one per predict_delay_ms, reading the
 * canvas as it is then. The preprocessing is predict_digit's
 * (digit_image_from_grey), so both see the same 28x28 input, and so is the
 * input check ("not sure" in place of the digit). Saliency runs on the main
 * loop too: nnl_model_saliency writes the model's gradients, so it must not
 * overlap another call on the model, and here nothing else runs. */
#include "recognizer_window.h"

#include <stdio.h>

#include "common/digit_image.h"
#include "common/digit_model.h"
#include "digit_canvas.h"
#include "probability_bars.h"

enum { CANVAS_SIDE = 280 };

/* Often enough for the bars to follow the pen, rarely enough that a fast
 * mouse does not queue a prediction per motion event. */
static const guint predict_delay_ms = 60;

typedef struct recognizer {
    GtkWidget *window, *canvas, *digit_label, *bars, *model_label, *clear_button, *saliency_toggle;
    nnl_model *model; /* NULL until one loads */
    guint pending;    /* GLib source of the scheduled prediction, or 0 */
    gulong layout_report; /* handler reporting the layout after the first paint, or 0 */
} recognizer;

static void print_line(const char *line)
{
    puts(line);
    fflush(stdout); /* a test reads it through a pipe or file while we run */
}

static void show_digit(recognizer *r, const char *text)
{
    char *markup = g_markup_printf_escaped("<span size='80pt' weight='bold'>%s</span>", text);
    gtk_label_set_markup(GTK_LABEL(r->digit_label), markup);
    g_free(markup);
}

static void show_nothing(recognizer *r)
{
    show_digit(r, "\u2013");
    probability_bars_set(r->bars, NULL);
}

/* The input check of the whole canvas (ink only): a dot or a canvas full of
 * strokes would look like a digit once cropped and scaled to the model's
 * 20x20 box, so blank and full are judged here, on the canvas. */
static nnl_status check_canvas(recognizer *r, nnl_input_report *check)
{
    float field[DIGIT_SIDE * DIGIT_SIDE];
    const int64_t dims[2] = {DIGIT_SIDE, DIGIT_SIDE};
    nnl_tensor *x = NULL;
    digit_canvas_ink_field(r->canvas, field);
    nnl_status s = nnl_tensor_wrap(&x, 2, dims, field);
    if (s == NNL_OK)
        s = nnl_input_check(x, NULL, 0, NULL, check);
    nnl_tensor_free(x);
    return s;
}

/* Classifies the canvas; 0 when there is something to show (a digit, or
 * "not sure" when the library's input check flags the canvas or the
 * model's answer). With "Show saliency" on, the saliency of the predicted
 * digit goes over the drawing. */
static int classify_canvas(recognizer *r, float *probabilities, int *digit, nnl_input_report *check)
{
    grey_image picture = {0};
    float image[DIGIT_SIDE * DIGIT_SIDE], saliency[DIGIT_SIDE * DIGIT_SIDE];
    digit_placement placement;
    nnl_input_report canvas = NNL_INPUT_REPORT_INIT;
    digit_canvas_set_overlay(r->canvas, NULL, NULL);
    if (!r->model || digit_canvas_to_grey(r->canvas, &picture) != 0)
        return -1;
    /* all zeros when nothing stands out of the paper (the check then says blank) */
    int placed = digit_image_from_grey_placed(&picture, image, &placement) == 0;
    grey_image_free(&picture);
    nnl_status s = check_canvas(r, &canvas);
    if (s == NNL_OK && canvas.ink == 0.0f)
        return -1; /* nothing drawn */
    if (s == NNL_OK)
        s = digit_model_classify(r->model, image, probabilities, digit, check);
    if (s == NNL_OK && canvas.reason != NNL_INPUT_OK) {
        check->reason = canvas.reason;
        check->ink = canvas.ink;
    }
    /* a map of the model's input means little when the canvas itself is flagged */
    int show_saliency = gtk_check_button_get_active(GTK_CHECK_BUTTON(r->saliency_toggle)) &&
                        canvas.reason == NNL_INPUT_OK;
    if (s == NNL_OK && placed && show_saliency &&
        (s = digit_model_explain(r->model, image, *digit, saliency, NULL)) == NNL_OK)
        digit_canvas_set_overlay(r->canvas, saliency, &placement);
    if (s != NNL_OK)
        fprintf(stderr, "digit_recognizer: %s (%s)\n", nnl_last_error(), nnl_status_str(s));
    return s == NNL_OK ? 0 : -1;
}

static gboolean predict(gpointer data)
{
    recognizer *r = data;
    r->pending = 0;
    float probabilities[DIGIT_CLASSES];
    int digit;
    nnl_input_report check = NNL_INPUT_REPORT_INIT;
    if (classify_canvas(r, probabilities, &digit, &check) != 0) {
        show_nothing(r);
        return G_SOURCE_REMOVE;
    }
    char text[64];
    probability_bars_set(r->bars, probabilities);
    if (check.reason != NNL_INPUT_OK) {
        char *markup = g_markup_printf_escaped("<span size='28pt' weight='bold'>not sure</span>\n"
                                               "<span size='11pt'>(%s)</span>", nnl_input_reason_name(check.reason));
        gtk_label_set_markup(GTK_LABEL(r->digit_label), markup);
        g_free(markup);
        g_snprintf(text, sizeof text, "prediction=not sure (%s) p=%.2f", nnl_input_reason_name(check.reason),
                   probabilities[digit]);
    } else {
        g_snprintf(text, sizeof text, "%d", digit);
        show_digit(r, text);
        g_snprintf(text, sizeof text, "prediction=%d p=%.2f", digit, probabilities[digit]);
    }
    print_line(text);
    return G_SOURCE_REMOVE;
}

static void schedule_prediction(void *data)
{
    recognizer *r = data;
    if (!r->pending)
        r->pending = g_timeout_add(predict_delay_ms, predict, r);
}

static void toggle_saliency(GtkCheckButton *button, gpointer data)
{
    recognizer *r = data;
    print_line(gtk_check_button_get_active(button) ? "saliency=on" : "saliency=off");
    schedule_prediction(r);
}

static void clear(GtkButton *button, gpointer data)
{
    (void)button;
    recognizer *r = data;
    digit_canvas_clear(r->canvas);
    digit_canvas_set_overlay(r->canvas, NULL, NULL);
    if (r->pending)
        g_source_remove(r->pending);
    r->pending = 0;
    show_nothing(r);
    print_line("cleared");
}

/* Replaces the model, or keeps the old one and says why not. */
static void load_model(recognizer *r, const char *path)
{
    nnl_model *model = NULL;
    nnl_status s = nnl_model_load(&model, path);
    char *name = g_path_get_basename(path);
    char *text = s == NNL_OK ? g_strdup_printf("Model: %s", name) : g_strdup_printf("Cannot load %s", name);
    gtk_label_set_text(GTK_LABEL(r->model_label), text);
    gtk_widget_set_tooltip_text(r->model_label, s == NNL_OK ? path : nnl_last_error());
    g_free(text);
    g_free(name);
    if (s != NNL_OK) {
        fprintf(stderr, "digit_recognizer: cannot load %s: %s\n", path, nnl_last_error());
        return;
    }
    nnl_model_free(r->model);
    r->model = model;
    text = g_strdup_printf("model=%s", path);
    print_line(text);
    g_free(text);
    schedule_prediction(r);
}

static void on_open_response(GtkNativeDialog *dialog, int response, gpointer data)
{
    if (response == GTK_RESPONSE_ACCEPT) {
        GFile *file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        char *path = g_file_get_path(file);
        if (path)
            load_model(data, path);
        g_free(path);
        g_object_unref(file);
    }
    g_object_unref(dialog);
}

/* GtkFileDialog needs GTK 4.10; Debian 12 has 4.8, so the native chooser. */
static void open_model(GtkButton *button, gpointer data)
{
    (void)button;
    recognizer *r = data;
    GtkFileChooserNative *chooser = gtk_file_chooser_native_new("Open a model", GTK_WINDOW(r->window),
                                                                GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
    GtkFileFilter *filter = gtk_file_filter_new();
    gtk_file_filter_set_name(filter, "nnlite models (*.safetensors)");
    gtk_file_filter_add_pattern(filter, "*.safetensors");
    gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), filter);
    g_object_unref(filter);
    g_signal_connect(chooser, "response", G_CALLBACK(on_open_response), r);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

/* Appends " name=X,Y,W,H" with the widget's place on the window's surface. */
static void describe_place(GString *line, const char *name, GtkWidget *widget, GtkWidget *window)
{
    graphene_point_t origin = GRAPHENE_POINT_INIT(0, 0), point;
    double dx, dy; /* the surface has room for client-side shadows around the window */
    gtk_native_get_surface_transform(GTK_NATIVE(window), &dx, &dy);
    if (gtk_widget_compute_point(widget, window, &origin, &point))
        g_string_append_printf(line, " %s=%d,%d,%d,%d", name, (int)(point.x + dx), (int)(point.y + dy),
                               gtk_widget_get_width(widget), gtk_widget_get_height(widget));
}

/* After the first paint every widget has its final place: report it once. */
static void report_layout(GdkFrameClock *clock, gpointer data)
{
    recognizer *r = data;
    g_signal_handler_disconnect(clock, r->layout_report);
    r->layout_report = 0;
    GString *line = g_string_new("ready");
    describe_place(line, "canvas", r->canvas, r->window);
    describe_place(line, "clear", r->clear_button, r->window);
    describe_place(line, "saliency", r->saliency_toggle, r->window);
    print_line(line->str);
    g_string_free(line, TRUE);
}

static void on_map(GtkWidget *window, gpointer data)
{
    recognizer *r = data;
    if (!r->layout_report)
        r->layout_report =
            g_signal_connect(gtk_widget_get_frame_clock(window), "after-paint", G_CALLBACK(report_layout), r);
}

static void free_recognizer(gpointer data)
{
    recognizer *r = data;
    if (r->pending)
        g_source_remove(r->pending);
    nnl_model_free(r->model);
    g_free(r);
}

static GtkWidget *drawing_side(recognizer *r)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8), *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
    GtkWidget *frame = gtk_frame_new(NULL), *hint = gtk_label_new("Draw a digit with the mouse");
    GtkWidget *open = gtk_button_new_with_mnemonic("_Open model\u2026");
    r->canvas = digit_canvas_new(CANVAS_SIDE, schedule_prediction, r);
    r->clear_button = gtk_button_new_with_mnemonic("_Clear");
    gtk_frame_set_child(GTK_FRAME(frame), r->canvas);
    gtk_widget_add_css_class(hint, "dim-label");
    g_signal_connect(r->clear_button, "clicked", G_CALLBACK(clear), r);
    g_signal_connect(open, "clicked", G_CALLBACK(open_model), r);
    gtk_widget_set_hexpand(r->clear_button, TRUE);
    gtk_widget_set_hexpand(open, TRUE);
    gtk_box_append(GTK_BOX(buttons), r->clear_button);
    gtk_box_append(GTK_BOX(buttons), open);
    gtk_box_append(GTK_BOX(box), frame);
    gtk_box_append(GTK_BOX(box), hint);
    gtk_box_append(GTK_BOX(box), buttons);
    return box;
}

static GtkWidget *result_side(recognizer *r)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
    r->digit_label = gtk_label_new(NULL);
    r->bars = probability_bars_new();
    r->model_label = gtk_label_new("");
    r->saliency_toggle = gtk_check_button_new_with_mnemonic("Show _saliency");
    gtk_widget_set_tooltip_text(r->saliency_toggle, "Colour the drawing by how much each part raises the "
                                "predicted digit's score (the gradient of its logit)");
    g_signal_connect(r->saliency_toggle, "toggled", G_CALLBACK(toggle_saliency), r);
    gtk_label_set_ellipsize(GTK_LABEL(r->model_label), PANGO_ELLIPSIZE_MIDDLE);
    gtk_label_set_max_width_chars(GTK_LABEL(r->model_label), 30);
    gtk_widget_add_css_class(r->model_label, "dim-label");
    gtk_box_append(GTK_BOX(box), r->digit_label);
    gtk_box_append(GTK_BOX(box), r->bars);
    gtk_box_append(GTK_BOX(box), r->saliency_toggle);
    gtk_box_append(GTK_BOX(box), r->model_label);
    return box;
}

GtkWidget *recognizer_window_new(GtkApplication *app, const char *model_path)
{
    recognizer *r = g_new0(recognizer, 1);
    r->window = gtk_application_window_new(app);
    gtk_window_set_title(GTK_WINDOW(r->window), "nnlite digit recognizer");
    gtk_window_set_resizable(GTK_WINDOW(r->window), FALSE);
    g_object_set_data_full(G_OBJECT(r->window), "recognizer", r, free_recognizer);
    GtkWidget *content = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 24);
    gtk_widget_set_margin_top(content, 18);
    gtk_widget_set_margin_bottom(content, 18);
    gtk_widget_set_margin_start(content, 18);
    gtk_widget_set_margin_end(content, 18);
    gtk_box_append(GTK_BOX(content), drawing_side(r));
    gtk_box_append(GTK_BOX(content), result_side(r));
    gtk_window_set_child(GTK_WINDOW(r->window), content);
    g_signal_connect(r->window, "map", G_CALLBACK(on_map), r);
    show_nothing(r);
    load_model(r, model_path);
    return r->window;
}
