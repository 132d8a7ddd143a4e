/* The drawing lives in a cairo image surface (RGB24) that the drawing area
 * paints; a GtkGestureDrag turns mouse motion into line segments with
 * round caps and joins, so fast strokes stay continuous. */
#include "digit_canvas.h"

#include <string.h>

#include "common/heatmap.h"

typedef struct canvas_state {
    cairo_surface_t *surface;
    double last_x, last_y; /* end of the stroke so far */
    digit_canvas_changed_fn changed;
    void *user;
    int has_overlay;
    float overlay[DIGIT_SIDE * DIGIT_SIDE];
    digit_placement placement;
} canvas_state;

/* Brush diameter relative to the side: a digit drawn across most of the
 * canvas then has strokes about 2.5 pixels wide once scaled to 20x20, like
 * MNIST's pen. */
static const double brush_fraction = 1.0 / 12.0;

static canvas_state *state_of(GtkWidget *canvas)
{
    return g_object_get_data(G_OBJECT(canvas), "digit-canvas");
}

static void free_state(gpointer data)
{
    canvas_state *state = data;
    cairo_surface_destroy(state->surface);
    g_free(state);
}

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
    (void)area;
    canvas_state *state = data;
    cairo_set_source_surface(cr, state->surface, 0, 0);
    cairo_paint(cr);
    if (!state->has_overlay)
        return;
    const digit_placement *p = &state->placement;
    const heatmap map = {.values = state->overlay, .rows = DIGIT_SIDE, .cols = DIGIT_SIDE};
    cairo_rectangle(cr, 0, 0, width, height); /* the 28x28 field may reach past the canvas */
    cairo_clip(cr);
    heatmap_draw_cells(cr, &map, p->x0 - p->dx * p->sx, p->y0 - p->dy * p->sy, DIGIT_SIDE * p->sx,
                       DIGIT_SIDE * p->sy, 0.85);
}

void digit_canvas_set_overlay(GtkWidget *canvas, const float *map, const digit_placement *placement)
{
    canvas_state *state = state_of(canvas);
    state->has_overlay = map != NULL;
    if (map) {
        memcpy(state->overlay, map, sizeof state->overlay);
        state->placement = *placement;
    }
    gtk_widget_queue_draw(canvas);
}

static void stroke_to(GtkWidget *canvas, double x, double y)
{
    canvas_state *state = state_of(canvas);
    cairo_t *cr = cairo_create(state->surface);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, brush_fraction * cairo_image_surface_get_width(state->surface));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_move_to(cr, state->last_x, state->last_y);
    cairo_line_to(cr, x, y);
    cairo_stroke(cr);
    cairo_destroy(cr);
    state->last_x = x;
    state->last_y = y;
    gtk_widget_queue_draw(canvas);
    state->changed(state->user);
}

static void on_drag_begin(GtkGestureDrag *gesture, double x, double y, gpointer data)
{
    (void)gesture;
    canvas_state *state = state_of(data);
    state->last_x = x;
    state->last_y = y;
    stroke_to(data, x, y); /* a click leaves a dot */
}

/* GTK merges the motion events of one frame into the last one, so a busy
 * main loop would turn a curve into a few chords; the merged positions are
 * in the event's history (surface coordinates, hence the shift). */
static void on_drag_update(GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
    double x, y, event_x, event_y;
    gtk_gesture_drag_get_start_point(gesture, &x, &y);
    x += dx;
    y += dy;
    GdkEvent *event = gtk_event_controller_get_current_event(GTK_EVENT_CONTROLLER(gesture));
    guint count = 0;
    GdkTimeCoord *history = NULL;
    if (event && gdk_event_get_position(event, &event_x, &event_y))
        history = gdk_event_get_history(event, &count);
    for (guint i = 0; i < count; i++)
        stroke_to(data, history[i].axes[GDK_AXIS_X] - event_x + x, history[i].axes[GDK_AXIS_Y] - event_y + y);
    g_free(history);
    stroke_to(data, x, y);
}

GtkWidget *digit_canvas_new(int side, digit_canvas_changed_fn changed, void *user)
{
    GtkWidget *canvas = gtk_drawing_area_new();
    canvas_state *state = g_new0(canvas_state, 1);
    state->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
    state->changed = changed;
    state->user = user;
    g_object_set_data_full(G_OBJECT(canvas), "digit-canvas", state, free_state);
    gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(canvas), side);
    gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(canvas), side);
    gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(canvas), draw, state, NULL);
    gtk_widget_set_halign(canvas, GTK_ALIGN_CENTER);
    gtk_widget_set_valign(canvas, GTK_ALIGN_CENTER);
    gtk_widget_set_cursor_from_name(canvas, "crosshair");
    GtkGesture *drag = gtk_gesture_drag_new();
    gtk_gesture_single_set_button(GTK_GESTURE_SINGLE(drag), GDK_BUTTON_PRIMARY);
    g_signal_connect(drag, "drag-begin", G_CALLBACK(on_drag_begin), canvas);
    g_signal_connect(drag, "drag-update", G_CALLBACK(on_drag_update), canvas);
    gtk_widget_add_controller(canvas, GTK_EVENT_CONTROLLER(drag));
    digit_canvas_clear(canvas);
    return canvas;
}

void digit_canvas_clear(GtkWidget *canvas)
{
    cairo_t *cr = cairo_create(state_of(canvas)->surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_destroy(cr);
    gtk_widget_queue_draw(canvas);
}

int digit_canvas_to_grey(GtkWidget *canvas, grey_image *out)
{
    cairo_surface_t *surface = state_of(canvas)->surface;
    cairo_surface_flush(surface);
    int width = cairo_image_surface_get_width(surface), height = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *data = cairo_image_surface_get_data(surface);
    if (grey_image_alloc(out, width, height) != 0)
        return -1;
    for (int y = 0; y < height; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < width; x++)
            out->pixels[(size_t)y * (size_t)width + (size_t)x] = (float)(row[x] & 0xff) / 255.0f; /* blue = grey */
    }
    return 0;
}

void digit_canvas_ink_field(GtkWidget *canvas, float *field)
{
    cairo_surface_t *surface = state_of(canvas)->surface;
    cairo_surface_flush(surface);
    int side = cairo_image_surface_get_width(surface), stride = cairo_image_surface_get_stride(surface);
    const unsigned char *data = cairo_image_surface_get_data(surface);
    for (int by = 0; by < DIGIT_SIDE; by++)
        for (int bx = 0; bx < DIGIT_SIDE; bx++) {
            /* block [y0, y1) x [x0, x1): the canvas side need not be a multiple of 28 */
            int y0 = by * side / DIGIT_SIDE, y1 = (by + 1) * side / DIGIT_SIDE;
            int x0 = bx * side / DIGIT_SIDE, x1 = (bx + 1) * side / DIGIT_SIDE;
            double ink = 0;
            for (int y = y0; y < y1; y++) {
                const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
                for (int x = x0; x < x1; x++)
                    ink += 1.0 - (double)(row[x] & 0xff) / 255.0;
            }
            int count = (y1 - y0) * (x1 - x0);
            field[by * DIGIT_SIDE + bx] = count > 0 ? (float)(ink / count) : 0.0f;
        }
}
