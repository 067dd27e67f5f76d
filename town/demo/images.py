"""Procedural landscapes for the demo town, drawn with Pillow: nothing is downloaded.

Each picture is seeded by its key, so the same key always gives the same JPEG. A theme picks the
motif drawn over a common scene of sky, sun and layered hills.
"""

import math
import random
import zlib
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1200, 800

# Sky palettes: (top, horizon)
SKIES = {
    "day": ((92, 154, 214), (214, 232, 240)),
    "spring": ((120, 170, 220), (240, 226, 232)),
    "dawn": ((88, 120, 178), (250, 206, 160)),
    "dusk": ((46, 52, 104), (240, 150, 96)),
    "autumn": ((110, 160, 210), (246, 222, 170)),
    "night": ((10, 14, 40), (52, 40, 86)),
    "mist": ((170, 186, 196), (230, 234, 232)),
}

THEMES = (
    "mountain",
    "peach",
    "tea",
    "village",
    "ethnic",
    "memorial",
    "farm",
    "camping",
    "study",
    "river",
    "lantern",
    "harvest",
    "waterfall",
)

# Theme → sky, and hill colours from far to near.
THEME_STYLE = {
    "mountain": ("mist", [(150, 170, 170), (104, 138, 120), (66, 110, 80), (40, 84, 56)]),
    "peach": ("spring", [(176, 190, 196), (130, 168, 130), (98, 150, 96), (70, 128, 72)]),
    "tea": ("day", [(150, 176, 180), (96, 150, 110), (60, 130, 74), (38, 112, 58)]),
    "village": ("day", [(160, 178, 186), (112, 150, 120), (80, 126, 86), (58, 104, 66)]),
    "ethnic": ("dawn", [(160, 150, 170), (116, 130, 120), (82, 112, 84), (56, 92, 60)]),
    "memorial": ("day", [(164, 180, 190), (120, 150, 126), (84, 124, 90), (60, 100, 64)]),
    "farm": ("day", [(160, 180, 186), (130, 162, 110), (110, 150, 80), (86, 132, 60)]),
    "camping": ("dusk", [(90, 80, 120), (62, 66, 96), (40, 52, 70), (24, 36, 46)]),
    "study": ("day", [(160, 180, 186), (116, 154, 118), (84, 134, 86), (62, 114, 66)]),
    "river": ("mist", [(156, 176, 176), (110, 144, 128), (78, 118, 90), (54, 96, 68)]),
    "lantern": ("night", [(40, 36, 70), (30, 30, 56), (22, 24, 42), (14, 16, 30)]),
    "harvest": ("autumn", [(170, 170, 160), (150, 150, 96), (170, 140, 60), (140, 110, 40)]),
    "waterfall": ("mist", [(140, 164, 160), (92, 132, 104), (62, 108, 74), (40, 86, 54)]),
}


def _mix(a, b, t):
    return tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3))


def _jitter(colour, rng, amount=12):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def _gradient(top, bottom, height):
    """A vertical gradient: a one-pixel column stretched to the full width."""
    column = Image.new("RGB", (1, height))
    column.putdata([_mix(top, bottom, y / (height - 1)) for y in range(height)])
    return column.resize((WIDTH, height))


def _ridge(rng, base_y, amplitude, roughness):
    """A hill line across the picture: summed sine waves with random phases."""
    waves = [
        (rng.uniform(0.5, 1.5) * roughness * (k + 1), rng.uniform(0, math.tau), amplitude / (k + 1))
        for k in range(4)
    ]
    points = []
    for x in range(0, WIDTH + 20, 20):
        y = base_y + sum(a * math.sin(f * x / WIDTH * math.tau + p) for f, p, a in waves)
        points.append((x, y))
    return points


def _hills(draw, rng, colours, horizon):
    ridges = []
    for i, colour in enumerate(colours):
        base = horizon - 150 + i * 90 + rng.randint(-20, 20)
        ridge = _ridge(rng, base, 70 - i * 10, 1.0 + i * 0.4)
        draw.polygon([*ridge, (WIDTH, HEIGHT), (0, HEIGHT)], fill=_jitter(colour, rng, 8))
        ridges.append(ridge)
    return ridges


def _sun(draw, rng, sky):
    x, y = rng.randint(150, WIDTH - 150), rng.randint(90, 220)
    if sky == "night":
        draw.ellipse((x - 40, y - 40, x + 40, y + 40), fill=(240, 236, 210))
        for _ in range(90):
            sx, sy = rng.randint(0, WIDTH), rng.randint(0, 380)
            draw.point((sx, sy), fill=(230, 230, 250))
        return
    glow = (255, 240, 200) if sky not in {"dusk", "dawn"} else (255, 200, 140)
    for r, alpha in ((110, 0.15), (80, 0.3), (55, 1.0)):
        colour = _mix(SKIES[sky][1], glow, alpha)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def _clouds(draw, rng, sky):
    if sky in {"night", "dusk"}:
        return
    for _ in range(rng.randint(2, 5)):
        cx, cy = rng.randint(0, WIDTH), rng.randint(60, 280)
        for _ in range(6):
            w, h = rng.randint(60, 140), rng.randint(24, 46)
            ox, oy = rng.randint(-90, 90), rng.randint(-14, 14)
            draw.ellipse((cx + ox - w, cy + oy - h, cx + ox + w, cy + oy + h), fill=(246, 248, 250))


def _house(draw, x, y, size, wall=(236, 232, 222), roof=(58, 62, 70)):
    """A Huizhou-style house: white wall, dark tiled roof, stepped horse-head gables."""
    w, h = size, int(size * 0.7)
    draw.rectangle((x, y - h, x + w, y), fill=wall)
    draw.polygon([(x - 6, y - h), (x + w // 2, y - h - size * 0.35), (x + w + 6, y - h)], fill=roof)
    step = w // 5
    draw.rectangle((x - 4, y - h - 10, x + step, y - h), fill=roof)
    draw.rectangle((x + w - step, y - h - 10, x + w + 4, y - h), fill=roof)
    draw.rectangle((x + w * 0.42, y - h * 0.5, x + w * 0.58, y), fill=(70, 54, 44))
    draw.rectangle((x + w * 0.15, y - h * 0.7, x + w * 0.3, y - h * 0.5), fill=(80, 70, 60))
    draw.rectangle((x + w * 0.7, y - h * 0.7, x + w * 0.85, y - h * 0.5), fill=(80, 70, 60))


def _stilt_house(draw, x, y, size):
    """A wooden stilt house (吊脚楼) of the ethnic villages."""
    wood, roof = (122, 78, 48), (50, 44, 44)
    w, h = size, int(size * 0.55)
    for px in range(x, x + w + 1, max(8, w // 4)):
        draw.rectangle((px, y - h * 0.5, px + 5, y), fill=(90, 60, 40))
    draw.rectangle((x, y - h * 1.4, x + w, y - h * 0.5), fill=wood)
    draw.polygon([(x - 14, y - h * 1.4), (x + w / 2, y - h * 2.0), (x + w + 14, y - h * 1.4)], fill=roof)
    draw.line((x, y - h * 0.9, x + w, y - h * 0.9), fill=(200, 170, 120), width=3)


def _trees(draw, rng, count, y_min, y_max, colour=(40, 90, 50)):
    for _ in range(count):
        x, y = rng.randint(0, WIDTH), rng.randint(y_min, y_max)
        r = rng.randint(14, 30)
        draw.rectangle((x - 3, y, x + 3, y + r), fill=(80, 60, 40))
        draw.ellipse((x - r, y - r * 1.4, x + r, y + r * 0.4), fill=_jitter(colour, rng))


def _blossom_trees(draw, rng, count, y_min, y_max):
    for _ in range(count):
        x, y = rng.randint(-20, WIDTH + 20), rng.randint(y_min, y_max)
        draw.line((x, y, x, y + 60), fill=(96, 64, 50), width=6)
        for _ in range(28):
            ox, oy = rng.gauss(0, 34), rng.gauss(-20, 22)
            r = rng.randint(6, 14)
            pink = _jitter((244, 168, 190), rng, 18)
            draw.ellipse((x + ox - r, y + oy - r, x + ox + r, y + oy + r), fill=pink)


def _tea_rows(draw, rng, top):
    """Curved rows of tea bushes following the hill."""
    row_gap = 34
    for i, y in enumerate(range(top, HEIGHT + row_gap, row_gap)):
        phase = rng.uniform(0, math.tau)
        bend = 18 + i * 2
        points = [(x, y + bend * math.sin(x / 260 + phase)) for x in range(-20, WIDTH + 40, 20)]
        draw.line(points, fill=_jitter((30, 98, 48), rng, 6), width=20 + i * 2, joint="curve")
        draw.line([(x, py - 6) for x, py in points], fill=_jitter((84, 150, 70), rng, 8), width=6)


def _terraces(draw, rng, top, colour=(120, 170, 80), water=False):
    gap = 40
    for i, y in enumerate(range(top, HEIGHT + gap, gap)):
        phase = rng.uniform(0, math.tau)
        points = [(x, y + 22 * math.sin(x / 300 + phase)) for x in range(-20, WIDTH + 40, 20)]
        fill = _jitter((150, 186, 200), rng, 10) if water and i % 2 else _jitter(colour, rng, 12)
        draw.polygon([*points, (WIDTH + 40, HEIGHT), (-20, HEIGHT)], fill=fill)
        draw.line(points, fill=_mix(fill, (60, 50, 30), 0.4), width=4)


def _water(draw, rng, top, colour=(120, 170, 190)):
    draw.rectangle((0, top, WIDTH, HEIGHT), fill=colour)
    for _ in range(60):
        x, y = rng.randint(0, WIDTH), rng.randint(top + 5, HEIGHT)
        length = rng.randint(30, 120)
        draw.line((x, y, x + length, y), fill=_mix(colour, (255, 255, 255), 0.35), width=2)


def _bridge(draw, x, y, span):
    stone = (150, 146, 136)
    draw.arc((x, y - span * 0.4, x + span, y + span * 0.4), 180, 360, fill=stone, width=16)
    draw.line((x - 20, y, x + span + 20, y), fill=stone, width=8)


def _lanterns(draw, rng, count):
    for row in range(2):
        y0 = 130 + row * 140
        draw.line((0, y0, WIDTH, y0 + rng.randint(-30, 30)), fill=(60, 40, 30), width=3)
        for i in range(count):
            x = int((i + 0.5) * WIDTH / count) + rng.randint(-10, 10)
            y = y0 + 14 + rng.randint(0, 10)
            w, h = rng.randint(28, 40), rng.randint(40, 54)
            draw.ellipse((x - w - 14, y - 14, x + w + 14, y + h + 14), fill=(120, 40, 40))
            draw.ellipse((x - w, y, x + w, y + h), fill=_jitter((220, 40, 36), rng, 14))
            draw.rectangle((x - w * 0.5, y - 6, x + w * 0.5, y + 2), fill=(230, 190, 60))
            draw.rectangle((x - w * 0.5, y + h - 2, x + w * 0.5, y + h + 6), fill=(230, 190, 60))
            draw.line((x, y + h + 6, x, y + h + 26), fill=(230, 190, 60), width=3)


def _memorial(draw, x, y):
    stone = (206, 204, 198)
    draw.rectangle((x - 180, y - 20, x + 180, y), fill=(180, 178, 172))
    draw.rectangle((x - 120, y - 40, x + 120, y - 20), fill=(190, 188, 182))
    draw.rectangle((x - 30, y - 330, x + 30, y - 40), fill=stone)
    draw.polygon([(x - 30, y - 330), (x, y - 370), (x + 30, y - 330)], fill=stone)
    draw.polygon([(x - 12, y - 300), (x, y - 320), (x + 12, y - 300)], fill=(200, 40, 40))
    # flags on each side
    for side in (-1, 1):
        fx = x + side * 220
        draw.line((fx, y, fx, y - 220), fill=(120, 110, 100), width=5)
        draw.polygon([(fx, y - 220), (fx + 70, y - 200), (fx, y - 180)], fill=(210, 36, 36))


def _pavilion(draw, x, y, size):
    """A hilltop pavilion (亭) with a flared roof."""
    red, roof = (150, 50, 40), (50, 54, 60)
    w = size
    draw.rectangle((x - w * 0.4, y - size * 0.6, x - w * 0.32, y), fill=red)
    draw.rectangle((x + w * 0.32, y - size * 0.6, x + w * 0.4, y), fill=red)
    draw.polygon(
        [(x - w * 0.65, y - size * 0.55), (x, y - size * 1.05), (x + w * 0.65, y - size * 0.55)], fill=roof
    )
    draw.rectangle((x - w * 0.5, y, x + w * 0.5, y + 8), fill=(170, 166, 156))


def _tents(draw, rng, y):
    colours = [(230, 120, 50), (60, 140, 190), (240, 200, 70), (190, 70, 70)]
    for i in range(4):
        x = 150 + i * 260 + rng.randint(-40, 40)
        s = rng.randint(90, 130)
        draw.polygon([(x, y), (x + s / 2, y - s * 0.8), (x + s, y)], fill=colours[i])
        draw.polygon([(x + s * 0.4, y), (x + s / 2, y - s * 0.5), (x + s * 0.6, y)], fill=(40, 30, 30))
    fx = WIDTH // 2 + rng.randint(-60, 60)
    draw.polygon([(fx - 26, y + 40), (fx, y - 20), (fx + 26, y + 40)], fill=(255, 170, 40))
    draw.polygon([(fx - 12, y + 40), (fx, y + 10), (fx + 12, y + 40)], fill=(255, 230, 120))


def _orchard(draw, rng, top, fruit):
    for row in range(4):
        y = top + row * 70
        for i in range(9):
            x = 60 + i * 135 + (row % 2) * 60 + rng.randint(-10, 10)
            r = 30 + row * 6
            draw.rectangle((x - 4, y, x + 4, y + r), fill=(90, 62, 40))
            draw.ellipse((x - r, y - r, x + r, y + r * 0.5), fill=_jitter((56, 120, 52), rng))
            for _ in range(7):
                fx, fy = x + rng.randint(-r + 8, r - 8), y + rng.randint(-r + 8, 4)
                draw.ellipse((fx - 5, fy - 5, fx + 5, fy + 5), fill=_jitter(fruit, rng, 10))


def _haystacks(draw, rng, y):
    for _ in range(7):
        x = rng.randint(40, WIDTH - 40)
        s = rng.randint(40, 70)
        draw.ellipse((x - s, y - s * 1.3, x + s, y + s * 0.4), fill=_jitter((220, 180, 80), rng, 14))


def _waterfall(draw, rng):
    x = rng.randint(460, 700)
    draw.polygon([(x - 140, 220), (x + 140, 220), (x + 220, HEIGHT), (x - 220, HEIGHT)], fill=(70, 80, 76))
    for i in range(40):
        fx = x - 50 + i * 2.5
        draw.line((fx, 230, fx + rng.randint(-8, 8), 640), fill=_jitter((226, 240, 246), rng, 10), width=3)
    draw.ellipse((x - 260, 600, x + 260, 760), fill=(200, 226, 234))


def render(key, theme):
    """The picture for ``key`` as a PIL image; the same key always draws the same picture."""
    if theme not in THEME_STYLE:
        theme = "mountain"
    rng = random.Random(zlib.crc32(key.encode("utf-8")))
    sky, hill_colours = THEME_STYLE[theme]
    top, bottom = SKIES[sky]
    image = _gradient(_jitter(top, rng, 10), _jitter(bottom, rng, 10), HEIGHT)
    draw = ImageDraw.Draw(image)
    _sun(draw, rng, sky)
    _clouds(draw, rng, sky)
    horizon = rng.randint(420, 480)
    _hills(draw, rng, hill_colours[:3], horizon)

    if theme == "peach":
        _hills(draw, rng, hill_colours[3:], horizon + 40)
        _blossom_trees(draw, rng, 22, 470, 760)
    elif theme == "tea":
        _tea_rows(draw, rng, horizon + 40)
    elif theme == "village":
        _water(draw, rng, 640)
        for i in range(6):
            _house(draw, 40 + i * 190 + rng.randint(-20, 20), 640, rng.randint(120, 170))
        _bridge(draw, rng.randint(200, 800), 700, 220)
    elif theme == "ethnic":
        _terraces(draw, rng, 560, colour=(130, 170, 80), water=True)
        for i in range(5):
            _stilt_house(draw, 60 + i * 230 + rng.randint(-20, 20), 560 + rng.randint(-20, 10), 150)
    elif theme == "memorial":
        _hills(draw, rng, hill_colours[3:], horizon + 60)
        _trees(draw, rng, 16, 520, 640, colour=(30, 86, 50))
        _memorial(draw, WIDTH // 2, 700)
    elif theme == "farm":
        _hills(draw, rng, hill_colours[3:], horizon + 30)
        fruit = rng.choice([(230, 60, 50), (250, 160, 40), (150, 40, 120)])
        _orchard(draw, rng, 510, fruit)
    elif theme == "camping":
        _hills(draw, rng, hill_colours[3:], horizon + 60)
        _tents(draw, rng, 660)
    elif theme == "study":
        _terraces(draw, rng, 540, colour=(150, 190, 90))
        _house(draw, 760, 600, 220, wall=(240, 236, 226), roof=(90, 60, 50))
        _trees(draw, rng, 6, 520, 620)
    elif theme == "river":
        _water(draw, rng, 560)
        _trees(draw, rng, 10, 500, 540)
        _bridge(draw, rng.randint(200, 700), 620, 320)
    elif theme == "lantern":
        for i in range(7):
            _house(draw, i * 180 + rng.randint(-10, 10), 720, 160, wall=(70, 64, 80), roof=(24, 22, 30))
        _lanterns(draw, rng, 9)
    elif theme == "harvest":
        _terraces(draw, rng, 520, colour=(218, 176, 64))
        _haystacks(draw, rng, 740)
    elif theme == "waterfall":
        _waterfall(draw, rng)
        _trees(draw, rng, 14, 500, 720, colour=(30, 90, 50))
    else:
        ridge = _hills(draw, rng, hill_colours[3:], horizon + 60)[-1]
        px, py = min((point for point in ridge if 200 < point[0] < WIDTH - 200), key=lambda point: point[1])
        _pavilion(draw, px, py + 4, rng.randint(70, 100))
        _trees(draw, rng, 20, 560, 760)

    return image.filter(ImageFilter.SMOOTH)


def render_jpeg(key, theme, quality=82):
    """The picture for ``key`` as JPEG bytes."""
    buffer = BytesIO()
    render(key, theme).save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
