"""Reference data that ships with the code base, with its sources (domain.md §4.2, §5, §1.3).

Kemendagri codes are written without dots; numbering gaps are real, so codes are
listed, never generated.
"""
from datetime import date

# Kecamatan code -> (name, {kelurahan suffix: name}); source: cahyadsn/wilayah,
# Kepmendagri No. 300.2.2-2138 Tahun 2025.
KOTA_BEKASI = {
    "327501": ("Bekasi Timur", {"1001": "Bekasijaya", "1002": "Margahayu", "1003": "Durenjaya",
                                "1004": "Arenjaya"}),
    "327502": ("Bekasi Barat", {"1001": "Bintara", "1002": "Kranji", "1003": "Kotabaru",
                                "1004": "Bintarajaya", "1005": "Jakasampurna"}),
    "327503": ("Bekasi Utara", {"1001": "Kaliabang Tengah", "1002": "Perwira",
                                "1003": "Harapanbaru", "1004": "Teluk Pucung",
                                "1005": "Margamulya", "1006": "Harapanjaya"}),
    "327504": ("Bekasi Selatan", {"1001": "Pekayonjaya", "1002": "Margajaya", "1003": "Jakamulya",
                                  "1004": "Jakasetia", "1005": "Kayuringinjaya"}),
    "327505": ("Rawalumbu", {"1001": "Bojong Rawalumbu", "1002": "Pengasinan",
                             "1003": "Sepanjangjaya", "1004": "Bojongmenteng"}),
    "327506": ("Medansatria", {"1001": "Medansatria", "1002": "Harapanmulya", "1003": "Pejuang",
                               "1004": "Kalibaru"}),
    "327507": ("Bantargebang", {"1003": "Bantargebang", "1004": "Cikiwul", "1007": "Ciketingudik",
                                "1008": "Sumurbatu"}),
    "327508": ("Pondokgede", {"1001": "Jatiwaringin", "1002": "Jatibening", "1003": "Jatimakmur",
                              "1006": "Jatibening Baru", "1007": "Jaticempaka"}),
    "327509": ("Jatiasih", {"1001": "Jatimekar", "1002": "Jatiasih", "1003": "Jatikramat",
                            "1004": "Jatirasa", "1005": "Jatiluhur", "1006": "Jatisari"}),
    "327510": ("Jatisampurna", {"1001": "Jatisampurna", "1002": "Jatikarya",
                                "1003": "Jatiranggon", "1004": "Jatirangga",
                                "1005": "Jatiraden"}),
    "327511": ("Mustikajaya", {"1001": "Padurenan", "1002": "Cimuning", "1003": "Mustikajaya",
                               "1004": "Mustikasari"}),
    "327512": ("Pondokmelati", {"1001": "Jatirahayu", "1002": "Jatiwarna", "1003": "Jatimelati",
                                "1004": "Jatimurni"}),
}

# UMK Kota Bekasi in whole rupiah (domain.md §5; 2026 has a conflicting Rp5.999.422 quote).
UMK = {
    2024: (5_343_430, "Kepgub Jabar 561.7/Kep.804-Kesra/2023"),
    2025: (5_690_752, "Permenaker 16/2024 (+6,5%)"),
    2026: (5_999_443, "Kepgub Jabar 561/Kep.862-Kesra/2025"),
}

# BPU contributions at the lowest income basis of Rp1.000.000 (domain.md §1.3).
CONTRIBUTIONS = (
    ("JKK", date(2015, 7, 1), 10_000, 1_000_000,
     "PP 44/2015 Lampiran II jo. PP 82/2019 jo. PP 49/2023: 1% dari dasar penghasilan terendah"),
    ("JKM", date(2015, 7, 1), 6_800, 1_000_000, "PP 44/2015 jo. PP 82/2019: Rp6.800 per bulan"),
)

# Documents an application carries; `required` ones must be there before submission.
DOCUMENT_TYPES = (
    ("ktp", "KTP (Kartu Tanda Penduduk)", True),
    ("kk", "Kartu Keluarga", True),
    ("pernyataan_penghasilan", "Surat pernyataan penghasilan", True),
    ("lainnya", "Dokumen pendukung lain", False),
)

# The first policy version, loaded only into an empty policy table; after that the
# admin owns the versions. Desil 1-5 and the 2025 Keputusan Wali Kota follow domain.md §2.1;
# "under 65" follows BPJS BPU registration (§1.5); the income cap empty means the year's UMK.
# The Governor sets next year's UMK late in December (domain.md §5: Kepgub of 26 December
# 2025 for 2026), and the UMK has only ever risen, so until the admin enters it the last
# published UMK stands in: a cap no higher than the real one, never admitting anyone the
# new UMK would refuse. A version without this refuses to evaluate instead.
INITIAL_POLICY = {
    "name": "Parameter awal SIGAP (menunggu Perwal)",
    "legal_basis": "Perda Kota Bekasi 11/2024 Pasal 90; Keputusan Wali Kota Bekasi "
                   "No. 500.15.1/Kep.655-Disnaker/X/2025",
    "effective_from": date(2025, 11, 5),
    "categories": "pedagang,pekerja_lepas,wiraswasta,rentan_lainnya",
    "min_age": 18,
    "max_age": 64,
    "income_cap": None,
    "umk_fallback": True,
    "max_desil": 5,
    "require_data_aktual": True,
    "one_per_kk": True,
    "exclude_other_payers": True,
}
