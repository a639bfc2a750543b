"""The stock dashboard: the api's stock rows as a blood bank x blood group table and a bar chart.

The levels (critical, low, adequate) come from the api; the web only arranges and draws them.
"""

from dataclasses import dataclass, field

from .api import BLOOD_GROUPS, StockRow

# Worst first: a cell that sums several components shows its worst level.
LEVELS = ["critical", "low", "adequate"]


def worse(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if LEVELS.index(a) <= LEVELS.index(b) else b


@dataclass
class Cell:
    available: int = 0
    level: str | None = None

    def add(self, row: StockRow) -> None:
        self.available += int(row["available"])
        self.level = worse(self.level, row["level"] if row["level"] in LEVELS else None)


@dataclass
class SiteRow:
    site_id: int
    site_name: str
    city: str
    province: str
    cells: dict[str, Cell] = field(default_factory=lambda: {group: Cell() for group in BLOOD_GROUPS})

    @property
    def ordered_cells(self) -> list[tuple[str, Cell]]:
        return [(group, self.cells[group]) for group in BLOOD_GROUPS]


@dataclass
class Segment:
    level: str
    available: int
    x: float
    width: float


@dataclass
class Bar:
    group: str
    available: int
    level: str | None
    y: int
    width: float
    segments: list[Segment] = field(default_factory=list)


def table(rows: list[StockRow]) -> list[SiteRow]:
    sites: dict[int, SiteRow] = {}
    for row in rows:
        site = sites.setdefault(
            row["site_id"], SiteRow(row["site_id"], row["site_name"], row.get("city", ""), row.get("province", ""))
        )
        group = f"{row['abo']}{row['rhd']}"
        if group in site.cells:
            site.cells[group].add(row)
    return sorted(sites.values(), key=lambda s: (s.province, s.site_name))


def totals(site_rows: list[SiteRow]) -> dict[str, Cell]:
    out = {group: Cell() for group in BLOOD_GROUPS}
    for site in site_rows:
        for group, cell in site.cells.items():
            out[group].available += cell.available
            out[group].level = worse(out[group].level, cell.level)
    return out


def by_level(site_rows: list[SiteRow]) -> dict[str, dict[str, int]]:
    """Units of each group held at blood banks whose stock of that group is critical, low, adequate."""
    out = {group: dict.fromkeys(LEVELS, 0) for group in BLOOD_GROUPS}
    for site in site_rows:
        for group, cell in site.cells.items():
            if cell.level in LEVELS:
                out[group][cell.level] += cell.available
    return out


# Geometry of the server-side SVG chart (viewBox units; it scales to the screen).
CHART_LABEL_WIDTH = 44
CHART_BAR_MAX = 236
CHART_ROW = 28


def bars(group_totals: dict[str, Cell], split: dict[str, dict[str, int]] | None = None) -> list[Bar]:
    """One bar per group, its length the units available, split into segments by the level at the
    blood banks that hold them (critical first)."""
    peak = max((cell.available for cell in group_totals.values()), default=0) or 1
    out = []
    for index, (group, cell) in enumerate(group_totals.items()):
        bar = Bar(
            group=group,
            available=cell.available,
            level=cell.level,
            y=index * CHART_ROW,
            width=round(CHART_BAR_MAX * cell.available / peak, 1),
        )
        x = float(CHART_LABEL_WIDTH)
        for level, units in (split or {}).get(group, {}).items():
            if units:
                width = round(CHART_BAR_MAX * units / peak, 1)
                bar.segments.append(Segment(level=level, available=units, x=x, width=width))
                x += width
        out.append(bar)
    return out


def chart_context(site_rows: list[SiteRow]) -> dict:
    """What `_chart.html` and the groups' table need: totals per group and the bars drawn from them."""
    group_totals = totals(site_rows)
    return {
        "group_totals": group_totals,
        "bars": bars(group_totals, by_level(site_rows)),
        "chart_height": CHART_ROW * len(group_totals),
        "chart_label_width": CHART_LABEL_WIDTH,
    }
