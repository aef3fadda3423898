"""The reports the city is asked for (issue 15 item 6): the by-name-by-address list of
participants per kelurahan, the quarterly budget realisation, coverage against the
Permendagri 15/2024 target and the Inpres 2/2021 follow-up table. Read-only, every
figure an SQL aggregate; caseapp/reports/city_builders.py renders them."""
