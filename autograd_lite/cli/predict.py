"""``autograd-lite predict``: the course's "test with your own image" step.

Each picture is opened with Pillow, converted to RGB, resized to the model's s×s (64×64 for
the cat models), scaled to [0, 1] and flattened to one column exactly like the training
pictures (``x.reshape(-1, 1) / 255``).  16-bit grayscale pictures are scaled by 65535, their
real range; transparent pixels are composited onto white (and a note says so); pictures
beyond Pillow's decompression-bomb limit are refused with one line.  For each picture, the
probability ``A[L]`` and the class (1 when it is above 0.5) are printed.

Examples
--------
>>> import contextlib, io, os, tempfile, nn
>>> from PIL import Image
>>> from autograd_lite.cli import main
>>> folder = tempfile.mkdtemp()
>>> nn.save(nn.LogisticRegression(64 * 64 * 3), os.path.join(folder, "model.npz"))
>>> Image.new("RGB", (100, 80), "orange").save(os.path.join(folder, "orange.png"))
>>> with contextlib.redirect_stdout(io.StringIO()) as out:
...     code = main(["predict", "--model", os.path.join(folder, "model.npz"),
...                  os.path.join(folder, "orange.png")])
>>> code, out.getvalue().split("orange.png: ")[1].strip()    # zero weights: p = σ(0)
(0, 'probability 0.5000 -> y = 0, a "non-cat" picture')
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

from .common import CLIError, describe, model_file, picture_side, subcommand

DEFAULT_CLASSES = ("non-cat", "cat")


def add_options(p):
    """The options of ``predict``, added to its parser ``p``.

    Examples
    --------
    >>> from autograd_lite.cli import build_parser
    >>> build_parser().parse_args(["predict", "--model", "runs/cats", "cat.png"]).images
    [PosixPath('cat.png')]
    """
    p.add_argument("--model", required=True, type=Path, metavar="MODEL",
                   help="a picture model written by 'autograd-lite train --dataset "
                        "catvnoncat': its run folder RUN_DIR or RUN_DIR/model.npz")
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="picture files")


def load_picture(path, side, channels=3):
    """The picture at ``path`` as a column (channels·H·W, 1) of floats in [0, 1].

    ``side`` is the model's picture size: s for s×s pictures, or (H, W).  The column holds
    the (H, W, channels) pixels flattened, the course's layout; one channel is grayscale.

    8-bit pictures are scaled by 255 as in the course; 16-bit grayscale ones (PNG, TIFF) by
    65535, their real range.  Transparent pixels are composited onto a white background
    (a note on standard error says so), instead of taking whatever colour they hide.  A
    picture larger than Pillow's safety limit (``PIL.Image.MAX_IMAGE_PIXELS``, about 89
    million pixels, a possible decompression bomb) is refused before it is decoded.

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "white.png")
    >>> Image.new("RGB", (10, 20), "white").save(path)
    >>> x = load_picture(path, 8)
    >>> x.shape, float(x.min()), float(x.max())
    ((192, 1), 1.0, 1.0)
    """
    from PIL import Image, UnidentifiedImageError

    H, W = (side, side) if isinstance(side, int) else side
    if not Path(path).is_file():
        raise CLIError(f"predict: no picture file at {path}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                _warn_if_tiny(image, path, (W, H))
                if image.mode in WIDE_GRAY:
                    pixels = _wide_gray(image, path, (W, H))
                else:
                    pixels = np.asarray(_opaque(image, path).resize((W, H)),
                                        dtype=np.float64) / 255
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CLIError(f"predict: {path} is too large to read safely ({exc}); resize it "
                       "first") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise CLIError(f"predict: cannot read {path} as a picture ({exc})") from None
    if channels == 1:                       # grayscale: the mean of the three colours
        pixels = pixels.mean(axis=2, keepdims=True)
    return pixels.reshape(-1, 1)


WIDE_GRAY = ("I;16", "I;16L", "I;16B", "I;16N", "I")     # 16-bit grayscale, as Pillow opens it
TINY = 4            # a picture enlarged more than 4 times (3×3 to 64×64) is a few blocks


def _warn_if_tiny(image, path, size):
    """Warn when ``image`` is much smaller than ``size`` (W, H): enlarged, it is a few
    blocks of colour, and a prediction on it says little (a 3×3 picture came out "cat")."""
    (w, h), (W, H) = image.size, size
    if w * TINY < W or h * TINY < H:
        warnings.warn(f"predict: {path} is only {w}×{h} pixels; enlarged to the model's "
                      f"{W}×{H} it is a few blocks of colour, not a picture, so its prediction "
                      "says little", UserWarning, stacklevel=3)
BACKGROUND = (255, 255, 255)                            # under transparent pixels: white


def _wide_gray(image, path, size):
    """A 16-bit grayscale picture as (H, W, 3) floats, ``size`` (W, H): value / 65535."""
    from PIL import Image

    gray = np.asarray(image, dtype=np.float64)
    if gray.size and (gray.min() < 0 or gray.max() > 65535):
        raise CLIError(f"predict: {path} is a {image.mode} grayscale picture with values from "
                       f"{gray.min():g} to {gray.max():g}, outside the 16-bit range 0 to "
                       "65535; save it as an 8- or 16-bit picture")
    small = np.asarray(Image.fromarray((gray / 65535).astype(np.float32)).resize(size),
                       dtype=np.float64).clip(0.0, 1.0)
    return np.repeat(small[:, :, None], 3, axis=2)


def _opaque(image, path):
    """``image`` as RGB, its transparent pixels composited onto :data:`BACKGROUND`."""
    from PIL import Image

    if "A" not in image.getbands() and "transparency" not in image.info:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    if rgba.getextrema()[3][0] == 255:              # an alpha channel, but nothing see-through
        return rgba.convert("RGB")
    print(f"note: {path} has transparent pixels; they were composited onto a white "
          "background", file=sys.stderr)
    return Image.alpha_composite(Image.new("RGBA", rgba.size, BACKGROUND + (255,)),
                                 rgba).convert("RGB")


def picture_shape(model):
    """(C, H, W) of the pictures ``model`` takes: a CNN's ``image_shape``, else 3×s×s RGB
    for a model of n_x = 3·s² features (see ``picture_side``), else None.

    Examples
    --------
    >>> import nn
    >>> picture_shape(nn.CNN((3, 8, 32), channels=(2,), pool=2, seed=0))
    (3, 8, 32)
    >>> picture_shape(nn.LogisticRegression(3 * 16 * 16))
    (3, 16, 16)
    """
    if getattr(model, "image_shape", None) is not None:
        return tuple(int(n) for n in model.image_shape)
    side = picture_side(model)
    return None if side is None else (3, side, side)


def class_names(model_path):
    """The class names saved in ``metrics.json`` beside the model, else ("non-cat", "cat").

    Examples
    --------
    >>> class_names("no/such/model.npz")
    ('non-cat', 'cat')
    """
    metrics = Path(model_path).with_name("metrics.json")
    try:
        classes = json.loads(metrics.read_text(encoding="utf-8")).get("classes")
    except (OSError, ValueError, AttributeError):
        return DEFAULT_CLASSES
    return tuple(classes) if isinstance(classes, list) and len(classes) == 2 else DEFAULT_CLASSES


def run(args):
    """Print ``IMAGE: probability p -> y = k, a "<class>" picture`` for each picture.

    Examples
    --------
    >>> import os, tempfile, nn
    >>> from PIL import Image
    >>> from autograd_lite.cli import build_parser
    >>> here = os.getcwd()
    >>> os.chdir(tempfile.mkdtemp())
    >>> nn.save(nn.LogisticRegression(16 * 16 * 3), "tiny.npz")     # 16×16 pictures
    >>> Image.new("RGB", (40, 30), "red").save("red.png")
    >>> run(build_parser().parse_args(["predict", "--model", "tiny.npz", "red.png"]))
    red.png: probability 0.5000 -> y = 0, a "non-cat" picture
    0
    >>> os.chdir(here)
    """
    import nn

    path = model_file(args.model, "predict")
    model = nn.load(path)
    shape = picture_shape(model)
    if shape is None or model.layer_dims[-1] != 1:
        raise CLIError(f"predict: {path} is a {describe(model)} with n_x = "
                       f"{model.layer_dims[0]} features, not a model of pictures with one "
                       "yes/no output; train one with 'autograd-lite train --dataset "
                       "catvnoncat'")
    C, H, W = shape
    if C not in (1, 3):
        raise CLIError(f"predict: {path} takes pictures of {C} channels ({C}×{H}×{W}); "
                       "a picture file has 3 colours (or 1 gray), so it cannot be read "
                       "for this model")
    X = np.concatenate([load_picture(path, (H, W), C) for path in args.images], axis=1)
    probabilities = model.predict_proba(X.astype(model.dtype))[0]
    classes = class_names(path)
    for path, p in zip(args.images, probabilities):
        y = int(p > 0.5)
        print(f'{path}: probability {p:.4f} -> y = {y}, a "{classes[y]}" picture')
    return 0


add_parser = subcommand(
    "predict", run, add_options,
    help="probability and class of your own pictures (cat models)",
    description="Load pictures (any format Pillow reads), resize them to the model's "
                "size (64x64 for the cat models) and print the probability and class "
                "of each.")
