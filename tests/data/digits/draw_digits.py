#!/usr/bin/env python3
"""Draws the hand-made digit pictures of this folder (not from MNIST).

Each digit is a few pen strokes (polylines and arcs in a unit box) with a
seeded wobble, rendered with a round anti-aliased brush onto canvases of
different sizes, brush widths, slants, positions and polarities, and saved in
the formats predict_digit reads: PNG as 8-bit grey, 16-bit grey, 1-bit grey,
RGB, RGBA with a transparent background and palette; PGM as P5 and P2.
The file name starts with the digit it shows, which the test checks.

Standard library only. Run it from anywhere to regenerate the files:
    python3 tests/data/digits/draw_digits.py
"""
import math
import os
import random
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def arc(cx, cy, rx, ry, start, end, steps=40):
    """Points of an elliptic arc; angles in degrees, counter-clockwise with y up."""
    pts = []
    for i in range(steps + 1):
        t = math.radians(start + (end - start) * i / steps)
        pts.append((cx + rx * math.cos(t), cy - ry * math.sin(t)))
    return pts


# Strokes of each digit in a unit box (x right, y down), as a pen would go.
STROKES = {
    0: [arc(0.5, 0.5, 0.32, 0.46, 100, 470)],
    1: [[(0.52, 0.04), (0.48, 0.96)]],
    '1flag': [[(0.3, 0.25), (0.58, 0.04), (0.52, 0.96)]],
    2: [arc(0.5, 0.3, 0.3, 0.26, 160, -40) + [(0.15, 0.95), (0.88, 0.95)]],
    3: [arc(0.48, 0.27, 0.27, 0.23, 150, -90) + arc(0.48, 0.72, 0.32, 0.24, 90, -150)],
    4: [[(0.62, 0.04), (0.12, 0.66), (0.88, 0.66)], [(0.64, 0.3), (0.64, 0.97)]],
    5: [[(0.82, 0.05), (0.32, 0.05), (0.26, 0.44)] + arc(0.48, 0.68, 0.32, 0.27, 125, -150)],
    6: [arc(0.62, 0.62, 0.45, 0.58, 65, 180, 25) + arc(0.48, 0.72, 0.3, 0.24, 180, 540)],
    7: [[(0.12, 0.06), (0.88, 0.06), (0.42, 0.96)]],
    8: [arc(0.5, 0.26, 0.24, 0.22, -90, 270), arc(0.5, 0.72, 0.3, 0.24, 90, 450)],
    9: [arc(0.5, 0.3, 0.28, 0.25, -10, 360), [(0.77, 0.34), (0.7, 0.97)]],
    '3flat': [[(0.18, 0.05), (0.8, 0.05), (0.42, 0.4)] + arc(0.45, 0.68, 0.33, 0.28, 90, -150)],
    '4open': [[(0.25, 0.05), (0.18, 0.55), (0.85, 0.55)], [(0.68, 0.2), (0.66, 0.97)]],
    '7bar': [[(0.12, 0.06), (0.88, 0.06), (0.42, 0.96)], [(0.42, 0.5), (0.86, 0.5)]],
    '8one': [[(0.5 + 0.28 * math.sin(2 * t), 0.5 - 0.46 * math.cos(t))
              for t in (2 * math.pi * i / 80 for i in range(81))]],
    '9tail': [arc(0.5, 0.3, 0.25, 0.24, 0, 360) + arc(0.2, 0.3, 0.55, 0.67, 0, -70)],
}


def wobble(strokes, rng, amount):
    """A hand is not a ruler: resample each stroke finely and bend it smoothly."""
    out = []
    for stroke in strokes:
        fine = []
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            n = max(1, int(math.hypot(x1 - x0, y1 - y0) / 0.02))
            fine += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n)]
        fine.append(stroke[-1])
        phase, freq = rng.uniform(0, 6.3), rng.uniform(1.5, 3.0)
        out.append([(x + amount * math.sin(freq * i / 10 + phase),
                     y + amount * math.cos(freq * i / 13 + phase)) for i, (x, y) in enumerate(fine)])
    return out


def place(strokes, box, slant):
    """Maps unit-box strokes into a pixel box (x, y, w, h), slanted (shear) like italics."""
    bx, by, bw, bh = box
    return [[(bx + (x + slant * (0.5 - y)) * bw, by + y * bh) for x, y in s] for s in strokes]


def render(width, height, strokes, radius):
    """Ink coverage in [0, 1] of a round brush of the given radius along the strokes."""
    ink = [[0.0] * width for _ in range(height)]
    for stroke in strokes:
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy or 1e-12
            for y in range(max(0, int(min(y0, y1) - radius - 1)), min(height, int(max(y0, y1) + radius + 2))):
                row, py = ink[y], y + 0.5
                for x in range(max(0, int(min(x0, x1) - radius - 1)), min(width, int(max(x0, x1) + radius + 2))):
                    px = x + 0.5
                    t = min(1.0, max(0.0, ((px - x0) * dx + (py - y0) * dy) / length2))
                    d = math.hypot(px - x0 - t * dx, py - y0 - t * dy)
                    row[x] = max(row[x], min(1.0, max(0.0, radius + 0.5 - d)))
    return ink


def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))


def write_png(path, width, height, bit_depth, colour_type, rows, palette=None):
    """rows: already packed bytes per row (without the filter byte)."""
    raw = b''.join(b'\0' + r for r in rows)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, bit_depth, colour_type, 0, 0, 0))
    if palette:
        data += chunk(b'PLTE', b''.join(bytes(c) for c in palette))
    data += chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(data)


def mix(paper, pen, a):
    return tuple(round(p + (q - p) * a) for p, q in zip(paper, pen))


def save(name, ink, fmt, paper, pen):
    """paper and pen: colours (RGB 0..255) of background and ink."""
    height, width = len(ink), len(ink[0])
    path = os.path.join(HERE, name)
    grey = [[mix(paper, pen, a)[0] for a in row] for row in ink]
    if fmt == 'grey8':
        write_png(path, width, height, 8, 0, [bytes(r) for r in grey])
    elif fmt == 'grey16':
        write_png(path, width, height, 16, 0, [b''.join(struct.pack('>H', v * 257) for v in r) for r in grey])
    elif fmt == 'grey1':
        rows = []
        for r in grey:
            bits = [1 if v >= 128 else 0 for v in r] + [0] * 7
            rows.append(bytes(sum(bits[i + k] << (7 - k) for k in range(8)) for i in range(0, width, 8)))
        write_png(path, width, height, 1, 0, rows)
    elif fmt == 'rgb':
        write_png(path, width, height, 8, 2, [b''.join(bytes(mix(paper, pen, a)) for a in row) for row in ink])
    elif fmt == 'rgba':  # pen colour everywhere, the ink in the alpha channel: a transparent background
        write_png(path, width, height, 8, 6, [b''.join(bytes(pen) + bytes([round(255 * a)]) for a in row)
                                              for row in ink])
    elif fmt == 'palette':  # 16 shades from paper to pen
        palette = [mix(paper, pen, i / 15) for i in range(16)]
        rows = []
        for row in ink:
            idx = [round(a * 15) for a in row] + [0]
            rows.append(bytes(idx[i] << 4 | idx[i + 1] for i in range(0, width, 2)))
        write_png(path, width, height, 4, 3, rows, palette)
    elif fmt == 'p5':
        with open(path, 'wb') as f:
            f.write(b'P5\n# drawn by draw_digits.py\n%d %d\n255\n' % (width, height) + b''.join(bytes(r) for r in grey))
    elif fmt == 'p2':
        with open(path, 'w') as f:
            f.write('P2\n# drawn by draw_digits.py\n%d %d\n255\n' % (width, height))
            f.writelines(' '.join(map(str, r)) + '\n' for r in grey)


WHITE, BLACK, CREAM, BLUE, CHALK, SLATE = (255,) * 3, (0,) * 3, (250, 244, 225), (25, 45, 160), (235,) * 3, (40, 48, 52)
PAPER, PENCIL = (212,) * 3, (120,) * 3

# name, digit, canvas (w, h), digit box (x, y, w, h), brush radius, slant, format, paper, pen
PICTURES = [
    ('0-loop-pen-on-paper-200x200.png', 0, (200, 200), (50, 25, 100, 150), 9, 0.0, 'grey8', WHITE, BLACK),
    ('0-round-chalk-on-slate-300x240.png', 0, (300, 240), (95, 30, 120, 180), 12, 0.1, 'rgb', SLATE, CHALK),
    ('1-stroke-light-on-dark-120x160.pgm', 1, (120, 160), (40, 20, 40, 120), 6, 0.05, 'p5', BLACK, WHITE),
    ('1-flag-blue-ink-280x280.png', '1flag', (280, 280), (100, 40, 80, 200), 11, 0.0, 'rgb', CREAM, BLUE),
    ('2-small-36x40.png', 2, (36, 40), (8, 6, 20, 28), 1.6, 0.0, 'grey8', WHITE, BLACK),
    ('2-wide-canvas-480x240.png', 2, (480, 240), (180, 30, 120, 180), 12, 0.15, 'grey16', WHITE, BLACK),
    ('3-transparent-200x260.png', 3, (200, 260), (45, 40, 110, 180), 10, 0.05, 'rgba', WHITE, BLACK),
    ('3-ascii-light-on-dark-64x64.pgm', 3, (64, 64), (18, 10, 28, 44), 3, 0.0, 'p2', BLACK, WHITE),
    ('4-open-top-250x250.png', 4, (250, 250), (55, 35, 130, 180), 10, 0.0, 'palette', WHITE, BLACK),
    ('5-off-centre-220x220.png', 5, (220, 220), (20, 20, 100, 140), 9, 0.1, 'grey8', WHITE, BLACK),
    ('6-chalk-on-slate-160x200.png', 6, (160, 200), (40, 25, 85, 150), 8, 0.0, 'rgb', SLATE, CHALK),
    ('7-bilevel-180x180.png', 7, (180, 180), (40, 25, 100, 135), 8, 0.0, 'grey1', WHITE, BLACK),
    ('7-slanted-light-on-dark-256x256.png', 7, (256, 256), (70, 40, 110, 180), 11, 0.2, 'grey8', BLACK, WHITE),
    ('8-two-loops-240x320.png', 8, (240, 320), (70, 45, 100, 220), 11, 0.05, 'grey8', WHITE, BLACK),
    ('9-blue-ink-300x300.png', 9, (300, 300), (95, 40, 110, 220), 12, 0.1, 'rgb', CREAM, BLUE),
    ('1-faint-pencil-150x200.png', 1, (150, 200), (55, 30, 40, 140), 3, -0.1, 'grey8', PAPER, PENCIL),
    ('3-flat-top-220x220.pgm', '3flat', (220, 220), (60, 25, 100, 170), 9, 0.0, 'p5', WHITE, BLACK),
    ('4-two-strokes-260x300.png', '4open', (260, 300), (60, 40, 130, 220), 11, 0.05, 'grey16', WHITE, BLACK),
    ('5-thick-marker-250x250.png', 5, (250, 250), (60, 30, 120, 190), 19, 0.0, 'palette', WHITE, BLACK),
    ('6-tiny-30x32.png', 6, (30, 32), (6, 3, 17, 25), 1.3, 0.0, 'grey8', WHITE, BLACK),
    ('7-crossbar-200x240.png', '7bar', (200, 240), (45, 30, 110, 180), 9, 0.1, 'rgb', CREAM, BLUE),
    ('8-one-stroke-220x300.png', '8one', (220, 300), (60, 30, 100, 230), 10, 0.1, 'grey8', WHITE, BLACK),
    ('9-small-in-large-600x400.png', '9tail', (600, 400), (420, 220, 60, 110), 5, 0.1, 'grey8', WHITE, BLACK),
]


def main():
    for i, (name, digit, (w, h), box, radius, slant, fmt, paper, pen) in enumerate(PICTURES):
        rng = random.Random(1000 + i)
        strokes = place(wobble(STROKES[digit], rng, 0.012), box, slant)
        save(name, render(w, h, strokes, radius), fmt, paper, pen)
        print('wrote', name)


if __name__ == '__main__':
    main()
