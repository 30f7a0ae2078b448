"""Masks drawn over the photo: where the user wants detail, or which region is which.

A mask is any image (a path, bytes, a file object, a PIL image or an array, any mode or size).
Where it has transparency, as a sketch layer from an image editor has, what is painted (opaque)
is the mask, whatever its colour; otherwise brightness is. It is resized to the photo; one whose
aspect ratio differs from the photo's by more than `ASPECT_TOLERANCE` was drawn for another
picture and is refused, as is one that cannot be read, in one sentence.
"""

from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image, ImageOps

from .photo import PhotoError, load_photo

ASPECT_TOLERANCE = 0.02
MAX_LABELS = 8


def _with_alpha(source) -> Image.Image | None:
    """The mask as RGBA where it has transparency (already checked by `load_photo`), else None."""
    if isinstance(source, np.ndarray):  # arrays: see _array_with_alpha
        return None
    if isinstance(source, Image.Image):
        image = source
    else:
        try:
            if isinstance(source, (bytes, bytearray, memoryview)):
                image = Image.open(io.BytesIO(bytes(source)))
            elif isinstance(source, (str, os.PathLike)):
                with open(source, "rb") as file:
                    image = Image.open(io.BytesIO(file.read()))
            else:
                return None
            image = ImageOps.exif_transpose(image)
        except Exception:  # noqa: BLE001 - load_photo has already judged the file; no alpha then
            return None
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        return image.convert("RGBA")
    return None


def _array_with_alpha(source: np.ndarray) -> np.ndarray | None:
    if source.ndim == 3 and source.shape[2] in (2, 4):
        values = source.astype(np.float64)
        scale = 255.0 if source.dtype == np.uint8 else (65535.0 if source.dtype == np.uint16 else
                                                        (1.0 if values.max() <= 1.0 else 255.0))
        values = np.clip(np.nan_to_num(values) / scale, 0, 1)
        return _painted(values[..., -1])
    return None


def _painted(alpha: np.ndarray) -> np.ndarray | None:
    """A layer with transparency is its opacity; a fully opaque one (None) is left to its brightness."""
    return alpha.astype(np.float32) if alpha.min() < 1.0 else None


def load_mask(source, size: tuple[int, int], what: str = "mask") -> np.ndarray:
    """The mask as (H, W) float32 in [0, 1] at `size` (width, height) of the photo it was drawn on."""
    if hasattr(source, "read"):
        source = source.read()
    rgb = load_photo(source, what=what)  # refuses what cannot be read, in one sentence
    _check_aspect(rgb.size, size, what)
    values = None
    if isinstance(source, np.ndarray):
        values = _array_with_alpha(source)
    else:
        rgba = _with_alpha(source)
        if rgba is not None:
            array = np.asarray(rgba, dtype=np.float32) / 255.0
            values = _painted(array[..., 3])
    if values is None:
        values = np.asarray(rgb.convert("L"), dtype=np.float32) / 255.0
    image = Image.fromarray(values.astype(np.float32), "F")
    if image.size != tuple(size):
        image = image.resize(tuple(size), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)


def load_labels(source, size: tuple[int, int], what: str = "label mask") -> tuple[np.ndarray, list]:
    """Regions of a label mask: (R, H, W) float32 one-hot masks at `size`, and each region's colour.

    Regions are the mask's distinct colours (nearest-neighbour resizing keeps them distinct).
    """
    if hasattr(source, "read"):
        source = source.read()
    rgb = load_photo(source, what=what)
    _check_aspect(rgb.size, size, what)
    small = rgb.resize(tuple(size), Image.Resampling.NEAREST)
    pixels = np.asarray(small).reshape(-1, 3)
    colours, inverse, counts = np.unique(pixels, axis=0, return_inverse=True, return_counts=True)
    if len(colours) > MAX_LABELS:
        raise PhotoError(f"The {what} has {len(colours)} colours; it needs at most {MAX_LABELS} flat colours, "
                         "one per region (no smooth edges).")
    masks = np.stack([(inverse.reshape(-1) == k) for k in range(len(colours))]).astype(np.float32)
    return masks.reshape(len(colours), size[1], size[0]), [tuple(int(v) for v in c) for c in colours]


def _check_aspect(mask_size, photo_size, what):
    mw, mh = mask_size
    pw, ph = photo_size
    ratio = (mw / mh) / (pw / ph)
    if abs(ratio - 1) > ASPECT_TOLERANCE:
        raise PhotoError(f"The {what} is {mw}x{mh} px, a different shape from the photo ({pw}x{ph} px); "
                         "draw it over the photo itself.")
