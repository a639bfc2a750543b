"""`make label-image`: docs/label.png, the README's example label.

A label for a made-up unit (the test facility number, AB RhD positive packed red cells) drawn by
the api's own PDF renderer (dblood.inventory.labels_pdf) and rasterised at 300 dpi by the test
suite's scanner helper (testing/scanner.py), which also reads its four barcodes back with zbar
before the file is written. test_label_scan.py checks the committed image still reads.
"""

import os
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dblood.settings.test")

import django  # noqa: E402

django.setup()

from dblood.core.isbt import check_value, parse_scan  # noqa: E402
from dblood.inventory.labels import FLAG_CHECK_OFFSET, Label  # noqa: E402
from dblood.inventory.labels_pdf import label_pdf  # noqa: E402
from testing.scanner import decode, rasterise  # noqa: E402

DIN = "T999926000042"
LABEL = Label(
    din=DIN,
    flags=f"{check_value(DIN) + FLAG_CHECK_OFFSET:02d}",
    abo="AB",
    rhd="+",
    product_code="E0001V00",
    expires=datetime(2027, 1, 18, 23, 59),
    zone="WIB",
    product_en="Packed red cells",
    product_id="Sel darah merah pekat",
    volume_ml=250,
    storage_en="Store at 2 to 6 °C",
    storage_id="Simpan pada 2 s.d. 6 °C",
    bank="UDD PMI Kota Jakarta Pusat",
    bank_city="Jakarta Pusat",
    quarantined=False,
)


def main() -> None:
    image = rasterise(label_pdf(LABEL), dpi=300)
    scan = parse_scan("".join(data for _, data in decode(image)))
    assert (scan.din, scan.abo, scan.rhd, scan.product_code) == (DIN, "AB", "+", "E0001V00"), scan
    target = ROOT / "docs" / "label.png"
    image.save(target, optimize=True)
    print(f"{target.relative_to(ROOT)}: {image.width} x {image.height} px, {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
