"""imgforge: generate, lint, build, scan, tag & push container images, and emit their manifests."""

from imgforge.errors import ImgforgeError

__version__ = "0.1.0"
__all__ = ["ImgforgeError", "__version__"]
