"""The names some settings choose from, in a module without torch, so the CLI's parser can list them."""

OBJECTIVES = ("auto", "vgg16", "vgg19", "pixel")  # make_objective (painter/objective.py)
CANVASES = ("mypaint", "neural")  # Options.canvas (painter/request.py), the default first
