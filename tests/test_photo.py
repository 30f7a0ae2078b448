"""Photos go in the way a photo viewer would show them, or are refused with one clear sentence."""

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from painter import photo
from painter.photo import (MAX_BYTES, MAX_PIXELS, MIN_SIDE, PainterError, PhotoError, fit_long_side,
                           load_photo)

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def astronaut():
    skimage_data = pytest.importorskip("skimage.data")
    return Image.fromarray(skimage_data.astronaut())


def left_red_right_blue(width=40, height=20):
    """An image whose orientation is obvious: red on the left, blue on the right."""
    array = np.zeros((height, width, 3), np.uint8)
    array[:, : width // 2] = RED
    array[:, width // 2:] = BLUE
    return Image.fromarray(array)


def close(pixel, expected, tolerance=12):
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, expected))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def raw_png(width, height, bit_depth, colour_type, rows):
    """A PNG written by hand, for what Pillow cannot write (16-bit RGB) or would refuse (bombs)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = zlib.compress(b"".join(b"\0" + row for row in rows))
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def raw_tiff(width, height, strips):
    """An uncompressed 8-bit grayscale TIFF with one row per strip, all strips sharing one row."""
    row_at, offsets_at = 8, 8 + width
    offsets = struct.pack(f"<{strips}I", *[row_at] * strips)
    counts = struct.pack(f"<{strips}I", *[width] * strips)
    ifd_at = offsets_at + len(offsets) + len(counts)
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, strips, offsets_at), (277, 3, 1, 1), (278, 4, 1, 1),
               (279, 4, strips, offsets_at + len(offsets))]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + bytes(4)
    return b"II*\0" + struct.pack("<I", ifd_at) + bytes(width) + offsets + counts + ifd


def refused(source, **kwargs):
    """Load `source`, expecting a PhotoError quickly; return its message."""
    start = time.perf_counter()
    with pytest.raises(PhotoError) as caught:
        load_photo(source, **kwargs)
    assert time.perf_counter() - start < 2.0
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".") and message.startswith("The ")
    for jargon in ("Traceback", "PIL", "Error", "errno", "None"):
        assert jargon not in message
    return message


# --- what comes in ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"])
def test_a_real_photo_in_every_readable_format(fmt, tmp_path):
    original = astronaut()
    path = tmp_path / f"astronaut.{fmt.lower()}"
    original.save(path, fmt)
    image = load_photo(path)
    assert image.mode == "RGB" and image.size == original.size
    difference = np.abs(np.asarray(image, np.int16) - np.asarray(original, np.int16)).mean()
    assert difference < 12  # lossy formats and the GIF palette change a little, nothing more


def test_every_kind_of_source_gives_the_same_image(tmp_path):
    original = left_red_right_blue()
    path = tmp_path / "photo.png"
    original.save(path)
    data = path.read_bytes()
    with path.open("rb") as file, Image.open(path) as lazy:
        sources = [str(path), path, data, bytearray(data), memoryview(data), io.BytesIO(data), file,
                   original, np.asarray(original), lazy]
        for source in sources:
            image = load_photo(source)
            assert image.mode == "RGB" and np.array_equal(np.asarray(image), np.asarray(original))


def test_the_result_is_independent_of_the_file_and_carries_no_stale_metadata(tmp_path):
    path = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    left_red_right_blue().convert("CMYK").save(path, exif=exif, icc_profile=b"not a real profile")
    image = load_photo(path)  # a broken colour profile falls back to plain conversion
    path.unlink()
    assert image.size == (20, 40) and close(image.getpixel((10, 5)), RED, 60) and image.info == {}


def test_grayscale_becomes_grey_rgb():
    image = load_photo(encode(Image.linear_gradient("L").resize((64, 32)), "PNG"))
    array = np.asarray(image)
    assert image.mode == "RGB" and np.array_equal(array[..., 0], array[..., 1])
    assert array.min() <= 5 and array.max() >= 250


def test_sixteen_bit_grayscale_keeps_its_range_instead_of_clipping():
    gradient = (np.linspace(0, 65535, 256)[None, :] * np.ones((16, 1))).astype(np.uint16)
    for fmt in ("PNG", "TIFF"):
        encoded = encode(Image.fromarray(gradient), fmt)
        assert Image.open(io.BytesIO(encoded)).mode.startswith("I;16")
        row = np.asarray(load_photo(encoded))[0, :, 0].astype(int)
        assert row[0] <= 1 and row[-1] >= 254 and 120 <= row[128] <= 135  # not a wall of 255s
        assert np.all(np.diff(row) >= 0)


def test_sixteen_bit_rgb_png_is_scaled_to_eight_bits():
    rows = [struct.pack(">" + "H" * 24, *([65535, 32768, 0] * 8)) for _ in range(8)]
    image = load_photo(raw_png(8, 8, 16, 2, rows))
    assert close(image.getpixel((3, 3)), (255, 128, 0), tolerance=1)


def test_float_images_are_read_as_zero_to_one():
    gradient = np.tile(np.linspace(0.0, 1.0, 64, dtype=np.float32), (16, 1))
    encoded = encode(Image.fromarray(gradient), "TIFF")
    assert Image.open(io.BytesIO(encoded)).mode == "F"
    row = np.asarray(load_photo(encoded))[0, :, 0]
    assert row[0] == 0 and row[-1] == 255


def test_palette_colours_are_preserved_and_transparency_becomes_white():
    image = Image.new("P", (16, 16), 0)
    image.putpalette(list(RED) + list(GREEN) + list(BLUE) + [0, 0, 0] * 253)
    image.paste(1, (0, 0, 8, 16))
    plain = load_photo(encode(image, "PNG"))
    assert plain.getpixel((2, 2)) == GREEN and plain.getpixel((12, 2)) == RED
    transparent = load_photo(encode(image, "PNG", transparency=1))
    assert transparent.getpixel((2, 2)) == WHITE and transparent.getpixel((12, 2)) == RED


def test_transparent_pixels_are_flattened_over_white():
    rgba = Image.new("RGBA", (16, 16), (0, 0, 255, 0))
    rgba.paste((255, 0, 0, 255), (0, 0, 8, 16))
    rgba.paste((0, 0, 0, 128), (8, 0, 16, 8))
    image = load_photo(encode(rgba, "PNG"))
    assert image.mode == "RGB"
    assert image.getpixel((2, 2)) == RED and image.getpixel((12, 12)) == WHITE
    assert close(image.getpixel((12, 2)), (127, 127, 127), tolerance=2)
    grey_alpha = load_photo(encode(Image.new("LA", (16, 16), (0, 0)), "PNG"))
    assert grey_alpha.getpixel((5, 5)) == WHITE


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_cyan_becomes_cyan(fmt):
    image = load_photo(encode(Image.new("CMYK", (16, 16), (255, 0, 0, 0)), fmt))
    red, green, blue = image.getpixel((8, 8))
    assert image.mode == "RGB" and red < 60 and green > 200 and blue > 200


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show the stored pixels rotated 90 degrees clockwise
    image = load_photo(encode(left_red_right_blue(40, 20), "JPEG", exif=exif, quality=95))
    assert image.size == (20, 40)
    assert close(image.getpixel((10, 5)), RED, 40) and close(image.getpixel((10, 34)), BLUE, 40)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_an_animation_gives_its_first_frame(fmt):
    frames = [Image.new("RGB", (16, 16), colour) for colour in (RED, GREEN, BLUE)]
    encoded = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0,
                     **({"lossless": True} if fmt == "WEBP" else {}))
    assert getattr(Image.open(io.BytesIO(encoded)), "n_frames", 1) == 3
    assert close(load_photo(encoded).getpixel((8, 8)), RED)


def test_one_bit_images_are_black_and_white():
    image = Image.new("1", (16, 16), 0)
    image.paste(1, (0, 0, 8, 16))
    loaded = load_photo(encode(image, "PNG"))
    assert loaded.getpixel((2, 2)) == WHITE and loaded.getpixel((12, 2)) == (0, 0, 0)


@pytest.mark.parametrize("array, expected", [
    (np.full((10, 12), 200, np.uint8), (200, 200, 200)),
    (np.full((10, 12, 1), 200, np.uint8), (200, 200, 200)),
    (np.full((10, 12, 3), 40000, np.uint16), (156, 156, 156)),
    (np.full((10, 12, 3), 0.5, np.float32), (128, 128, 128)),
    (np.full((10, 12, 3), 200.0, np.float64), (200, 200, 200)),
    (np.full((10, 12, 3), 200, np.int64), (200, 200, 200)),
    (np.ones((10, 12), bool), WHITE),
    (np.zeros((10, 12, 4), np.uint8), WHITE),  # fully transparent
])
def test_numpy_arrays(array, expected):
    image = load_photo(array)
    assert image.mode == "RGB" and image.size == (12, 10) and close(image.getpixel((3, 3)), expected, 1)


def test_the_input_is_named_in_messages():
    assert refused(b"", what="style image") == "The style image is empty (0 bytes)."


# --- what is refused ----------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"Dear diary, today I painted.\n", np.random.default_rng(0).bytes(10_000),
                                  b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n",
                                  b"P6\n# an image format nobody uploads\n8 8\n255\n" + bytes(192)])
def test_not_an_image(data, tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(data)
    message = refused(path)
    assert message == "The photo is not an image file Neural Painter can read (PNG, JPEG, WebP, GIF, BMP, TIFF)."


def test_empty(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    for source in (tmp_path / "empty.jpg", b"", io.BytesIO()):
        assert refused(source) == "The photo is empty (0 bytes)."


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "TIFF", "BMP"])
def test_truncated(fmt):
    noise = Image.fromarray(np.random.default_rng(1).integers(0, 255, (128, 128, 3), np.uint8))
    encoded = encode(noise.convert("P") if fmt == "GIF" else noise, fmt)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert refused(encoded[: len(encoded) // 2]) == "The photo is corrupt or truncated and cannot be decoded."


def test_missing_path_directory_and_unreadable_names(tmp_path):
    assert refused(tmp_path / "nope.jpg") == f"The photo '{tmp_path / 'nope.jpg'}' does not exist."
    assert refused(str(tmp_path)) == f"The photo '{tmp_path}' is a folder, not an image file."
    assert "does not exist" in refused("bad\0name.png")


def with_size(png, width, height):
    """Rewrite the IHDR of a real PNG to claim another size, with a valid CRC."""
    ihdr = png[12:16] + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


def test_decompression_bombs_are_refused_from_the_header():
    png = encode(Image.new("RGB", (16, 16)), "PNG")
    assert refused(with_size(png, 100_000, 100_000)) == "The photo has 10000 megapixels; the limit is 40 megapixels."
    assert refused(with_size(png, 8000, 5001)) == "The photo is 8000x5001 pixels; the limit is 40 megapixels."
    bmp = bytearray(encode(Image.new("RGB", (16, 16)), "BMP"))
    bmp[18:26] = struct.pack("<ii", 10_000, 5_000)
    assert "10000x5000 pixels" in refused(bytes(bmp))
    assert "megapixels" in refused(raw_tiff(60_000, 60_000, strips=1))
    gif = bytearray(encode(Image.new("P", (16, 16)), "GIF"))
    gif[6:10] = struct.pack("<HH", 65_535, 65_535)
    assert "megapixels" in refused(bytes(gif))


def test_a_huge_array_or_image_is_refused_too():
    assert "megapixels" in refused(np.zeros((8000, 5001), np.uint8))


def test_just_under_the_pixel_limit_is_accepted():
    image = load_photo(np.zeros((MAX_PIXELS // 8000, 8000), np.uint8))
    assert image.size == (8000, MAX_PIXELS // 8000)


@pytest.mark.parametrize("width, height", [(1, 1), (MIN_SIDE - 1, 500), (500, 2)])
def test_too_small(width, height):
    message = refused(encode(Image.new("RGB", (width, height)), "PNG"))
    assert message == f"The photo is {width}x{height} pixels; it needs at least 8 pixels on each side."
    load_photo(encode(Image.new("RGB", (MIN_SIDE, MIN_SIDE)), "PNG"))


def test_too_many_bytes(tmp_path, monkeypatch):
    big = tmp_path / "big.png"
    with big.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: refused from its size, never read
    assert refused(big) == "The photo is 50.0 MB; the limit is 50 MB."
    monkeypatch.setattr(photo, "MAX_BYTES", 1000)
    data = encode(astronaut(), "PNG")
    assert refused(data) == "The photo is larger than 0 MB, the limit."
    assert "larger than" in refused(io.BytesIO(data))


def test_files_of_millions_of_tiny_pieces_are_refused_quickly():
    png = encode(Image.new("RGB", (16, 16)), "PNG")
    jpeg = encode(Image.new("RGB", (16, 16)), "JPEG")
    gif = encode(Image.new("P", (16, 16)), "GIF")
    gif_start = 13 + 3 * 2 ** ((gif[10] & 7) + 1)
    hostile = [png[:33] + png_chunk(b"zzZz", b"") * 1_000_000 + png[33:],
               jpeg[:2] + b"\xff\xfe\x00\x02" * 1_000_000 + jpeg[2:],
               gif[:gif_start] + b"\x21\xfe" + b"\x01a" * 1_000_000 + b"\x00" + gif[gif_start:],
               raw_tiff(8, 1_000_000, strips=1_000_000)]
    for data in hostile:
        assert "abnormal structure" in refused(data)


def test_bad_arrays():
    assert "it needs height x width" in refused(np.zeros((3, 64, 64), np.uint8))
    assert "it needs height x width" in refused(np.zeros((2, 3, 4, 5), np.uint8))
    assert "complex" in refused(np.zeros((16, 16), complex))


def test_errors_are_value_errors_for_the_cli_and_the_app():
    assert issubclass(PhotoError, PainterError) and issubclass(PainterError, ValueError)
    with pytest.raises(TypeError):
        load_photo(42)


# --- resizing -----------------------------------------------------------------------------------

def test_fit_long_side_keeps_the_aspect_ratio():
    landscape = fit_long_side(Image.new("RGB", (3000, 2000), RED), 512)
    portrait = fit_long_side(Image.new("RGB", (200, 300), RED), 512)
    assert landscape.size == (512, 341) and portrait.size == (341, 512)
    assert landscape.getpixel((100, 100)) == RED
    assert fit_long_side(Image.new("RGB", (10_000, 8), RED), 64).size == (64, 1)
    for size in (0, -5, 2.5, "512"):
        with pytest.raises(PainterError):
            fit_long_side(portrait, size)
