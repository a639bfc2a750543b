"""Indonesia's 38 provinces: capital, its coordinates, population (millions, 2020 census rounded)
and how far (degrees, one standard deviation) people live from the capital. Data, not rules."""

from typing import NamedTuple


class Province(NamedTuple):
    name: str
    city: str
    lat: float
    lon: float
    population_m: float
    spread_deg: float


PROVINCES = [
    Province("Aceh", "Banda Aceh", 5.55, 95.32, 5.27, 0.9),
    Province("Sumatera Utara", "Medan", 3.59, 98.67, 14.80, 0.8),
    Province("Sumatera Barat", "Padang", -0.95, 100.35, 5.53, 0.6),
    Province("Riau", "Pekanbaru", 0.51, 101.45, 6.39, 0.8),
    Province("Kepulauan Riau", "Batam", 1.13, 104.05, 2.06, 0.3),
    Province("Jambi", "Jambi", -1.61, 103.61, 3.55, 0.7),
    Province("Sumatera Selatan", "Palembang", -2.98, 104.76, 8.47, 0.8),
    Province("Kepulauan Bangka Belitung", "Pangkal Pinang", -2.13, 106.11, 1.46, 0.4),
    Province("Bengkulu", "Bengkulu", -3.80, 102.27, 2.01, 0.5),
    Province("Lampung", "Bandar Lampung", -5.43, 105.26, 9.01, 0.6),
    Province("DKI Jakarta", "Jakarta", -6.20, 106.85, 10.56, 0.08),
    Province("Jawa Barat", "Bandung", -6.91, 107.61, 48.27, 0.5),
    Province("Banten", "Serang", -6.12, 106.15, 11.90, 0.3),
    Province("Jawa Tengah", "Semarang", -6.97, 110.42, 36.52, 0.6),
    Province("DI Yogyakarta", "Yogyakarta", -7.80, 110.36, 3.67, 0.15),
    Province("Jawa Timur", "Surabaya", -7.25, 112.75, 40.67, 0.8),
    Province("Bali", "Denpasar", -8.65, 115.22, 4.32, 0.25),
    Province("Nusa Tenggara Barat", "Mataram", -8.58, 116.12, 5.32, 0.6),
    Province("Nusa Tenggara Timur", "Kupang", -10.18, 123.61, 5.33, 1.2),
    Province("Kalimantan Barat", "Pontianak", -0.03, 109.33, 5.41, 0.9),
    Province("Kalimantan Tengah", "Palangka Raya", -2.21, 113.92, 2.67, 0.9),
    Province("Kalimantan Selatan", "Banjarmasin", -3.32, 114.59, 4.07, 0.5),
    Province("Kalimantan Timur", "Samarinda", -0.50, 117.15, 3.77, 0.7),
    Province("Kalimantan Utara", "Tanjung Selor", 2.84, 117.37, 0.70, 0.6),
    Province("Sulawesi Utara", "Manado", 1.47, 124.84, 2.62, 0.5),
    Province("Gorontalo", "Gorontalo", 0.54, 123.06, 1.17, 0.3),
    Province("Sulawesi Tengah", "Palu", -0.90, 119.87, 2.99, 0.8),
    Province("Sulawesi Barat", "Mamuju", -2.68, 118.89, 1.42, 0.5),
    Province("Sulawesi Selatan", "Makassar", -5.15, 119.43, 9.07, 0.7),
    Province("Sulawesi Tenggara", "Kendari", -3.97, 122.51, 2.62, 0.6),
    Province("Maluku", "Ambon", -3.70, 128.18, 1.85, 0.8),
    Province("Maluku Utara", "Ternate", 0.79, 127.38, 1.28, 0.6),
    Province("Papua", "Jayapura", -2.53, 140.72, 1.06, 0.6),
    Province("Papua Barat", "Manokwari", -0.86, 134.06, 0.55, 0.5),
    Province("Papua Selatan", "Merauke", -8.49, 140.40, 0.52, 0.6),
    Province("Papua Tengah", "Nabire", -3.37, 135.50, 1.43, 0.6),
    Province("Papua Pegunungan", "Wamena", -4.10, 138.95, 1.45, 0.4),
    Province("Papua Barat Daya", "Sorong", -0.88, 131.25, 0.60, 0.5),
]

# Indonesian donors (PMI figures): O ~37%, B ~28%, A ~26%, AB ~9%; RhD-negative well under 1%.
ABO_MIX = [("O", 0.37), ("B", 0.28), ("A", 0.26), ("AB", 0.09)]
RHD_NEGATIVE = 0.005


def split(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, summing exactly to `total` (largest remainders)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts
