/* A grid of ten rows: digit, GtkLevelBar, percentage. The widgets are found
 * again by their grid position, so the grid is the only state. */
#include "probability_bars.h"

#include "common/digit_model.h"

enum { COLUMN_DIGIT, COLUMN_BAR, COLUMN_PERCENT };

GtkWidget *probability_bars_new(void)
{
    GtkWidget *grid = gtk_grid_new();
    gtk_grid_set_row_spacing(GTK_GRID(grid), 4);
    gtk_grid_set_column_spacing(GTK_GRID(grid), 8);
    for (int digit = 0; digit < DIGIT_CLASSES; digit++) {
        char text[2] = {(char)('0' + digit), '\0'};
        GtkWidget *bar = gtk_level_bar_new_for_interval(0, 1);
        /* One colour for every bar: the default offsets would paint low
         * probabilities red, as if they were warnings. */
        gtk_level_bar_remove_offset_value(GTK_LEVEL_BAR(bar), GTK_LEVEL_BAR_OFFSET_LOW);
        gtk_level_bar_remove_offset_value(GTK_LEVEL_BAR(bar), GTK_LEVEL_BAR_OFFSET_HIGH);
        gtk_level_bar_remove_offset_value(GTK_LEVEL_BAR(bar), GTK_LEVEL_BAR_OFFSET_FULL);
        gtk_widget_set_size_request(bar, 180, -1);
        gtk_widget_set_valign(bar, GTK_ALIGN_CENTER);
        GtkWidget *percent = gtk_label_new("");
        gtk_label_set_width_chars(GTK_LABEL(percent), 6);
        gtk_label_set_xalign(GTK_LABEL(percent), 1);
        gtk_grid_attach(GTK_GRID(grid), gtk_label_new(text), COLUMN_DIGIT, digit, 1, 1);
        gtk_grid_attach(GTK_GRID(grid), bar, COLUMN_BAR, digit, 1, 1);
        gtk_grid_attach(GTK_GRID(grid), percent, COLUMN_PERCENT, digit, 1, 1);
    }
    probability_bars_set(grid, NULL);
    return grid;
}

void probability_bars_set(GtkWidget *bars, const float *probabilities)
{
    for (int digit = 0; digit < DIGIT_CLASSES; digit++) {
        GtkWidget *bar = gtk_grid_get_child_at(GTK_GRID(bars), COLUMN_BAR, digit);
        GtkWidget *percent = gtk_grid_get_child_at(GTK_GRID(bars), COLUMN_PERCENT, digit);
        char text[16] = "";
        if (probabilities)
            g_snprintf(text, sizeof text, "%.1f%%", 100.0 * probabilities[digit]);
        gtk_level_bar_set_value(GTK_LEVEL_BAR(bar), probabilities ? probabilities[digit] : 0);
        gtk_label_set_text(GTK_LABEL(percent), text);
    }
}
