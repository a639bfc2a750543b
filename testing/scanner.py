"""A barcode scanner for tests: rasterise a PDF (pypdfium2, PDFium's renderer) and decode every
symbol on it with zbar (pyzbar over Debian's libzbar0), as a scanner at the bench would.

Used by the label and donor-card tests, and by scripts/label_image.py for the README's picture.
"""

from PIL import Image


def rasterise(pdf: bytes, *, dpi: int = 300, page: int = 0) -> Image.Image:
    """One page of `pdf` as a greyscale image at `dpi` (a 100 mm label at 300 dpi is 1181 px)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[page].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


def decode(image: Image.Image) -> list[tuple[str, str]]:
    """Every symbol zbar finds: (symbology, data), top to bottom, left to right."""
    from pyzbar import pyzbar

    symbols = sorted(pyzbar.decode(image), key=lambda s: (s.rect.top // 50, s.rect.left))
    return [(symbol.type, symbol.data.decode("ascii")) for symbol in symbols]


def page_size_mm(pdf: bytes, page: int = 0) -> tuple[float, float]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        width, height = document[page].get_size()
    finally:
        document.close()
    return round(width / 72 * 25.4, 2), round(height / 72 * 25.4, 2)
