"""Golden files: derive's output for every built-in block, three networks, four pasted-code files, a
TOML spec and three `check` verdicts, in every format (four of them as SVG diagrams too), byte for byte
(tests/helpers/golden.py compares; `pytest --update-golden` rewrites, then read the diff)."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.cli import main
from helpers.golden import GOLDEN, verify

ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md", "latex": "snippet.tex", "tex": "tex",
              "slide": "slide.tex"}
SHOW_FORMATS = tuple(EXTENSIONS)
CHECK_FORMATS = ("text", "json", "markdown")
SLIDE = ("--set", "C_in=3", "--set", "t=6", "--set", "C_out=3")  # the forum thread's bottleneck


def sizes(**values) -> tuple[str, ...]:
    return tuple(arg for name, value in values.items() for arg in ("--set", f"{name}={value}"))


SHOWN = {  # case -> the arguments of `derive show` (paths from the repository's root)
    # every built-in block, at sizes that bind every symbol, and variants with an option and a convention
    "mobilenetv2-block": ("mobilenetv2-block", *SLIDE),
    "mobilenetv2-block-keras-bias": ("mobilenetv2-block", *SLIDE, "--option", "bias=true", "--convention", "keras"),
    "mobilenetv1-block": ("mobilenetv1-block", *sizes(C_in=32, C_out=64, H=112, W=112)),
    "mobilenetv1-block-symbolic": ("mobilenetv1-block",),
    "mobilenetv3-block": ("mobilenetv3-block", *sizes(C_in=16, C_exp=64, C_out=24, s=2, H=112, W=112)),
    "resnet-basic": ("resnet-basic", *sizes(C_in=64, C_out=128, s=2, H=56, W=56)),
    "resnet-basic-pytorch": ("resnet-basic", *sizes(C_in=64, C_out=128, s=2, H=56, W=56), "--convention", "pytorch"),
    "resnet-bottleneck": ("resnet-bottleneck", *sizes(C_in=64, C_mid=64, C_out=256, H=56, W=56)),  # a projection
    "resnet-bottleneck-identity": ("resnet-bottleneck", *sizes(C_in=256, C_mid=64, C_out=256, H=56, W=56)),
    "mbconv": ("mbconv", *sizes(C_in=16, t=6, C_out=24, s=2, H=112, W=112)),
    "fused-mbconv": ("fused-mbconv", *sizes(C_in=24, t=4, C_out=48, s=2, H=128, W=128)),
    "convnext-block": ("convnext-block", *sizes(C=96, H=56, W=56)),
    "transformer-encoder": ("transformer-encoder", *sizes(d_model=512, heads=8, d_ff=2048, L=196)),
    "vit-encoder": ("vit-encoder", *sizes(d_model=768, heads=12, L=197)),
    "gpt-block": ("gpt-block", *sizes(d_model=768, heads=12, L=1024)),
    "dense-layer": ("dense-layer", *sizes(C_in=64, k=32, H=56, W=56)),  # DenseNet-121's first dense layer
    "transition": ("transition", *sizes(C_in=256, C_out=128, H=56, W=56)),
    "fire": ("fire", *sizes(C_in=96, s_1x1=16, e_1x1=64, e_3x3=64, H=54, W=54)),  # SqueezeNet 1.0's fire2
    "shufflenet-unit": ("shufflenet-unit", *sizes(C_in=116, C_out=116, H=28, W=28)),  # the channel split
    "shufflenet-unit-s2": ("shufflenet-unit", *sizes(C_in=24, C_out=116, s=2, H=56, W=56)),  # two branches
    # --flops-as: a tool's figure beside the MACs, and what the tool counts (attention by ptflops' own formula)
    "transformer-encoder-ptflops": ("transformer-encoder", *sizes(d_model=512, heads=8, d_ff=2048, L=196),
                                    "--flops-as", "ptflops"),
    # networks, at their defaults
    "mobilenetv2": ("mobilenetv2",),
    "resnet50": ("resnet50",),
    "efficientnet-b0": ("efficientnet-b0",),
    "gpt2": ("gpt2",),
    # code as people paste it, and a TOML spec
    "forum-bottleneck": ("examples/forum_bottleneck.py", *sizes(C_in=3, n_out=3), "--convention", "keras"),
    "inverted-residual": ("examples/inverted_residual.py", *sizes(inp=3, oup=3), "--convention", "pytorch"),
    "torch-resnet": ("tests/data/torch_resnet.py",),
    "keras-inverted-res-block": ("tests/data/keras_inverted_res_block.py", *sizes(C_in=16), "--convention", "keras"),
    "separable-stack": ("examples/separable_stack.toml", *sizes(C_in=3, C_out=32, H=32, W=32)),
}
DETAILED = {"mobilenetv2-detail": ("mobilenetv2", "--detail")}  # every layer, in text and markdown
DRAWN = ("mobilenetv2-block", "resnet-basic", "mbconv", "mobilenetv2")  # --format svg: a skip, a branch, SE, stages
CHECKED = {  # case -> the arguments of `derive check`, and its exit status
    "check-right": (("mobilenetv2-block", *SLIDE, "--claim", "1*1*3*18 + 2*18 + 3*3*18 + 2*18 + 1*1*18*3 + 2*3"), 0),
    "check-forum-answer": (("mobilenetv2-block", *SLIDE, "--claim-file", "tests/data/forum_answer.txt"), 1),
    "check-starred-claim": (("mobilenetv2-block", *SLIDE, "--claim", "2*3*4"), 1),
}


def cases() -> list:
    """pytest params: (arguments, exit status), each marked with its golden file's name."""
    runs = [(f"{case}.{EXTENSIONS[fmt]}", ("show", *args, "--format", fmt), 0)
            for case, args in SHOWN.items() for fmt in SHOW_FORMATS]
    runs += [(f"{case}.{EXTENSIONS[fmt]}", ("show", *args, "--format", fmt), 0)
             for case, args in DETAILED.items() for fmt in ("text", "markdown")]
    runs += [(f"{case}.svg", ("show", *SHOWN[case], "--format", "svg"), 0) for case in DRAWN]
    runs += [(f"{case}.{EXTENSIONS[fmt]}", ("check", *args, "--format", fmt), status)
             for case, (args, status) in CHECKED.items() for fmt in CHECK_FORMATS]
    runs += [(f"list.{EXTENSIONS[fmt]}", ("list", "--format", fmt), 0) for fmt in ("text", "json")]
    return [pytest.param(argv, status, id=name, marks=pytest.mark.golden(name)) for name, argv, status in runs]


CASES = cases()


@pytest.mark.parametrize("argv,status", CASES)
def test_output_is_its_golden_file(argv, status, monkeypatch):
    monkeypatch.chdir(ROOT)  # paths as a user in the checkout types them
    assert main(list(argv)) == status


def test_every_golden_file_has_its_case():
    """No golden file left behind by a case that is gone, none missing."""
    names = {case.id for case in CASES}
    assert len(names) >= 60
    assert sorted(path.name for path in GOLDEN.iterdir() if path.suffix != ".stderr") == sorted(names)
    assert {path.stem for path in GOLDEN.glob("*.stderr")} <= names  # a case's warnings, on standard error


def test_a_difference_fails_with_a_diff_and_update_rewrites(tmp_path):
    """The harness itself: a changed line fails showing both lines; --update-golden writes the new text."""
    path = tmp_path / "case.txt"
    path.write_text("parameters: 348\nMACs: 270·H·W\n", encoding="utf-8")
    verify(path, "parameters: 348\nMACs: 270·H·W\n", update=False)
    with pytest.raises(pytest.fail.Exception) as failed:
        verify(path, "parameters: 349\nMACs: 270·H·W\n", update=False)
    assert "-parameters: 348\n+parameters: 349\n" in str(failed.value) and "--- tests/golden/case.txt" in str(failed.value)
    with pytest.raises(pytest.fail.Exception, match="no golden file"):
        verify(tmp_path / "new.txt", "x\n", update=False)
    verify(path, "parameters: 349\n", update=True)
    assert path.read_text(encoding="utf-8") == "parameters: 349\n"
