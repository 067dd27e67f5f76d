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
    """The picture for ``key`` as JPEG bytes: a landscape of ``theme``, or a still life when
    ``theme`` names one (STILL_LIFES: the shop's produce)."""
    buffer = BytesIO()
    picture = render_still_life(key, theme) if theme in STILL_LIFES else render(key, theme)
    picture.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


# --- produce: a still life on a wooden table, so eggs look like eggs and honey like honey -------

TABLE = ((196, 160, 118), (150, 112, 78))
BACKDROP = ((244, 238, 226), (226, 216, 198))


def _table(rng):
    image = _gradient(_jitter(BACKDROP[0], rng, 6), _jitter(BACKDROP[1], rng, 6), HEIGHT)
    draw = ImageDraw.Draw(image)
    top = 470
    for y in range(top, HEIGHT):
        draw.line([(0, y), (WIDTH, y)], fill=_mix(TABLE[0], TABLE[1], (y - top) / (HEIGHT - top)))
    for _i in range(14):  # the wood's grain
        y = rng.randint(top + 10, HEIGHT - 10)
        draw.line([(0, y), (WIDTH, y + rng.randint(-8, 8))], fill=_jitter(TABLE[1], rng, 8), width=2)
    return image, draw


def _pile(rng, count, centre_x=WIDTH // 2, base_y=640, spread=330, size=(90, 120)):
    """Where the items of a heap sit: back rows higher and first, so the front ones cover them."""
    spots = []
    for row in range(3):
        for _i in range(count // 3 + 1):
            x = centre_x + rng.randint(-spread + row * 60, spread - row * 60)
            y = base_y - row * size[1] * 0.45 + rng.randint(-10, 10)
            spots.append((x, y))
    return sorted(spots[:count], key=lambda spot: spot[1])


def _bowl(draw, cx, cy, width, colour):
    draw.chord([cx - width, cy - width // 2, cx + width, cy + width // 2 + 80], 0, 180, fill=colour)
    draw.ellipse([cx - width, cy - 30, cx + width, cy + 30], fill=_mix(colour, (0, 0, 0), 0.25))


def _eggs(draw, rng, shell):
    _bowl(draw, WIDTH // 2, 600, 360, (176, 132, 84))
    for x, y in _pile(rng, 11, base_y=590, spread=260, size=(90, 120)):
        w, h = rng.randint(78, 90), rng.randint(100, 114)
        draw.ellipse(
            [x - w // 2, y - h, x + w // 2, y],
            fill=_jitter(shell, rng, 8),
            outline=_mix(shell, (0, 0, 0), 0.2),
        )
        draw.ellipse([x - w // 4, y - h + 18, x - w // 8, y - h + 44], fill=_mix(shell, (255, 255, 255), 0.5))


def _jar(draw, rng, colour, lid=(200, 60, 50)):
    for cx in (WIDTH // 2 - 170, WIDTH // 2 + 170):
        draw.rounded_rectangle(
            [cx - 130, 300, cx + 130, 660],
            radius=40,
            fill=colour,
            outline=_mix(colour, (0, 0, 0), 0.3),
            width=4,
        )
        draw.rectangle([cx - 110, 250, cx + 110, 310], fill=lid)
        draw.rectangle([cx - 90, 420, cx + 90, 540], fill=(246, 240, 226))  # the label
        draw.line([(cx - 60, 460), (cx + 60, 460)], fill=lid, width=8)
        draw.line([(cx - 40, 500), (cx + 40, 500)], fill=(120, 110, 100), width=4)
        draw.rectangle([cx - 100, 330, cx - 70, 620], fill=_mix(colour, (255, 255, 255), 0.35))


def _fruit(draw, rng, colour, shape):
    _bowl(draw, WIDTH // 2, 610, 380, (232, 226, 214))
    for x, y in _pile(rng, 13, base_y=600, spread=300, size=(120, 120)):
        r = rng.randint(52, 64)
        fill = _jitter(colour, rng, 14)
        if shape == "berry":  # a strawberry: a rounded cone, seeds, a green cap
            draw.polygon([(x - r, y - r * 1.6), (x + r, y - r * 1.6), (x, y)], fill=fill)
            draw.ellipse([x - r, y - r * 2.1, x + r, y - r * 1.1], fill=fill)
            for _s in range(8):
                sx, sy = x + rng.randint(-r // 2, r // 2), y - rng.randint(int(r * 0.5), int(r * 1.7))
                draw.ellipse([sx - 3, sy - 4, sx + 3, sy + 4], fill=(250, 226, 120))
            draw.polygon(
                [(x - r * 0.7, y - r * 1.9), (x, y - r * 2.4), (x + r * 0.7, y - r * 1.9)], fill=(60, 140, 60)
            )
        else:
            draw.ellipse([x - r, y - 2 * r, x + r, y], fill=fill, outline=_mix(fill, (0, 0, 0), 0.2))
            if shape == "peach":
                draw.arc(
                    [x - r // 2, y - 2 * r, x + r // 2, y],
                    250,
                    110,
                    fill=_mix(fill, (120, 30, 40), 0.4),
                    width=4,
                )
                draw.ellipse(
                    [x + r // 3, y - 2 * r - 10, x + r // 3 + 44, y - 2 * r + 14], fill=(70, 140, 60)
                )
            elif shape == "kiwi":
                draw.ellipse([x - r // 2, y - 1.5 * r, x + r // 2, y - r // 2], fill=(120, 176, 60))
                draw.ellipse([x - 10, y - r - 10, x + 10, y - r + 10], fill=(236, 232, 180))


def _leaves(draw, rng, colour, flowers=False):
    draw.rounded_rectangle([220, 470, 980, 700], radius=30, fill=(120, 84, 52))  # a tray
    for _i in range(90):
        x, y = rng.randint(270, 930), rng.randint(480, 680)
        if flowers:
            for angle in range(0, 360, 40):
                dx, dy = 18 * math.cos(math.radians(angle)), 18 * math.sin(math.radians(angle))
                draw.ellipse([x + dx - 9, y + dy - 6, x + dx + 9, y + dy + 6], fill=_jitter(colour, rng, 10))
            draw.ellipse([x - 8, y - 8, x + 8, y + 8], fill=(200, 130, 30))
        else:
            angle = rng.uniform(0, math.pi)
            dx, dy = 30 * math.cos(angle), 12 * math.sin(angle)
            draw.ellipse(
                [x - abs(dx) - 6, y - abs(dy) - 6, x + abs(dx) + 6, y + abs(dy) + 6],
                fill=_jitter(colour, rng, 14),
            )
    draw.rectangle([700, 280, 960, 470], fill=(70, 110, 70))  # the box behind the tray
    draw.rectangle([740, 320, 920, 430], fill=(236, 228, 206))


def _grain(draw, rng, colour):
    _bowl(draw, WIDTH // 2, 560, 330, (60, 70, 90))
    draw.ellipse([WIDTH // 2 - 310, 490, WIDTH // 2 + 310, 600], fill=_jitter(colour, rng, 6))
    for _i in range(600):
        x, y = rng.randint(WIDTH // 2 - 290, WIDTH // 2 + 290), rng.randint(500, 590)
        draw.ellipse([x - 5, y - 3, x + 5, y + 3], fill=_jitter(colour, rng, 18))
    draw.polygon([(300, 720), (520, 640), (540, 700)], fill=(150, 110, 60))  # a wooden scoop


def _shoots(draw, rng, colour):
    for x, y in _pile(rng, 7, base_y=680, spread=330, size=(150, 150)):
        h, w = rng.randint(220, 300), rng.randint(70, 90)
        draw.polygon(
            [(x - w, y), (x + w, y), (x + rng.randint(-20, 20), y - h)], fill=_jitter(colour, rng, 10)
        )
        for step in range(1, 4):
            yy = y - h * step / 4
            half = w * (1 - step / 4)
            draw.line([(x - half, yy), (x + half, yy + 10)], fill=_mix(colour, (80, 50, 20), 0.5), width=4)


def _slabs(draw, rng, colour):
    for i in range(4):
        x, y = 260 + i * 180, 330 + (i % 2) * 30
        draw.rounded_rectangle([x, y, x + 150, y + 330], radius=14, fill=_jitter(colour, rng, 10))
        for stripe in range(3):
            yy = y + 70 + stripe * 90
            draw.rectangle([x + 6, yy, x + 144, yy + 26], fill=(244, 230, 210))
        draw.line([(x + 75, y - 60), (x + 75, y)], fill=(90, 70, 50), width=5)  # the hanging string


def _pastries(draw, rng, colour):
    draw.ellipse([250, 500, 950, 740], fill=(236, 232, 224))  # a plate
    for x, y in _pile(rng, 9, base_y=660, spread=270, size=(120, 90)):
        r = rng.randint(58, 70)
        draw.ellipse(
            [x - r, y - r, x + r, y + r // 3],
            fill=_jitter(colour, rng, 10),
            outline=_mix(colour, (0, 0, 0), 0.2),
        )
        draw.ellipse([x - 14, y - r // 2, x + 14, y - r // 2 + 18], fill=(220, 90, 110))


def _weave(draw, rng, colour, form):
    if form == "basket":
        draw.chord([300, 300, 900, 760], 0, 180, fill=colour)
        draw.arc([360, 180, 840, 620], 180, 360, fill=_mix(colour, (60, 40, 20), 0.3), width=16)
        for x in range(320, 900, 36):
            draw.line([(x, 530), (x + 18, 740)], fill=_mix(colour, (60, 40, 20), 0.35), width=5)
        for y in range(550, 760, 36):
            draw.line([(320, y), (880, y)], fill=_mix(colour, (255, 255, 255), 0.2), width=5)
    elif form == "coasters":
        for x, y in [(420, 560), (640, 600), (820, 540), (540, 680)]:
            draw.ellipse([x - 110, y - 70, x + 110, y + 70], fill=_jitter(colour, rng, 10))
            for ring in range(20, 110, 22):
                draw.ellipse(
                    [x - ring, y - ring * 0.63, x + ring, y + ring * 0.63],
                    outline=_mix(colour, (60, 40, 20), 0.3),
                    width=3,
                )
    else:  # ribbon bookmarks
        stripes = [(200, 40, 50), (30, 110, 160), (240, 190, 40), (40, 140, 80), (250, 250, 240)]
        for i in range(5):
            x = 330 + i * 120
            draw.rectangle([x, 330, x + 70, 720], fill=(236, 228, 206))
            for j, yy in enumerate(range(340, 710, 24)):
                draw.rectangle([x + 6, yy, x + 64, yy + 16], fill=stripes[(i + j) % len(stripes)])
            draw.line([(x + 35, 330), (x + 35, 250)], fill=(200, 40, 50), width=4)


def _vegetables(draw, rng, colour, form):
    for x, y in _pile(rng, 7 if form == "radish" else 9, base_y=690, spread=320, size=(140, 120)):
        if form == "radish":
            draw.ellipse([x - 60, y - 210, x + 60, y], fill=_jitter(colour, rng, 6))
            draw.polygon([(x - 20, y - 10), (x + 20, y - 10), (x, y + 40)], fill=_jitter(colour, rng, 6))
            for dx in (-40, 0, 40):
                draw.ellipse([x + dx - 22, y - 330, x + dx + 22, y - 190], fill=(70, 150, 60))
        else:  # leafy greens: a bunch of leaves on pale stems
            for dx in (-50, -15, 20, 55):
                draw.ellipse([x + dx - 40, y - 220, x + dx + 40, y - 60], fill=_jitter(colour, rng, 14))
                draw.line([(x + dx, y - 70), (x, y)], fill=(214, 236, 190), width=10)


def _hen(draw, rng, colour):
    x, y = WIDTH // 2, 640
    draw.ellipse([x - 230, y - 300, x + 170, y], fill=colour)  # body
    draw.polygon(
        [(x - 230, y - 240), (x - 330, y - 380), (x - 300, y - 180)], fill=_mix(colour, (0, 0, 0), 0.3)
    )  # tail
    draw.ellipse([x + 90, y - 420, x + 230, y - 270], fill=colour)  # head
    draw.polygon(
        [(x + 120, y - 420), (x + 150, y - 470), (x + 180, y - 420), (x + 210, y - 460), (x + 220, y - 400)],
        fill=(210, 40, 40),
    )
    draw.polygon([(x + 225, y - 360), (x + 280, y - 345), (x + 225, y - 330)], fill=(240, 180, 40))  # beak
    draw.ellipse([x + 170, y - 370, x + 188, y - 352], fill=(20, 20, 20))
    draw.ellipse([x - 120, y - 230, x + 60, y - 100], fill=_mix(colour, (0, 0, 0), 0.15))  # wing
    for lx in (x - 60, x + 20):
        draw.line([(lx, y), (lx, y + 90)], fill=(230, 170, 40), width=10)


STILL_LIFES = {
    "eggs": lambda d, r: _eggs(d, r, (214, 170, 120)),
    "duck_eggs": lambda d, r: _eggs(d, r, (196, 222, 214)),
    "honey": lambda d, r: _jar(d, r, (226, 150, 30), lid=(200, 160, 60)),
    "jam": lambda d, r: _jar(d, r, (180, 24, 40)),
    "strawberries": lambda d, r: _fruit(d, r, (214, 36, 48), "berry"),
    "peaches": lambda d, r: _fruit(d, r, (246, 170, 160), "peach"),
    "yellow_peaches": lambda d, r: _fruit(d, r, (246, 196, 70), "peach"),
    "kiwis": lambda d, r: _fruit(d, r, (140, 104, 60), "kiwi"),
    "green_tea": lambda d, r: _leaves(d, r, (96, 150, 70)),
    "black_tea": lambda d, r: _leaves(d, r, (80, 50, 34)),
    "chrysanthemum": lambda d, r: _leaves(d, r, (246, 214, 60), flowers=True),
    "rice": lambda d, r: _grain(d, r, (244, 240, 226)),
    "brown_rice": lambda d, r: _grain(d, r, (196, 160, 110)),
    "millet": lambda d, r: _grain(d, r, (236, 196, 80)),
    "bamboo_shoots": lambda d, r: _shoots(d, r, (214, 186, 120)),
    "cured_pork": lambda d, r: _slabs(d, r, (150, 50, 40)),
    "pastries": lambda d, r: _pastries(d, r, (250, 210, 200)),
    "cakes": lambda d, r: _pastries(d, r, (246, 220, 130)),
    "basket": lambda d, r: _weave(d, r, (206, 168, 96), "basket"),
    "coasters": lambda d, r: _weave(d, r, (206, 168, 96), "coasters"),
    "bookmarks": lambda d, r: _weave(d, r, (206, 168, 96), "bookmarks"),
    "radishes": lambda d, r: _vegetables(d, r, (246, 246, 240), "radish"),
    "greens": lambda d, r: _vegetables(d, r, (70, 150, 60), "greens"),
    "chicken": lambda d, r: _hen(d, r, (190, 120, 60)),
}


def render_still_life(key, subject):
    """A picture of ``subject`` (a key of STILL_LIFES) on a wooden table; seeded by ``key``."""
    rng = random.Random(zlib.crc32(key.encode("utf-8")))
    image, draw = _table(rng)
    STILL_LIFES[subject](draw, rng)
    return image.filter(ImageFilter.SMOOTH)
