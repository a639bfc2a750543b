"""A unit's label as a 100 x 100 mm PDF page (reportlab), four 50 x 50 mm quadrants.

Barcodes are reportlab's Code 128 (it picks subset C for runs of digits, which keeps the DIN's
barcode inside its quadrant). The X dimension is 0.25 mm, the ISBT 128 nominal, with quiet zones
of 10 X; the test suite rasterises each label and reads every barcode back with zbar.
"""

import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .labels import Label

SIZE = 100 * mm
HALF = SIZE / 2
MARGIN = 2.5 * mm
BAR_WIDTH = 0.25 * mm  # X dimension, ISBT 128 nominal
QUIET = 10 * BAR_WIDTH
BAR_HEIGHT = 11 * mm
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


def _barcode(canvas: Canvas, data: str, x: float, top: float) -> None:
    """Code 128 of `data`, its quiet zones inside the quadrant starting at `x`, its top at `top`."""
    width = BAR_WIDTH
    code = Code128(data, barWidth=width, barHeight=BAR_HEIGHT, quiet=True, lquiet=QUIET, rquiet=QUIET)
    if code.width > HALF - 2 * MARGIN + 2 * QUIET:  # never spill into the next quadrant
        width = BAR_WIDTH * (HALF - 2 * MARGIN) / code.width
        code = Code128(data, barWidth=width, barHeight=BAR_HEIGHT, quiet=True, lquiet=10 * width, rquiet=10 * width)
    code.drawOn(canvas, x, top - BAR_HEIGHT)


def _fit(canvas: Canvas, text: str, x: float, y: float, *, font: str, size: float, width: float) -> None:
    """Draw `text`, shrinking it to fit `width` (long bank or product names)."""
    while size > 4 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)


def _din(canvas: Canvas, label: Label, x: float, y: float) -> None:
    top = y + HALF - MARGIN
    _barcode(canvas, label.barcodes["din"], x, top)
    base = top - BAR_HEIGHT - 6 * mm
    canvas.setFont(BOLD, 12)
    canvas.drawString(x + MARGIN, base, label.eye_readable_din)
    after = x + MARGIN + canvas.stringWidth(label.eye_readable_din, BOLD, 12) + 1 * mm
    # The flags, turned 90 degrees, then the check character in a box (ISBT 128 eye-readable DIN).
    canvas.saveState()
    canvas.translate(after + 2.2 * mm, base - 0.5 * mm)
    canvas.rotate(90)
    canvas.setFont(REGULAR, 6)
    canvas.drawString(0, 0, label.flags)
    canvas.restoreState()
    box = after + 3.2 * mm
    canvas.setLineWidth(0.6)
    canvas.rect(box, base - 1 * mm, 4.4 * mm, 5.2 * mm)
    canvas.setFont(BOLD, 12)
    canvas.drawCentredString(box + 2.2 * mm, base, label.check)
    width = HALF - 2 * MARGIN
    canvas.setFont(REGULAR, 6)
    canvas.drawString(x + MARGIN, base - 6 * mm, "Collected by / Diambil oleh")
    _fit(canvas, label.bank, x + MARGIN, base - 10 * mm, font=BOLD, size=8, width=width)
    _fit(canvas, label.bank_city, x + MARGIN, base - 14 * mm, font=REGULAR, size=7, width=width)


def _group(canvas: Canvas, label: Label, x: float, y: float) -> None:
    top = y + HALF - MARGIN
    _barcode(canvas, label.barcodes["blood_group"], x, top)
    centre = x + HALF / 2
    canvas.setFont(BOLD, 44)
    canvas.drawCentredString(centre, top - BAR_HEIGHT - 17 * mm, label.abo)
    positive = label.rhd == "+"
    words = ("RhD POSITIVE", "RhD POSITIF") if positive else ("RhD NEGATIVE", "RhD NEGATIF")
    line = top - BAR_HEIGHT - 23 * mm
    if not positive:  # negative groups are printed reversed, white on black, so they stand out
        canvas.rect(x + MARGIN, line - 6 * mm, HALF - 2 * MARGIN, 10 * mm, stroke=0, fill=1)
        canvas.setFillGray(1)
    canvas.setFont(BOLD, 11)
    canvas.drawCentredString(centre, line, words[0])
    canvas.setFont(REGULAR, 8)
    canvas.drawCentredString(centre, line - 4 * mm, words[1])
    canvas.setFillGray(0)


def _product(canvas: Canvas, label: Label, x: float, y: float) -> None:
    top = y + HALF - MARGIN
    _barcode(canvas, label.barcodes["product_code"], x, top)
    width = HALF - 2 * MARGIN
    line = top - BAR_HEIGHT - 5 * mm
    code = label.product_code
    canvas.setFont(BOLD, 9)
    canvas.drawString(x + MARGIN, line, f"{code[:5]} {code[5]} {code[6:]}")
    _fit(canvas, label.product_en.upper(), x + MARGIN, line - 5 * mm, font=BOLD, size=9, width=width)
    _fit(canvas, label.product_id, x + MARGIN, line - 9 * mm, font=REGULAR, size=7.5, width=width)
    canvas.setFont(REGULAR, 7.5)
    canvas.drawString(x + MARGIN, line - 13.5 * mm, f"{label.volume_ml} mL")
    _fit(canvas, label.storage_en, x + MARGIN, line - 17 * mm, font=REGULAR, size=6.5, width=width)
    _fit(canvas, label.storage_id, x + MARGIN, line - 20 * mm, font=REGULAR, size=6.5, width=width)
    if label.quarantined:  # not yet tested: a bag that must not reach a patient says so on its face
        canvas.rect(x + MARGIN, y + MARGIN, width, 5.5 * mm, stroke=0, fill=1)
        canvas.setFillGray(1)
        _fit(
            canvas,
            "QUARANTINE - NOT TESTED / KARANTINA",
            x + MARGIN + 1 * mm,
            y + MARGIN + 1.7 * mm,
            font=BOLD,
            size=7,
            width=width - 2 * mm,
        )
        canvas.setFillGray(0)


def _expiry(canvas: Canvas, label: Label, x: float, y: float) -> None:
    top = y + HALF - MARGIN
    _barcode(canvas, label.barcodes["expires_at"], x, top)
    line = top - BAR_HEIGHT - 6 * mm
    canvas.setFont(BOLD, 9)
    canvas.drawString(x + MARGIN, line, "EXPIRES")
    canvas.setFont(REGULAR, 7.5)
    canvas.drawString(x + MARGIN, line - 4 * mm, "Kedaluwarsa")
    canvas.setFont(BOLD, 16)
    canvas.drawString(x + MARGIN, line - 11 * mm, label.expires.strftime("%Y-%m-%d"))
    canvas.drawString(x + MARGIN, line - 18 * mm, f"{label.expires:%H:%M} {label.zone}")


def label_pdf(label: Label) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(SIZE, SIZE), invariant=True)  # same label, same bytes
    canvas.setTitle(f"DIN {label.din} {label.product_code}")
    canvas.setAuthor("dblood")
    canvas.setLineWidth(0.5)
    canvas.line(HALF, 0, HALF, SIZE)
    canvas.line(0, HALF, SIZE, HALF)
    _din(canvas, label, 0, HALF)
    _group(canvas, label, HALF, HALF)
    _product(canvas, label, 0, 0)
    _expiry(canvas, label, HALF, 0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
