"""A tiny PNG writer (zlib + struct, no dependencies) and the one chart the benchmarks draw: lines on log-log axes."""

import math
import struct
import zlib

import font5x7

WHITE, BLACK, GREY, LIGHT = (255, 255, 255), (0, 0, 0), (110, 110, 110), (225, 225, 225)
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]


def encode_png(width, height, rgb):
    """PNG bytes of an 8-bit RGB image given as `width * height * 3` bytes, rows top to bottom."""
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    stride = width * 3
    raw = b''.join(b'\x00' + bytes(rgb[y * stride:(y + 1) * stride]) for y in range(height))  # filter 0 per row
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')


class Canvas:
    def __init__(self, width, height, background=WHITE):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def dot(self, x, y, color):
        x, y = int(round(x)), int(round(y))
        if 0 <= x < self.width and 0 <= y < self.height:
            offset = (y * self.width + x) * 3
            self.pixels[offset:offset + 3] = bytes(color)

    def rect(self, x0, y0, x1, y1, color):
        for y in range(int(round(min(y0, y1))), int(round(max(y0, y1))) + 1):
            for x in range(int(round(min(x0, x1))), int(round(max(x0, x1))) + 1):
                self.dot(x, y, color)

    def line(self, x0, y0, x1, y1, color, width=1, dash=0):
        steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        half = (width - 1) / 2.0
        for i in range(steps + 1):
            if dash and (i // dash) % 2:
                continue
            t = i / float(steps)
            x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            if width == 1:
                self.dot(x, y, color)
            else:
                self.rect(x - half, y - half, x + half, y + half, color)

    def text(self, x, y, string, color=BLACK, scale=2, vertical=False):
        """Draw `string` with its top-left corner at (x, y); vertical text reads bottom to top."""
        for index, char in enumerate(string):
            for row, bits in enumerate(font5x7.glyph(char)):
                for col, bit in enumerate(bits):
                    if bit != '#':
                        continue
                    gx, gy = (index * (font5x7.WIDTH + 1) + col) * scale, row * scale
                    if vertical:
                        self.rect(x + gy, y - gx, x + gy + scale - 1, y - gx - scale + 1, color)
                    else:
                        self.rect(x + gx, y + gy, x + gx + scale - 1, y + gy + scale - 1, color)

    @staticmethod
    def text_width(string, scale=2):
        return len(string) * (font5x7.WIDTH + 1) * scale - scale

    def save(self, path):
        with open(path, 'wb') as handle:
            handle.write(encode_png(self.width, self.height, self.pixels))


def _decades(values):
    low, high = min(values), max(values)
    return math.floor(math.log10(low)), max(math.ceil(math.log10(high)), math.floor(math.log10(low)) + 1)


def _tick_label(exponent, unit=''):
    value = 10.0 ** exponent
    text = ('%g' % value) if value >= 0.01 else '1e%d' % exponent
    return text + unit


def line_chart(path, title, series, x_label, y_label, width=960, height=600, y_unit=' s', note=None):
    """Save a log-log line chart of `series` ({name: {x: y}}) to `path`; a point per measured x, joined by lines."""
    legend_rows = (len(series) + 1) // 2
    height += legend_rows * 22  # the legend goes under the plot, where it hides no line
    canvas = Canvas(width, height)
    left, right, top, bottom = 110, 30, 70, 90 + legend_rows * 22
    xs = [x for points in series.values() for x in points]
    ys = [y for points in series.values() for y in points.values()]
    x_lo, x_hi = _decades(xs)
    y_lo, y_hi = _decades(ys)
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x):
        return left + (math.log10(x) - x_lo) / float(x_hi - x_lo) * plot_w

    def py(y):
        return top + plot_h - (math.log10(y) - y_lo) / float(y_hi - y_lo) * plot_h

    for exponent in range(y_lo, y_hi + 1):  # horizontal grid: decades solid, 2 and 5 dashed
        for factor in (1, 2, 5):
            value = factor * 10.0 ** exponent
            if value > 10.0 ** y_hi:
                break
            canvas.line(left, py(value), left + plot_w, py(value), LIGHT, dash=0 if factor == 1 else 4)
        label = _tick_label(exponent, y_unit)
        canvas.text(left - 10 - canvas.text_width(label), py(10.0 ** exponent) - 7, label, GREY)
    for exponent in range(x_lo, x_hi + 1):
        for factor in (1, 2, 5):
            value = factor * 10.0 ** exponent
            if value > 10.0 ** x_hi:
                break
            canvas.line(px(value), top, px(value), top + plot_h, LIGHT, dash=0 if factor == 1 else 4)
            if factor == 1 or exponent < x_hi:
                label = '%g' % value
                canvas.text(px(value) - canvas.text_width(label) / 2, top + plot_h + 10, label, GREY)
    canvas.line(left, top, left, top + plot_h, BLACK)
    canvas.line(left, top + plot_h, left + plot_w, top + plot_h, BLACK)
    canvas.text((width - canvas.text_width(title, 3)) / 2, 10, title, BLACK, scale=3)
    if note:
        canvas.text((width - canvas.text_width(note)) / 2, 38, note, GREY)
    canvas.text(left + (plot_w - canvas.text_width(x_label)) / 2, top + plot_h + 38, x_label)
    canvas.text(20, top + (plot_h + canvas.text_width(y_label)) / 2, y_label, vertical=True)
    for index, (name, points) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        ordered = sorted(points.items())
        for (xa, ya), (xb, yb) in zip(ordered, ordered[1:]):
            canvas.line(px(xa), py(ya), px(xb), py(yb), color, width=3)
        for x, y in ordered:
            canvas.rect(px(x) - 4, py(y) - 4, px(x) + 4, py(y) + 4, color)
    _legend(canvas, series, left - 60, top + plot_h + 72)
    canvas.save(path)
    return path


def _legend(canvas, series, left, top):
    """The series' colours and names in two columns under the plot."""
    column = max(canvas.text_width(name) for name in series) + 70
    for index, name in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        x = left + (index % 2) * column
        y = top + (index // 2) * 22
        canvas.rect(x, y + 3, x + 25, y + 9, color)
        canvas.text(x + 35, y, name)
