"""The Hugging Face Space around the painter: its hardware, its inputs, its GPU run, its files and its page.

app.py loads what the Space needs once and calls `build_demo`; every module here imports the
painter, never the reverse (tests/test_layout.py).
"""
