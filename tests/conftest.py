"""Set the process up as the CLI does (painter/process.py), before anything loads torch: OpenMP reads
how its threads wait, and how many there are, once, when torch loads."""

import painter

painter.setup()
