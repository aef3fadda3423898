"""How domain codes read on the pages (translatable)."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {"pedagang": _l("a. Trader (pedagang)"),
                   "pekerja_lepas": _l("b. Freelance worker (pekerja lepas)"),
                   "wiraswasta": _l("c. Self-employed (wiraswasta)"),
                   "rentan_lainnya": _l("d. Other vulnerable worker")}
CHANNEL_LABELS = {"walk_in": _l("Walk-in at Disnaker"), "kelurahan": _l("Kelurahan proposal"),
                  "partner": _l("Partner")}
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
RESOLUTION_LABELS = {"not_duplicate": _l("Not a duplicate"), "duplicate": _l("Duplicate")}
