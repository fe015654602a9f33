"""The demo town's logo, drawn here (no image file in the repository): a bridge over a
river in the palette of the pages, so the observatory's PDF report shows a logo on the
first run."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def demo_logo() -> bytes:
    image = Image.new("RGB", (360, 120), "white")
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 92, 360, 120), fill=(11, 83, 148))  # the river
    pen.arc((40, 30, 320, 150), start=180, end=360, fill=(180, 95, 6), width=12)  # the arch
    pen.rectangle((20, 84, 340, 94), fill=(74, 74, 74))  # the deck
    for x in (95, 180, 265):
        pen.line((x, 44 if x == 180 else 56, x, 84), fill=(74, 74, 74), width=5)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
