"""Every photo, style image and mask enters Neural Painter here.

`load_photo` turns whatever the user handed over (a path, bytes, a file object, a PIL image or a
numpy array) into a plain 8-bit sRGB PIL image, the way a photo viewer would show it, or refuses
it with a `PhotoError` whose message is one sentence fit to show the user as is. Hostile files
are refused cheaply: the byte size before reading, the pixel count from the header before
decoding, and only the first frame of an animation is ever decoded.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .errors import PainterError

MAX_PIXELS = 40_000_000  # a 40 MP photo decodes in well under a second and fits in memory as RGBA
MIN_SIDE = 8  # below this there is nothing to paint (and VGG features are meaningless)
MAX_BYTES = 50_000_000  # bigger than any ordinary JPEG/PNG photo; bounds reading and parsing time
# Pillow walks PNG chunks, JPEG markers, GIF extension blocks and TIFF strips in Python, so a file
# of millions of empty pieces takes it minutes; real photos have hundreds, rarely thousands.
MAX_PIECES = 50_000

# Only these decoders are tried: fewer parsers exposed to hostile files, and none of the plugins
# with loose signatures (TGA), byte-by-byte Python header parsers (PPM) or external programs (EPS).
# Camera MPO files open through JPEG; AVIF only where this Pillow was built with it.
Image.init()
FORMATS = tuple(f for f in ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")
                if f in Image.OPEN)
_READABLE = "PNG, JPEG, WebP, GIF, BMP, TIFF"
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_HIGH_BIT_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


class PhotoError(PainterError):
    """A photo (or style image, or mask) that cannot be used."""


def load_photo(source, *, what: str = "photo") -> Image.Image:
    """Return `source` as an RGB image, or raise `PhotoError` saying why it cannot be used.

    `source` is a path (str or Path), bytes, a binary file object, a PIL image or a numpy array of
    shape (H, W), (H, W, 1..4) holding uint8, uint16, other integers or floats. `what` names the
    input in messages ("photo", "style image", "mask").
    """
    if isinstance(source, Image.Image):
        return _decode(source, what)
    if isinstance(source, np.ndarray):
        return _from_array(source, what)
    if isinstance(source, (str, os.PathLike)):
        data = _read_path(Path(source), what)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = _read_limited(source)
    else:
        raise TypeError(f"load_photo cannot read a {type(source).__name__}")
    if not data:
        raise PhotoError(f"The {what} is empty (0 bytes).")
    if len(data) > MAX_BYTES:
        raise PhotoError(f"The {what} is larger than {MAX_BYTES // 1_000_000} MB, the limit.")
    if _pieces(data) > MAX_PIECES:
        raise PhotoError(f"The {what} file has an abnormal structure (far more internal blocks than a real "
                         "image) and was refused.")
    try:
        with _quiet():
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise PhotoError(f"The {what} is not an image file Neural Painter can read ({_READABLE}).") from None
    except Image.DecompressionBombError as error:
        # Pillow refuses these (over twice its own limit) before we see the size; its message has the count.
        found = re.search(r"\((\d+) pixels\)", str(error))
        amount = f"has {int(found[1]) // 1_000_000} megapixels" if found else "has too many pixels"
        raise PhotoError(f"The {what} {amount}; the limit is {MAX_PIXELS // 1_000_000} megapixels.") from None
    except Exception:  # a header that fooled the format check and then broke its parser
        raise _corrupt(what) from None
    with image:
        return _decode(image, what)


def fit_long_side(image: Image.Image, size: int) -> Image.Image:
    """Resize (Lanczos) so that the longer side is `size` pixels, keeping the aspect ratio."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise PainterError(f"The size must be a whole number of pixels, at least 1 (got {size}).")
    width, height = image.size
    scale = size / max(width, height)
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    if target == image.size:
        return image.copy()
    # reducing_gap shrinks by whole factors first: near-identical result, far faster on 40 MP photos
    return image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _read_path(path: Path, what: str) -> bytes:
    try:
        if "\0" in str(path) or not path.exists():
            raise PhotoError(f"The {what} '{path}' does not exist.")
        if path.is_dir():
            raise PhotoError(f"The {what} '{path}' is a folder, not an image file.")
        if not path.is_file():  # a pipe or a device could block or never end
            raise PhotoError(f"The {what} '{path}' is not a regular file.")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PhotoError(f"The {what} is {size / 1e6:.1f} MB; the limit is {MAX_BYTES // 1_000_000} MB.")
        with path.open("rb") as file:
            return _read_limited(file)
    except OSError as error:
        raise PhotoError(f"The {what} '{path}' cannot be read ({error.strerror or 'input/output error'}).") from None


def _read_limited(file) -> bytes:
    """Read to the end, but never more than MAX_BYTES + 1 bytes (reads may come back short)."""
    chunks, total = [], 0
    while total <= MAX_BYTES:
        chunk = file.read(min(1 << 22, MAX_BYTES + 1 - total))
        if isinstance(chunk, str):
            raise TypeError("load_photo needs a file opened in binary mode ('rb')")
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _pieces(data: bytes) -> int:
    """Count the pieces Pillow would walk one by one in Python before decoding (stopping once past
    MAX_PIECES); files that are not well formed enough to count are left to Pillow to judge."""
    n, size = 0, len(data)
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            pos = 8
            while pos + 8 <= size and n <= MAX_PIECES:
                pos, n = pos + 12 + int.from_bytes(data[pos:pos + 4], "big"), n + 1
        elif data.startswith(b"\xff\xd8"):  # markers up to the first scan; libjpeg reads the rest in C
            pos = 2
            while pos + 4 <= size and n <= MAX_PIECES and data[pos:pos + 2] != b"\xff\xda":
                n += 1
                if data[pos] != 0xFF or data[pos + 1] == 0xFF:  # junk or fill bytes: Pillow steps one at a time
                    pos += 1
                elif 0xD0 <= data[pos + 1] <= 0xD9 or data[pos + 1] == 0x01:  # markers without a length
                    pos += 2
                else:
                    pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        elif data[:6] in (b"GIF87a", b"GIF89a"):  # extension blocks before the first frame
            pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
            while pos + 1 < size and data[pos] == 0x21 and n <= MAX_PIECES:
                comment, blocks, pos = data[pos + 1] == 0xFE, 0, pos + 2
                while pos < size and data[pos] and n <= MAX_PIECES:
                    blocks += 1
                    n += blocks if comment else 1  # Pillow grows a comment block by block: quadratic
                    pos += 1 + data[pos]
                pos += 1
        elif data[:4] in (b"II*\0", b"MM\0*"):  # one tile per strip or tile of the first image
            order = "<" if data[:2] == b"II" else ">"
            ifd = struct.unpack_from(order + "I", data, 4)[0]
            for i in range(struct.unpack_from(order + "H", data, ifd)[0]):
                tag, _, count = struct.unpack_from(order + "HHI", data, ifd + 2 + 12 * i)
                if tag in (273, 324):  # StripOffsets, TileOffsets
                    n = max(n, count)
    except struct.error:
        pass
    return n


def _decode(image: Image.Image, what: str) -> Image.Image:
    """Check the size from the header, decode the current (first) frame, and convert to RGB."""
    _check_size(*image.size, what)
    try:
        with _quiet():
            image.load()
    except Exception:  # every decoder failure (truncated, bad CRC, broken stream) means the same
        raise _corrupt(what) from None
    icc = image.info.get("icc_profile")
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # unreadable EXIF: show the photo unrotated, as viewers do
        pass
    if image.mode in _HIGH_BIT_MODES:  # convert("RGB") would clip 16-bit and float values
        image = Image.fromarray(_to_uint8(np.asarray(image), what))
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        image = _to_srgb(image, icc)
    try:
        if image.mode in _ALPHA_MODES or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba.convert("RGB"), mask=rgba.getchannel("A"))
        image = image.convert("RGB")
    except ValueError:
        raise PhotoError(f"The {what} uses a colour mode ({image.mode}) Neural Painter cannot convert.") from None
    image.info = {}  # now plain sRGB: a stale ICC profile or EXIF must not travel with it
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Apply the embedded colour profile (CMYK print profiles, Display P3, Adobe RGB) as viewers do."""
    try:
        with _quiet():
            return ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                             ImageCms.createProfile("sRGB"),
                                             outputMode="RGB" if image.mode == "CMYK" else image.mode)
    except Exception:  # a broken or mismatched profile: fall back to Pillow's plain conversion
        return image


def _from_array(array: np.ndarray, what: str) -> Image.Image:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (2, 3, 4)):
        shape = "x".join(map(str, array.shape)) or "a single number"
        raise PhotoError(f"The {what} array is {shape}; it needs height x width, with 1, 3 or 4 colour "
                         "channels last.")
    _check_size(array.shape[1], array.shape[0], what)
    image = Image.fromarray(np.ascontiguousarray(_to_uint8(array, what)))
    return _decode(image, what)


def _to_uint8(array: np.ndarray, what: str) -> np.ndarray:
    """Scale to 8 bits: uint16 by its full range, other integers as 0-255 if they fit there, else
    as 16-bit; floats as 0-1, or as 0-255 if any value exceeds 1 (NaN counts as 0)."""
    kind = array.dtype.kind
    if array.dtype == np.uint8:
        return array
    if kind == "b":
        return array.astype(np.uint8) * 255
    if kind in "iu":
        if array.dtype == np.uint16 or array.max() > 255:
            return (np.clip(array, 0, 65535) >> 8).astype(np.uint8)  # the high byte: scaled, not clipped
        return np.clip(array, 0, 255).astype(np.uint8)
    if kind == "f":
        array = np.nan_to_num(array.astype(np.float32, copy=False), nan=0.0)
        scale = 1.0 if array.max() > 1.0 else 255.0
        return (np.clip(array * scale, 0.0, 255.0) + 0.5).astype(np.uint8)
    raise PhotoError(f"The {what} array holds {array.dtype} values; it needs integers or floats.")


def _check_size(width: int, height: int, what: str) -> None:
    if width * height > MAX_PIXELS:
        raise PhotoError(f"The {what} is {width}x{height} pixels; the limit is {MAX_PIXELS // 1_000_000} "
                         "megapixels.")
    if min(width, height) < MIN_SIDE:
        raise PhotoError(f"The {what} is {width}x{height} pixels; it needs at least {MIN_SIDE} pixels on "
                         "each side.")


def _corrupt(what: str) -> PhotoError:
    return PhotoError(f"The {what} is corrupt or truncated and cannot be decoded.")


@contextlib.contextmanager
def _quiet():
    """Silence Pillow's warnings (odd EXIF, palette transparency, its own bomb warning, which the
    stricter MAX_PIXELS check replaces): they would only be noise around the user's one sentence."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
