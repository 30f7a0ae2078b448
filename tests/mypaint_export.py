"""Open an OpenRaster file with MyPaint's own document code and export it as a PNG, as a MyPaint
user does with File > Open then File > Export ("PNG, solid RGB"): `python3 mypaint_export.py IN.ora
OUT.png`. It prints the eotf MyPaint blended at and the size it exported, one JSON object.

Run by Debian's system python (/usr/bin/python3), for which Debian's `mypaint` package builds its
`lib` (C extension `_mypaintlib`, PyGObject); the project's own python cannot import it.
"""

import json
import logging
import sys

sys.path.insert(0, "/usr/lib/mypaint")  # where Debian's mypaint package puts MyPaint's lib/ and gui/
logging.disable(logging.WARNING)        # MyPaint logs every load and save; the JSON line is the answer

import lib.document  # noqa: E402
import lib.eotf  # noqa: E402
from gui.compatconfig import C1X, C2X, DEFAULT_COMPAT, DEFAULT_CONFIG, CompatFileBehaviorConfig  # noqa: E402
from gui.compatibility import CompatFileBehavior  # noqa: E402

# What MyPaint does with a file that does not say how it blends is the user's preference ("When
# not specified in file"). A file must look the same whatever the user chose, so take the choice
# under which only the file's own `mypaint:eotf` makes it blend as it was painted.
WHEN_NOT_SPECIFIED = CompatFileBehaviorConfig.ALWAYS_2X


def compat_handler(eotf, root_stack_elem):
    """MyPaint's GUI hands Document.load this hook (gui/compatibility.py, ora_compat_handler and
    set_compat_mode): it sets the eotf the layers are loaded and blended at. The document code alone
    never reads the file's eotf and blends at lib/eotf.py's DEFAULT_EOTF, 2.2. This is that handler's
    decision, without its GUI side effects (the scratchpad, the brush's colour, the layer type)."""
    if eotf is not None:
        mode = C1X if float(eotf) == 1.0 else C2X
    else:
        mode = CompatFileBehavior.get_compat_mode(WHEN_NOT_SPECIFIED, root_stack_elem, DEFAULT_CONFIG[DEFAULT_COMPAT])
    lib.eotf.set_eotf(1.0 if mode == C1X else float(eotf or lib.eotf.base_eotf()))


def main(source, target):
    document = lib.document.Document()
    try:
        # As gui/filehandling.py opens a file and exports it with MyPaint's default preferences
        # ("display.colorspace" is "srgb"): Document.load with these, then Document.save.
        document.load(source, convert_to_srgb=True, compat_handler=compat_handler)
        x, y, width, height = document.get_user_bbox()  # the area File > Export writes
        document.save(target, alpha=False, save_srgb_chunks=True)
    finally:
        document.cleanup()  # its cache folder
    print(json.dumps({"eotf": lib.eotf.eotf(), "frame_enabled": document.frame_enabled,
                      "exported": [x, y, width, height]}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
