"""How domain codes read on the pages (translatable)."""

from reports.formatting import rupiah
from workflows.eligibility_rules import CONTINUING
from workflows.messages import lazy_gettext as _l

CATEGORY_LABELS = {"pedagang": _l("a. Trader (pedagang)"),
                   "pekerja_lepas": _l("b. Freelance worker (pekerja lepas)"),
                   "wiraswasta": _l("c. Self-employed (wiraswasta)"),
                   "rentan_lainnya": _l("d. Other vulnerable worker")}
SEX_LABELS = {"L": _l("Male (L)"), "P": _l("Female (P)")}
CHANNEL_LABELS = {"walk_in": _l("Walk-in at Disnaker"), "kelurahan": _l("Kelurahan proposal"),
                  "partner": _l("Partner")}
# The partner offices with an intake channel of their own (models/partner.py).
PARTNER_OFFICE_LABELS = {"dinsos": _l("Dinas Sosial"),
                         "dinkop_umkm": _l("Dinas Koperasi dan UMKM"),
                         "dishub": _l("Dinas Perhubungan"),
                         "ojol_gojek": _l("Ojol aplikator: Gojek"),
                         "ojol_grab": _l("Ojol aplikator: Grab"),
                         "ojol_maxim": _l("Ojol aplikator: Maxim"),
                         "ojol_lainnya": _l("Ojol aplikator: other")}
RULE_LABELS = {"identity": _l("Identity data consistent (NIK, KK)"),
               "category": _l("Category covered by the policy"),
               "age": _l("Age at application within the range"),
               "income": _l("Declared income not above the cap (UMK)"),
               "data_aktual": _l("Present in the current data aktual (DTSEN)"),
               "desil": _l("Desil not above the policy maximum"),
               "one_per_kk": _l("Only one participant per KK"),
               "other_payer": _l("Not already active or paid by another payer")}
DUPLICATE_LABELS = {"same_kk": _l("Same KK in the same year"),
                    "similar_name": _l("Similar name and same birth date")}
EXIT_LABELS = {"meninggal": _l("Deceased"), "pindah_domisili": _l("Moved out of Kota Bekasi"),
               "pekerja_formal": _l("Now in formal employment"),
               "penghasilan_di_atas_batas": _l("Income above the cap"),
               "permintaan_sendiri": _l("At own request"),
               "akhir_tahun_program": _l("End of the programme year"),
               "tidak_memenuhi_syarat": _l("No longer eligible at the renewal re-check"),
               "desil_naik": _l("Desil rose above the cut-off (DTSEN update)"),
               "pembayar_lain": _l("Now paid by another payer (province, APBN, CSR)"),
               "nik_nonaktif": _l("NIK inactive at Dukcapil"),
               "peserta_mandiri": _l("Continues as a self-paying participant"),
               "nonaktif_bpjs": _l("Lapsed at BPJS (nonaktif)")}
OTHER_PAYER_LABELS = {"PROVINSI": _l("Province of Jawa Barat"),
                      "APBN": _l("APBN (central government)"), "CSR": _l("CSR (a company)"),
                      "LAINNYA": _l("Another payer")}
RESOLUTION_LABELS = {"not_duplicate": _l("Not a duplicate"), "duplicate": _l("Duplicate")}
# The case page's steps (names of workflows.states.TRANSITIONS), as its buttons say them.
STEP_LABELS = {"submit": _l("Submit"), "verify": _l("Verify"),
               "return": _l("Return for correction"), "reject": _l("Reject"),
               "terminate": _l("End membership"), "decline": _l("Decline"),
               "send_back": _l("Send back to verification")}



def describe_rule(rule: dict) -> tuple[str, str]:
    """What an evaluation saw and what the policy expected, in words."""
    name, value, expected = rule["rule"], rule["value"], rule["expected"]
    if name == "identity":
        return (", ".join(value) or str(_l("no errors"))), "-"
    if name == "category":
        return (str(CATEGORY_LABELS.get(value, value)),
                ", ".join(str(CATEGORY_LABELS.get(c, c)) for c in expected))
    if name == "age":
        if expected == CONTINUING:  # a renewal: BPJS lets a member continue
            return str(_l("%(n)d years", n=value)), str(_l("not tested for a continuing "
                                                           "participant"))
        return (str(_l("%(n)d years", n=value)),
                str(_l("%(low)d to %(high)d years", low=expected[0], high=expected[1])))
    if name == "income":
        if expected is None:  # evaluations before missing UMKs were refused
            return rupiah(value), "-"
        limit = str(_l("at most %(cap)s", cap=rupiah(expected)))
        if rule.get("umk_stands_in"):
            limit += " " + str(_l("(UMK %(year)d, the last published, standing in)",
                                  year=rule["umk_year"]))
        elif rule.get("umk_year"):
            limit += f" (UMK {rule['umk_year']})"
        return rupiah(value), limit
    if name == "data_aktual":
        seen = (_l("found in dataset %(id)s", id=value["dataset"]) if value["found"]
                else _l("not found"))
        return str(seen), str(_l("required") if expected == "present" else _l("not required"))
    if name == "desil":
        return ("-" if value is None else str(value)), str(_l("at most %(n)d", n=expected))
    if name == "one_per_kk":
        seen = ", ".join(f"#{i}" for i in value) or str(_l("no other application"))
        return seen, str(_l("not required") if expected == "not required" else _l("none"))
    if name == "other_payer":
        return (value or str(_l("none"))), str(_l("not required") if expected else _l("none"))
    return str(value), str(expected)
