"""A thumbnail service pinned in 2021: Pillow 8.4.0 has Linux wheels up to CPython 3.10, so every catalog Python
builds it from its sdist against libjpeg's and zlib's headers."""

import io

from flask import Flask
from PIL import Image, features

app = Flask(__name__)


@app.get("/")
def about() -> str:
    # A JPEG and a PNG encoded here need the libjpeg and zlib the compiled module loads.
    jpeg, png = io.BytesIO(), io.BytesIO()
    tile = Image.new("RGB", (32, 32), (200, 80, 40))
    tile.save(jpeg, "JPEG", quality=80)
    tile.save(png, "PNG")
    return (f"thumbs on Pillow {Image.__version__}: jpeg {features.check('jpg')}, zlib {features.check('zlib')}, "
            f"{jpeg.tell() > 0 and png.tell() > 0}\n")
