"""Parameter-free layers that change the spatial sizes: upsampling (Keras `UpSampling1D/2D/3D`, PyTorch
`nn.Upsample`), `nn.PixelShuffle` / `nn.PixelUnshuffle`, cropping (`Cropping1D/2D/3D`) and zero padding
of one or three axes (`ZeroPadding1D/3D`, `nn.ZeroPad1d/3d`; the 2-D one is in `reshape.py`)."""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import sympy

from ..errors import InputError
from ..functions import floor
from ..records import frozen
from .axes import keras_layout, keras_sides, sizes, torch_sides
from .base import ONE, Expr, Layer, Shape, as_expr, check_divisible, describe_rank, need_rank
from .reshape import ZeroPadding2D
from .spelling import Arguments, keras, kind, spec, torch

TWO = sympy.Integer(2)


@frozen
class UpSampling(Layer):
    """Each spatial size times a factor (`scale`, one per axis or one for all), or set to `size`.

    Keras `UpSampling1D/2D/3D` repeat each position `scale` times along its axis (`rank` given); PyTorch's
    `nn.Upsample` takes any rank, its output floor(size · scale_factor), or `size` outright."""

    op: ClassVar[str] = "upsampling"
    family: ClassVar[str] = "parameter_free"
    scale: tuple[Expr, ...] | None = (TWO, TWO)
    size: tuple[Expr, ...] | None = None
    rank: int | None = None  # the spatial axes it needs (Keras), None: any (PyTorch)

    def _each(self, values: tuple[Expr, ...], rank: int, what: str) -> tuple[Expr, ...]:
        if len(values) == 1:
            return values * rank
        if len(values) != rank:
            raise InputError(f"{what} has {len(values)} sizes, the input {rank} spatial axes")
        return values

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        shape = inputs[0]
        if self.rank is not None:
            need_rank(self, shape, self.rank)
        elif not shape.spatial:
            raise InputError(f"upsampling needs spatial axes, got {describe_rank(0)}")
        rank = len(shape.spatial)
        if self.size is not None:
            return Shape(shape.channels, self._each(self.size, rank, "size"))
        scales = self._each(self.scale, rank, "scale_factor")  # type: ignore[arg-type]
        return Shape(shape.channels, tuple(n * s if s.is_Integer or not s.is_Number else floor(n * s)
                                           for n, s in zip(shape.spatial, scales)))

    @property
    def signature(self) -> str:
        if self.size is not None:
            return "→ " + "×".join(str(v) for v in self.size)
        return "×" + "×".join(str(v) for v in self.scale)  # type: ignore[union-attr]


@frozen
class Resizing(Layer):
    """Keras `Resizing(height, width)` and `CenterCrop(height, width)`: an image to `size`, however large it
    was (`crop`: cut to the centre, resized where it is smaller). No parameters."""

    op: ClassVar[str] = "resizing"
    family: ClassVar[str] = "parameter_free"
    size: tuple[Expr, ...] = (ONE, ONE)
    crop: bool = False

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], 2)
        return Shape(inputs[0].channels, self.size)

    @property
    def signature(self) -> str:
        return ("crop " if self.crop else "") + "→ " + "×".join(str(v) for v in self.size)


@frozen
class PixelShuffle(Layer):
    """PyTorch's `nn.PixelShuffle(r)`: C·r² channels of an H×W image to C channels of an rH×rW one;
    `inverse` for `nn.PixelUnshuffle(r)`, the other way. Values move, none is learned."""

    op: ClassVar[str] = "pixel_shuffle"
    family: ClassVar[str] = "parameter_free"
    factor: Expr = TWO
    inverse: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "factor", as_expr(self.factor))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        shape = inputs[0]
        need_rank(self, shape, 2)
        r = self.factor
        if self.inverse:
            for size in shape.spatial:
                check_divisible("height and width", size, r, "downscale_factor")
            return Shape(shape.channels * r * r, tuple(size / r for size in shape.spatial))
        check_divisible("input channels", shape.channels, r * r, "upscale_factor²")
        return Shape(shape.channels / (r * r), tuple(size * r for size in shape.spatial))

    @property
    def signature(self) -> str:
        return f"{'unshuffle' if self.inverse else 'shuffle'} {self.factor}"


class ZeroPadding1D(ZeroPadding2D):
    """Zeros before and after a sequence: ((before, after),). Keras `ZeroPadding1D`, PyTorch `ZeroPad1d`."""

    op: ClassVar[str] = "zero_padding1d"
    rank: ClassVar[int] = 1


class ZeroPadding3D(ZeroPadding2D):
    """Zeros around a volume, (before, after) along depth, height and width. Keras `ZeroPadding3D`,
    PyTorch `ZeroPad3d`."""

    op: ClassVar[str] = "zero_padding3d"
    rank: ClassVar[int] = 3


class Cropping2D(ZeroPadding2D):
    """Keras `Cropping2D`: ((top, bottom), (left, right)) positions cut off the image."""

    op: ClassVar[str] = "cropping2d"
    sign: ClassVar[int] = -1


class Cropping1D(Cropping2D):
    """Keras `Cropping1D`: (start, end) steps cut off the sequence."""

    op: ClassVar[str] = "cropping1d"
    rank: ClassVar[int] = 1


class Cropping3D(Cropping2D):
    """Keras `Cropping3D`: (before, after) cut off each of depth, height and width."""

    op: ClassVar[str] = "cropping3d"
    rank: ClassVar[int] = 3


@frozen
class Pad(Layer):
    """PyTorch's padding modules of every rank: `nn.ReflectionPad2d`, `nn.ReplicationPad2d`,
    `nn.ConstantPad2d`, `nn.CircularPad2d`, ... (before, after) along each axis, filled by `mode`."""

    op: ClassVar[str] = "pad"
    family: ClassVar[str] = "other"  # no parameters, but not (yet) in the parameter-free explanation
    sides: tuple[tuple[Expr, Expr], ...] = ((ONE, ONE), (ONE, ONE))
    mode: str = "reflect"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        shape = inputs[0]
        need_rank(self, shape, len(self.sides))
        for size, (before, after) in zip(shape.spatial, self.sides):
            for side in (before, after):
                if self.mode in ("reflect", "circular") and (side - size).is_Number and side > size - (
                        1 if self.mode == "reflect" else 0):
                    raise InputError(f"{self.mode} padding of {side} on a side of {size} (PyTorch needs it smaller)")
        return Shape(shape.channels, tuple(size + before + after
                                           for size, (before, after) in zip(shape.spatial, self.sides)))

    @property
    def signature(self) -> str:
        return self.mode


# -- spellings ------------------------------------------------------------------------------------
def _keras_upsampling(rank: int) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        scale = sizes(args, "size", rank, 2)
        if args.given("interpolation"):
            args.text("interpolation", choices=("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"))
        return keras_layout(args, UpSampling(scale, None, rank))
    return build


def _scale(args: Arguments, value: Any) -> Expr:
    number = args.as_number(value)
    if isinstance(number, bool) or not isinstance(number, sympy.Expr) or (number.is_Number and number <= 0):
        raise args.error("scale_factor", "scale_factor must be a positive number")
    if number.is_Float:
        number = sympy.Rational(str(number))
    return number


def _torch_upsample(args: Arguments) -> Layer:
    size, scale = args.get("size", None), args.get("scale_factor", None)
    if (size is None) == (scale is None):
        raise args.error("size" if size is not None else "scale_factor",
                         "give one of size and scale_factor (PyTorch's own rule)")
    if args.given("mode"):
        args.text("mode", choices=("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"))
    if size is not None:
        items = args.sequence(size)
        return UpSampling(None, tuple(args.as_size("size", v) for v in (items if items is not None else (size,))))
    items = args.sequence(scale)
    return UpSampling(tuple(_scale(args, v) for v in (items if items is not None else (scale,))), None)


def _spec_upsampling(rank: int | None) -> Callable[[Arguments], Layer]:
    """`upsampling1d/2d/3d` (Keras' layers: a scale per axis) or `upsample` (PyTorch's: a scale or a size
    for every axis, any rank)."""
    def build(args: Arguments) -> Layer:
        if rank is not None:
            return UpSampling(sizes(args, "scale", rank, 2), None, rank)
        name = "size" if args.given("size") else "scale"
        items = args.sequence(args.get(name, 2))
        values = tuple(args.as_size(name, v) for v in items) if items is not None else (args.size(name, 2),)
        return UpSampling(None, values) if name == "size" else UpSampling(values, None)
    return build


def _keras_sides(cls: type[ZeroPadding2D], name: str, default: Any) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        return keras_layout(args, cls(keras_sides(args, name, cls.rank, default)))
    return build


def _spec_sides(cls: type[ZeroPadding2D], name: str) -> Callable[[Arguments], Layer]:
    return lambda a: cls(tuple((v, v) for v in sizes(a, name, cls.rank, zero=True)))


def _keras_resizing(crop: bool) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        if args.given("interpolation"):
            args.text("interpolation", choices=("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"))
        return keras_layout(args, Resizing((args.size("height"), args.size("width")), crop))
    return build


def _torch_pad(rank: int, mode: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        if mode == "constant":
            args.number("value")
        return Pad(torch_sides(args, rank), mode)
    return build


def _spec_pad(args: Arguments) -> Layer:
    items = args.sequence(args.get("padding"))
    padding = (args.get("padding"),) if items is None else items
    sides = tuple((args.as_size("padding", v, zero=True),) * 2 for v in padding)
    return Pad(sides, _spec_mode(args))


def _spec_mode(args: Arguments) -> str:
    mode = args.get("mode", "reflect")
    if mode not in ("reflect", "replicate", "constant", "circular"):
        raise args.error("mode", "mode must be one of 'reflect', 'replicate', 'constant', 'circular'")
    return mode


PADS = (("Reflection", "reflect"), ("Replication", "replicate"), ("Constant", "constant"), ("Circular", "circular"))
UPSAMPLE = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")
KINDS = (
    kind(UpSampling,
         spec("upsample", ("scale", "size"), _spec_upsampling(None)),
         spec("upsampling1d", ("scale",), _spec_upsampling(1)),
         spec("upsampling2d", ("scale",), _spec_upsampling(2)),
         spec("upsampling3d", ("scale",), _spec_upsampling(3)),
         keras("UpSampling1D", ("size",), _keras_upsampling(1)),
         keras("UpSampling2D", ("size", "data_format", "interpolation"), _keras_upsampling(2)),
         keras("UpSampling3D", ("size", "data_format"), _keras_upsampling(3)),
         torch("Upsample", UPSAMPLE, _torch_upsample, factory=False),
         torch("UpsamplingNearest2d", ("size", "scale_factor"), _torch_upsample, factory=False, spatial=2),
         torch("UpsamplingBilinear2d", ("size", "scale_factor"), _torch_upsample, factory=False, spatial=2)),
    kind(Resizing,
         spec("resizing", ("height", "width"), lambda a: Resizing((a.size("height"), a.size("width"))),
              required=("height", "width")),
         spec("center_crop", ("height", "width"), lambda a: Resizing((a.size("height"), a.size("width")), True),
              required=("height", "width")),
         keras("Resizing", ("height", "width", "interpolation", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
                            "fill_mode", "fill_value", "antialias", "data_format"), _keras_resizing(False)),
         keras("CenterCrop", ("height", "width", "data_format"), _keras_resizing(True))),
    kind(PixelShuffle,
         spec("pixel_shuffle", ("factor",), lambda a: PixelShuffle(a.size("factor")), required=("factor",)),
         spec("pixel_unshuffle", ("factor",), lambda a: PixelShuffle(a.size("factor"), True), required=("factor",)),
         torch("PixelShuffle", ("upscale_factor",), lambda a: PixelShuffle(a.size("upscale_factor")), factory=False,
               spatial=2),
         torch("PixelUnshuffle", ("downscale_factor",), lambda a: PixelShuffle(a.size("downscale_factor"), True),
               factory=False, spatial=2)),
    kind(ZeroPadding1D,
         spec("zero_padding1d", ("padding",), _spec_sides(ZeroPadding1D, "padding"), required=("padding",)),
         keras("ZeroPadding1D", ("padding", "data_format"), _keras_sides(ZeroPadding1D, "padding", 1)),
         torch("ZeroPad1d", ("padding",), lambda a: ZeroPadding1D(torch_sides(a, 1)), factory=False, spatial=1)),
    kind(ZeroPadding3D,
         spec("zero_padding3d", ("padding",), _spec_sides(ZeroPadding3D, "padding"), required=("padding",)),
         keras("ZeroPadding3D", ("padding", "data_format"), _keras_sides(ZeroPadding3D, "padding", 1)),
         torch("ZeroPad3d", ("padding",), lambda a: ZeroPadding3D(torch_sides(a, 3)), factory=False, spatial=3)),
    kind(Pad,
         spec("pad", ("padding", "mode"), _spec_pad, required=("padding",)),
         *(torch(f"{name}Pad{n}d", ("padding", "value") if mode == "constant" else ("padding",), _torch_pad(n, mode),
                 factory=False, spatial=n) for name, mode in PADS for n in (1, 2, 3))),
    kind(Cropping1D,
         spec("cropping1d", ("cropping",), _spec_sides(Cropping1D, "cropping"), required=("cropping",)),
         keras("Cropping1D", ("cropping",), _keras_sides(Cropping1D, "cropping", (1, 1)))),
    kind(Cropping2D,
         spec("cropping2d", ("cropping",), _spec_sides(Cropping2D, "cropping"), required=("cropping",)),
         keras("Cropping2D", ("cropping", "data_format"), _keras_sides(Cropping2D, "cropping", 0))),
    kind(Cropping3D,
         spec("cropping3d", ("cropping",), _spec_sides(Cropping3D, "cropping"), required=("cropping",)),
         keras("Cropping3D", ("cropping", "data_format"), _keras_sides(Cropping3D, "cropping", 1))),
)
