/* Line charts (chart.h): each panel maps the range of its finite points,
 * padded, onto a plot area with "nice" ticks (1, 2 or 5 times a power of
 * ten), draws the series clipped to it, and puts the legend in the corner
 * where it hides the fewest points. */
#include "chart.h"

#include <math.h>
#include <stdio.h>

#include "picture.h"

enum { PANEL_W = 640, PANEL_H = 440, TITLE_H = 44 };
/* The plot area inside a panel: room for tick labels and axis labels. */
static const double LEFT = 86, RIGHT = 24, TOP = 40, BOTTOM = 62;

typedef struct range {
    double lo, hi;
} range;

typedef struct frame {
    double x0, y0, w, h; /* plot area in pixels */
    range x, y;          /* data range shown */
    double y_scale;
} frame;

static double px(const frame *f, double x) { return f->x0 + (x - f->x.lo) / (f->x.hi - f->x.lo) * f->w; }
static double py(const frame *f, double y) { return f->y0 + f->h - (y * f->y_scale - f->y.lo) / (f->y.hi - f->y.lo) * f->h; }

/* The range of the finite x (or y) values of every series. */
static range data_range(const chart_panel *p, int of_y)
{
    range r = {INFINITY, -INFINITY};
    for (int s = 0; s < p->series_count; s++)
        for (int i = 0; i < p->series[s].count; i++) {
            double v = of_y ? p->series[s].y[i] * p->y_scale : p->series[s].x[i];
            if (isfinite(v) && isfinite(p->series[s].y[i])) {
                r.lo = v < r.lo ? v : r.lo;
                r.hi = v > r.hi ? v : r.hi;
            }
        }
    if (!(r.lo <= r.hi))
        return (range){0, 1};
    if (r.hi - r.lo < 1e-12 * (fabs(r.hi) + 1)) { /* one value: a band around it */
        double pad = fabs(r.lo) > 0 ? 0.1 * fabs(r.lo) : 1;
        return (range){r.lo - pad, r.hi + pad};
    }
    return r;
}

/* The tick spacing for about `count` ticks over r: 1, 2 or 5 x 10^k. */
static double tick_step(range r, int count)
{
    double raw = (r.hi - r.lo) / count, power = pow(10, floor(log10(raw))), m = raw / power;
    return power * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

static void format_tick(char *text, size_t size, double v, double step)
{
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-6)
        v = 0; /* not "-0.00" */
    snprintf(text, size, "%.*f", decimals, v);
}

static void draw_axes(cairo_t *cr, const frame *f, const chart_panel *p)
{
    char text[32];
    picture_font(cr, 13, 0);
    cairo_set_line_width(cr, 1);
    for (int axis = 0; axis < 2; axis++) {
        range r = axis ? f->y : f->x;
        double step = tick_step(r, axis ? 6 : 7);
        if (!axis && p->x_whole && step < 1)
            step = 1;
        for (double v = ceil(r.lo / step - 1e-9) * step; v <= r.hi + step * 1e-9; v += step) {
            double at = axis ? f->y0 + f->h - (v - r.lo) / (r.hi - r.lo) * f->h : f->x0 + (v - r.lo) / (r.hi - r.lo) * f->w;
            cairo_set_source_rgb(cr, 0.9, 0.9, 0.9); /* grid */
            if (axis)
                cairo_move_to(cr, f->x0, at), cairo_line_to(cr, f->x0 + f->w, at);
            else
                cairo_move_to(cr, at, f->y0), cairo_line_to(cr, at, f->y0 + f->h);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
            format_tick(text, sizeof text, v, step);
            if (axis)
                picture_text(cr, f->x0 - 8, at, text, 1, 0.5);
            else
                picture_text(cr, at, f->y0 + f->h + 6, text, 0.5, 0);
        }
    }
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    cairo_rectangle(cr, f->x0, f->y0, f->w, f->h);
    cairo_stroke(cr);
    picture_font(cr, 14, 0);
    picture_text(cr, f->x0 + f->w / 2, f->y0 + f->h + 34, p->x_label, 0.5, 0);
    picture_text_vertical(cr, f->x0 - 62, f->y0 + f->h / 2, p->y_label);
    picture_font(cr, 16, 1);
    picture_text(cr, f->x0 + f->w / 2, f->y0 - 12, p->title, 0.5, 1);
}

static void draw_series(cairo_t *cr, const frame *f, const chart_series *s)
{
    cairo_save(cr);
    cairo_rectangle(cr, f->x0, f->y0, f->w, f->h);
    cairo_clip(cr);
    picture_palette(cr, s->colour, s->opacity);
    cairo_set_line_width(cr, s->width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    int drawing = 0;
    for (int i = 0; i < s->count; i++) {
        if (!isfinite(s->y[i])) {
            drawing = 0;
            continue;
        }
        if (drawing)
            cairo_line_to(cr, px(f, s->x[i]), py(f, s->y[i]));
        else
            cairo_move_to(cr, px(f, s->x[i]), py(f, s->y[i]));
        drawing = 1;
    }
    cairo_stroke(cr);
    for (int i = 0; s->markers && i < s->count; i++)
        if (isfinite(s->y[i])) {
            cairo_arc(cr, px(f, s->x[i]), py(f, s->y[i]), s->width + 2, 0, 2 * M_PI);
            cairo_fill(cr);
        }
    cairo_restore(cr);
}

/* Points of every series inside a box: what a legend there would hide. */
static int points_inside(const frame *f, const chart_panel *p, double x, double y, double w, double h)
{
    int n = 0;
    for (int s = 0; s < p->series_count; s++)
        for (int i = 0; i < p->series[s].count; i++) {
            double X = px(f, p->series[s].x[i]), Y = py(f, p->series[s].y[i]);
            n += X >= x && X <= x + w && Y >= y && Y <= y + h;
        }
    return n;
}

static void draw_legend(cairo_t *cr, const frame *f, const chart_panel *p)
{
    enum { ROW = 22, SAMPLE = 28 };
    picture_font(cr, 13, 0);
    double w = 0, h = p->series_count * ROW + 10;
    for (int s = 0; s < p->series_count; s++) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, p->series[s].label, &e);
        w = e.x_advance > w ? e.x_advance : w;
    }
    w += SAMPLE + 24;
    /* the four corners, the emptiest wins (ties: top right first) */
    const double xs[4] = {f->x0 + f->w - w - 10, f->x0 + 10, f->x0 + f->w - w - 10, f->x0 + 10};
    const double ys[4] = {f->y0 + 10, f->y0 + 10, f->y0 + f->h - h - 10, f->y0 + f->h - h - 10};
    int best = 0, fewest = -1;
    for (int c = 0; c < 4; c++) {
        int n = points_inside(f, p, xs[c], ys[c], w, h);
        if (fewest < 0 || n < fewest)
            best = c, fewest = n;
    }
    double x = xs[best], y = ys[best];
    cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    for (int s = 0; s < p->series_count; s++) {
        const chart_series *series = &p->series[s];
        double row_y = y + 5 + ROW * (s + 0.5);
        /* as drawn, a faint series a little darker so that its sample shows */
        picture_palette(cr, series->colour, series->opacity < 0.45 ? 0.45 : series->opacity);
        cairo_set_line_width(cr, series->width < 1.5 ? 1.5 : series->width);
        cairo_move_to(cr, x + 8, row_y);
        cairo_line_to(cr, x + 8 + SAMPLE, row_y);
        cairo_stroke(cr);
        if (series->markers) {
            cairo_arc(cr, x + 8 + SAMPLE / 2.0, row_y, series->width + 2, 0, 2 * M_PI);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        picture_text(cr, x + 16 + SAMPLE, row_y, series->label, 0, 0.5);
    }
}

static void draw_panel(cairo_t *cr, double left, double top, const chart_panel *p)
{
    frame f = {left + LEFT, top + TOP, PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM, data_range(p, 0),
               data_range(p, 1), p->y_scale};
    double pad = 0.06 * (f.y.hi - f.y.lo), x_pad = 0.02 * (f.x.hi - f.x.lo); /* lines and dots off the frame */
    f.y.lo -= pad, f.y.hi += pad;
    f.x.lo -= x_pad, f.x.hi += x_pad;
    draw_axes(cr, &f, p);
    for (int s = 0; s < p->series_count; s++)
        draw_series(cr, &f, &p->series[s]);
    if (p->series_count > 0)
        draw_legend(cr, &f, p);
}

int chart_write_png(const char *path, const char *title, const chart_panel *panels, int panel_count)
{
    cairo_t *cr = picture_create(PANEL_W * panel_count, PANEL_H + TITLE_H);
    if (!cr)
        return -1;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    picture_font(cr, 19, 1);
    picture_text(cr, PANEL_W * panel_count / 2.0, TITLE_H / 2.0 + 4, title, 0.5, 0.5);
    for (int i = 0; i < panel_count; i++)
        draw_panel(cr, PANEL_W * i, TITLE_H, &panels[i]);
    return picture_finish(cr, path);
}
