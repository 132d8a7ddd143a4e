"""The 5x5 picture of predictions that closes the article's program.

With matplotlib installed, :func:`show` draws it as the article does
(``plt.imshow(..., cmap=plt.cm.binary)`` with the predicted label under each
image), saves it and opens a window when there is a display. Without
matplotlib it draws the same grid itself (each image scaled 3x, the label in
a small bitmap font, wrong predictions framed in red with the true label in
brackets) and writes a PNG with zlib from the standard library.
"""

import struct
import zlib

SCALE, FONT_SCALE, GLYPH_W, GLYPH_H, PAD = 3, 2, 5, 7, 6
CAPTION_H = GLYPH_H * FONT_SCALE + 8
WHITE, BLACK, RED = (255, 255, 255), (20, 20, 20), (220, 30, 30)

# 5x7 glyphs, one int per row, bit 4 = leftmost column.
GLYPHS = {
    "0": (0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E), "1": (0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E),
    "2": (0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F), "3": (0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E),
    "4": (0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02), "5": (0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E),
    "6": (0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E), "7": (0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08),
    "8": (0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E), "9": (0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C),
    "(": (0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02), ")": (0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08),
}


def write_png(path, width, height, rgb):
    """Write 8-bit RGB pixels (``bytes`` of width * height * 3, row by row) as a PNG file."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride] for y in range(height))  # filter 0 per row
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


class Canvas:
    """An RGB picture, white to start with."""

    def __init__(self, width, height):
        self.width, self.height = width, height
        self.rgb = bytearray(b"\xff" * (width * height * 3))

    def put(self, x, y, colour):
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.rgb[i:i + 3] = bytes(colour)

    def text(self, x, y, text, colour):
        for ch in text:
            for row, bits in enumerate(GLYPHS[ch]):
                for col in range(GLYPH_W):
                    if bits & (0x10 >> col):
                        for dy in range(FONT_SCALE):
                            for dx in range(FONT_SCALE):
                                self.put(x + col * FONT_SCALE + dx, y + row * FONT_SCALE + dy, colour)
            x += (GLYPH_W + 1) * FONT_SCALE

    def image(self, x0, y0, pixels, wrong):
        """Draw rows of values in [0, 1] dark on light (1 = black), framed red when ``wrong``."""
        h, w = len(pixels), len(pixels[0])
        for y in range(h * SCALE):
            for x in range(w * SCALE):
                v = min(max(pixels[y // SCALE][x // SCALE], 0.0), 1.0)
                g = int(255 * (1 - v) + 0.5)
                self.put(x0 + x, y0 + y, (g, g, g))
        if wrong:
            for i in range(-2, w * SCALE + 2):
                for t in (1, 2):
                    self.put(x0 + i, y0 - t, RED)
                    self.put(x0 + i, y0 + h * SCALE - 1 + t, RED)
                    self.put(x0 - t, y0 + i, RED)
                    self.put(x0 + w * SCALE - 1 + t, y0 + i, RED)


def write(path, images, predicted, truth, columns=5):
    """Draw ``images`` (lists of rows of values in [0, 1]) with their predicted labels and write a PNG."""
    h, w = len(images[0]), len(images[0][0])
    rows = (len(images) + columns - 1) // columns
    cell_w, cell_h = w * SCALE + 2 * PAD, h * SCALE + CAPTION_H + 2 * PAD
    canvas = Canvas(columns * cell_w, rows * cell_h)
    for i, pixels in enumerate(images):
        x0, y0 = (i % columns) * cell_w + PAD, (i // columns) * cell_h + PAD
        wrong = truth[i] != predicted[i]
        canvas.image(x0, y0, pixels, wrong)
        caption = "%d(%d)" % (predicted[i], truth[i]) if wrong else "%d" % predicted[i]
        text_w = len(caption) * (GLYPH_W + 1) * FONT_SCALE
        canvas.text(x0 + (w * SCALE - text_w) // 2, y0 + h * SCALE + 5, caption, RED if wrong else BLACK)
    write_png(path, canvas.width, canvas.height, bytes(canvas.rgb))


def show(path, images, predicted, truth):
    """Show the grid with matplotlib when it is installed (also saving it to ``path``), else write the PNG.

    Returns a short description of what was done.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        write(path, images, predicted, truth)
        return "wrote %s (matplotlib is not installed)" % path
    plt.figure(figsize=(10, 10))
    for i, pixels in enumerate(images):
        plt.subplot(5, 5, i + 1)
        plt.imshow(pixels, cmap=plt.cm.binary)
        plt.xticks([])
        plt.yticks([])
        plt.grid(False)
        wrong = truth[i] != predicted[i]
        plt.xlabel("%d (%d)" % (predicted[i], truth[i]) if wrong else str(predicted[i]),
                   color="red" if wrong else "black")
    plt.savefig(path)
    plt.show()
    return "showed and saved %s with matplotlib" % path
