"""Registration with BPJS Ketenagakerjaan through the city's SG wadah: the batch file
sent (``registration``), the reply read back (``responses``), and the one place that
knows the column contract (``columns``)."""
