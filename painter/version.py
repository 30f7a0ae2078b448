"""Which painting this code paints: bumped by every commit that changes the painting on purpose.

A request's strokes and pixels are a fixed function of the code, the shipped brushes and the
machine's arithmetic. The golden records (tests/golden_records.json) keep each machine's hashes
with the painting version they were made for, so that a deliberate change (bump this, then
`python tests/test_golden.py --record`) leaves other machines' older records skipped, not failed,
while a change that was meant to keep the painting is still checked bit for bit.

A version rather than a digest of the sources: a digest moves with every refactor, which is
exactly when the hashes must still be checked.
"""

# 1: the painting since issue 21 (bfloat16 brush on CPUs that compute it, Adam at 0.15, the CPU's
#    rounds of three quarters of a level, the feature term at weight 0.15).
# 2: MyPaint's brush paints every committed round (Options.canvas "mypaint"), so that the painting
#    shown is MyPaint's painting of its strokes (issue 33).
# 3: the dry brush (the default) and charcoal see the dabs MyPaint paints for each stroke (their dab guide,
#    painter/dabs.py), so the optimiser aims MyPaint's own stroke, grain included (issue 33).
# 4: short grass sees its dabs too, spaced as MyPaint spaces its turned elliptical dabs (issue 33).
PAINTING_VERSION = 4
