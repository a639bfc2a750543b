"""A milestone certificate as one A4 landscape PDF page (reportlab, as the unit labels are), in
Bahasa Indonesia and English, with a QR code (reportlab's own) of its public check page.

The suite reads it back: the text with PDFium, the QR code with zbar (testing/scanner.py).
"""

import io

from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .milestones import check_url
from .models import MilestoneCertificate

WIDTH, HEIGHT = landscape(A4)
QR_SIZE = 38 * mm
REGULAR, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
# Indonesian month names, so the date reads the same in both languages whatever the server's locale.
BULAN = ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember").split()
MONTHS = "January February March April May June July August September October November December".split()
# What PMI's highest award is called; named on the certificate for the count that earns it.
HIGHEST_AWARD = 100


def _fit(canvas: Canvas, text: str, y: float, *, font: str, size: float) -> None:
    """Centred, shrunk to the page's width (long names)."""
    while size > 8 and canvas.stringWidth(text, font, size) > WIDTH - 40 * mm:
        size -= 1
    canvas.setFont(font, size)
    canvas.drawCentredString(WIDTH / 2, y, text)


def _qr(canvas: Canvas, data: str, x: float, y: float) -> None:
    widget = QrCodeWidget(data, barLevel="M", barBorder=4)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def certificate_pdf(certificate: MilestoneCertificate) -> bytes:
    donor = certificate.donor
    issued = timezone.localdate(certificate.issued_at)
    count = certificate.milestone
    url = check_url(certificate)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=True)  # same certificate, same bytes
    canvas.setTitle(f"Piagam donor darah {count} kali / Blood donation certificate: {count} donations")
    canvas.setAuthor("dblood")
    canvas.setLineWidth(2)
    canvas.setStrokeColorRGB(0.75, 0.05, 0.1)
    canvas.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)
    top = HEIGHT - 38 * mm
    _fit(canvas, "PIAGAM PENGHARGAAN", top, font=BOLD, size=30)
    _fit(canvas, "Certificate of Appreciation", top - 11 * mm, font=ITALIC, size=18)
    _fit(canvas, "Diberikan kepada / Awarded to", top - 28 * mm, font=REGULAR, size=13)
    _fit(canvas, donor.user.full_name or donor.donor_number, top - 42 * mm, font=BOLD, size=26)
    _fit(canvas, f"Donor no. {donor.donor_number}", top - 50 * mm, font=REGULAR, size=11)
    _fit(canvas, f"atas {count} kali donor darah sukarela", top - 64 * mm, font=BOLD, size=16)
    _fit(canvas, f"for {count} voluntary blood donations", top - 72 * mm, font=ITALIC, size=14)
    if count >= HIGHEST_AWARD:
        _fit(canvas, "Satyalancana Kebaktian Sosial", top - 84 * mm, font=BOLD, size=13)
    canvas.setFont(REGULAR, 11)
    canvas.drawString(24 * mm, 40 * mm, f"Diterbitkan {issued.day} {BULAN[issued.month - 1]} {issued.year}")
    canvas.drawString(24 * mm, 34 * mm, f"Issued {issued.day} {MONTHS[issued.month - 1]} {issued.year}")
    canvas.setFont(REGULAR, 8)
    canvas.drawString(24 * mm, 24 * mm, "Periksa keaslian / Verify at:")
    canvas.drawString(24 * mm, 20 * mm, url)
    _qr(canvas, url, WIDTH - 24 * mm - QR_SIZE, 18 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
