"""Monthly contributions the city pays for its participants (domain.md §1.6, §1.7):
generating a batch of months, recording its payment (SP2D), reconciling it with
the BPJS bill or receipt, and watching paid-through months for the lapse rule."""
