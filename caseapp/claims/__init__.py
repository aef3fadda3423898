"""The claims desk pages: JKK accidents and JKM deaths, their documents, steps and
membership letter, the payout register."""
