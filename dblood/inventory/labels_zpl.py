"""A unit's label as ZPL II for thermal label printers (Zebra and compatibles), 100 x 100 mm at
203 dpi (8 dots per mm, 800 x 800 dots), the same four quadrants as the PDF.

The barcodes are drawn by the printer's own Code 128 command (^BC); dblood writes only the field
data. In ^BC's field data `>` starts an invocation code, so a literal `>` (in 005's `&>`) is
written `><`; the data starts in subset B (`>:`) and a run of four or more digits is switched to
subset C (`>5`, back with `>6`), which is what keeps the DIN's barcode inside its quadrant at the
0.25 mm (2 dot) X dimension. Text fields go through ^FH so that `^`, `~` and `_` in a bank's name
cannot end a field or start a command; ^CI28 makes the text UTF-8.
"""

import re

from .labels import Label

DOTS_PER_MM = 8
SIZE = 100 * DOTS_PER_MM
HALF = SIZE // 2
MARGIN = 20
MODULE = 2  # dots: 0.25 mm X dimension
BAR_HEIGHT = 88  # 11 mm
DIGIT_RUN = re.compile(r"\d{4,}")


def code128_field(data: str) -> str:
    """^BC field data for `data` (printable ASCII): subset B, digit runs in subset C."""
    if any(char in data for char in "^~") or not data.isascii() or not data.isprintable():
        raise ValueError(f"not Code 128 subset B data: {data!r}")
    out, position = [">:"], 0
    for run in DIGIT_RUN.finditer(data):
        start = run.start() + (len(run.group()) % 2)  # an odd run leaves its first digit in B
        out.append(data[position:start].replace(">", "><"))
        out.append(">5" + data[start : run.end()])
        position = run.end()
        if position < len(data):
            out.append(">6")
    out.append(data[position:].replace(">", "><"))
    return "".join(out)


def field_text(text: str) -> str:
    """Text for a ^FH^FD field: the characters ZPL reads as commands, hex-escaped."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _text(x: int, y: int, text: str, *, height: int, width: int | None = None, box: int = 0) -> str:
    """A text field in the printer's scalable font 0; with `box`, a one-line block that wide (the
    printer shrinks nothing: long names are cut by the block)."""
    block = f"^FB{box},1,0,L,0" if box else ""
    return f"^FO{x},{y}^A0N,{height},{width or height}{block}^FH^FD{field_text(text)}^FS"


def _barcode(x: int, y: int, data: str) -> str:
    return f"^FO{x + MARGIN},{y + MARGIN}^BY{MODULE}^BCN,{BAR_HEIGHT},N,N,N^FD{code128_field(data)}^FS"


def label_zpl(label: Label) -> str:
    codes = label.barcodes
    box = HALF - 2 * MARGIN
    below = MARGIN + BAR_HEIGHT + 20
    positive = label.rhd == "+"
    rh_en, rh_id = ("RhD POSITIVE", "RhD POSITIF") if positive else ("RhD NEGATIVE", "RhD NEGATIF")
    code = label.product_code
    parts = [
        "^XA",
        "^CI28",
        f"^PW{SIZE}",
        f"^LL{SIZE}",
        "^LH0,0",
        # quadrant lines
        f"^FO{HALF},0^GB2,{SIZE},2^FS",
        f"^FO0,{HALF}^GB{SIZE},2,2^FS",
        # upper left: DIN, flags, boxed check character, collecting bank
        _barcode(0, 0, codes["din"]),
        _text(MARGIN, below, label.eye_readable_din, height=34, width=30),
        _text(MARGIN + 262, below + 4, label.flags, height=16),
        f"^FO{MARGIN + 296},{below - 6}^GB36,44,3^FS",
        _text(MARGIN + 304, below, label.check, height=34, width=30),
        _text(MARGIN, below + 56, "Collected by / Diambil oleh", height=18),
        _text(MARGIN, below + 80, label.bank, height=24, box=box),
        _text(MARGIN, below + 108, label.bank_city, height=20, box=box),
        # upper right: ABO and RhD (a negative group reversed, white on black)
        _barcode(HALF, 0, codes["blood_group"]),
        f"^FO{HALF + MARGIN},{below}^A0N,130,110^FB{box},1,0,C,0^FD{label.abo}^FS",
    ]
    rh_y = below + 140
    if not positive:
        parts.append(f"^FO{HALF + MARGIN},{rh_y - 8}^GB{box},80,80^FS")
    reverse = "" if positive else "^FR"
    parts += [
        f"^FO{HALF + MARGIN},{rh_y}^A0N,32,28^FB{box},1,0,C,0{reverse}^FD{rh_en}^FS",
        f"^FO{HALF + MARGIN},{rh_y + 38}^A0N,24,22^FB{box},1,0,C,0{reverse}^FD{rh_id}^FS",
        # lower left: product code and description, volume, storage; quarantine banner
        _barcode(0, HALF, codes["product_code"]),
        _text(MARGIN, HALF + below, f"{code[:5]} {code[5]} {code[6:]}", height=26),
        _text(MARGIN, HALF + below + 34, label.product_en.upper(), height=26, box=box),
        _text(MARGIN, HALF + below + 64, label.product_id, height=22, box=box),
        _text(MARGIN, HALF + below + 92, f"{label.volume_ml} mL", height=22),
        _text(MARGIN, HALF + below + 120, label.storage_en, height=18, box=box),
        _text(MARGIN, HALF + below + 142, label.storage_id, height=18, box=box),
    ]
    if label.quarantined:
        parts += [
            f"^FO{MARGIN},{SIZE - MARGIN - 44}^GB{box},44,44^FS",
            f"^FO{MARGIN + 8},{SIZE - MARGIN - 34}^A0N,24,20^FB{box - 16},1,0,L,0^FR"
            "^FDQUARANTINE - NOT TESTED / KARANTINA^FS",
        ]
    parts += [
        # lower right: expiry date and time in the collecting bank's zone
        _barcode(HALF, HALF, codes["expires_at"]),
        _text(HALF + MARGIN, HALF + below, "EXPIRES", height=28),
        _text(HALF + MARGIN, HALF + below + 32, "Kedaluwarsa", height=22),
        _text(HALF + MARGIN, HALF + below + 66, label.expires.strftime("%Y-%m-%d"), height=50, width=44),
        _text(HALF + MARGIN, HALF + below + 122, f"{label.expires:%H:%M} {label.zone}", height=50, width=44),
        "^PQ1",
        "^XZ",
    ]
    return "\n".join(parts) + "\n"
