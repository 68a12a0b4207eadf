"""Issue 12, the cost of claims and `--set` values: each attack run as the real process, bounded
(tests/helpers/adversary.py), with its exact outcome; growth tests for claims and chained values.

The cost model (`derive.arithmetic.estimate`/`bounded`) refuses a value over a degree, term or digit
limit before it is built; `bind` checks it at every substitution of a chain; `check` multiplies a
claim out once and compares the candidate mistakes as small polynomial changes.
"""

from __future__ import annotations

import itertools

import pytest

from derive.api import check, load
from derive.derivation import bind
from helpers.adversary import attack, assert_bounded
from helpers.timing import fresh_time, least_time

SLIDE = ["--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]


def chain_spec(n: int, defaults: bool = True, chained: bool = True) -> str:
    """A spec whose symbols s0 ... sN chain (s_i = s_{i+1} + 1, sN = 3) as defaults (unchained: all 3),
    or have none."""
    lines = ["[block]", 'input = ["H", "W", "C_in"]', "[symbols]"]
    for i in range(n):
        default = f'"s{i + 1} + 1"' if chained else "3"
        lines.append(f"s{i} = {default}" if defaults else f's{i} = {{ meaning = "size {i}" }}')
    lines.append(f"s{n} = 3" if defaults else f's{n} = {{ meaning = "size {n}" }}')
    lines += ["", "[[layers]]", 'op = "conv2d"', 'filters = "s0"', "kernel = 1", "bias = false"]
    return "\n".join(lines) + "\n"


def power_chain_spec() -> str:
    """The issue's 13-line spec: defaults s0 = s1**8, ..., s11 = s12**8, s12 = 3."""
    lines = ["[block]", 'input = ["H", "W", "C_in"]', "[symbols]"]
    lines += [f's{i} = {{ meaning = "size {i}", default = "s{i + 1}**8" }}' for i in range(12)]
    lines += ["s12 = 3", "", "[[layers]]", 'op = "conv2d"', 'filters = "s0"', "kernel = 1", "bias = false"]
    return "\n".join(lines) + "\n"


NETWORK_CHAIN = [arg for i in range(8, 3, -1) for arg in ("--set", f"c_{i}=(c_{i - 1}+1)**64")]

# (id, argv, files, exit status, words the output (status 0/1) or the error line (status 2) has)
ATTACKS = [
    # -- claims (issue 12: minutes and gigabytes before)
    ("claim power 64", ["check", "mobilenetv2-block", "--claim", "(C_in+t+k+C_out+1)**64"], None, 2,
     "--claim: 1:1: expression of too high a degree (over 8 in the sizes)"),
    ("claim power 8", ["check", "mobilenetv2-block", "--claim", "(C_in+t+k+C_out+1)**8"], None, 2,
     "--claim: 1:1: expression too large (over 256 terms once multiplied out)"),
    ("claim network cube", ["check", "mobilenetv2", "--claim", "(c_1+c_2+c_3+c_4+c_5+1)**3"], None, 1, "wrong"),
    ("claim with a chained --set", ["check", "mobilenetv2-block", "--set", "C_out=(C_in+t+k+1)**64", "--claim", "C_in"],
     None, 2, "--set C_out: expression of too high a degree (over 8 in the sizes)"),
    # own: a claim of a higher degree than any mistake makes is judged at once
    ("claim degree 6", ["check", "mobilenetv2-block", "--claim", "C_in**3*t**3"], None, 1, "wrong"),
    ("claim in four symbols to the 4th", ["check", "mobilenetv2-block", "--claim", "(C_in+t+k+C_out+1)**4"], None, 1,
     "wrong"),
    ("claim huge number", ["check", "mobilenetv2-block", *SLIDE, "--claim", "(10**40)**10*(10**40)**10"], None, 2,
     "number too large"),
    ("claim composed with the values", ["check", "mobilenetv2-block", "--set", "C_in=(t+k)**4", "--claim", "C_in**4"],
     None, 2, "--claim: expression of too high a degree (over 8 in the sizes), with the values put in"),
    ("claim efficientnet square", ["check", "efficientnet-b0", "--claim", "(c_1+c_2+c_3+c_4+c_5+c_6+1)**2"], None, 1,
     "wrong"),
    # -- chained values
    ("mobilenetv2 --set chain", ["show", "mobilenetv2", *NETWORK_CHAIN], None, 2,
     "--set c_5: number too large (over 400 digits)"),
    ("three powers of 64, symbolic end", ["show", "mobilenetv2-block", "--set", "C_out=(C_in+1)**64", "--set",
                                          "C_in=(t+1)**64", "--set", "t=(k+1)**64"], None, 2,
     "--set C_in: number too large (over 400 digits)"),
    ("three powers of 64, t=6", ["show", "mobilenetv2-block", "--set", "C_out=(C_in+1)**64", "--set",
                                 "C_in=(t+1)**64", "--set", "t=6"], None, 2,
     "--set C_out: number too large (over 400 digits)"),
    ("symbolic power chain", ["show", "mobilenetv2-block", "--set", "C_out=C_in**8", "--set", "C_in=t**8"], None, 2,
     "--set C_out: expression of too high a degree (over 8 in the sizes)"),
    ("terms of a chained value", ["show", "mobilenetv2-block", "--set", "C_out=(C_in+t+k+1)**2", "--set",
                                  "C_in=(t+k+H+W+1)**2"], None, 2,
     "--set C_out: expression too large (over 16 terms once multiplied out)"),
    ("spec defaults s_i = s_{i+1}**8", ["show", "chain.toml"], {"chain.toml": power_chain_spec()}, 2,
     "the default of s8: number too large (over 400 digits)"),
    ("a chain of 300 defaults", ["show", "chain.toml", "--format", "json"], {"chain.toml": chain_spec(300)}, 0, '"value"'),
    ("a cycle", ["show", "mobilenetv2-block", "--set", "C_in=t", "--set", "t=C_out", "--set", "C_out=t"], None, 2,
     "--set: the values of t and C_out refer to each other"),
    ("counts over 400 digits", ["show", "mobilenetv2-block", *(a for n in ("C_in", "t", "C_out")
                                                               for a in ("--set", f"{n}=(10**40)**9"))], None, 2,
     "a count came out over 400 digits"),
    ("a claim judged with counts over 400 digits", ["check", "mobilenetv2-block", "--claim", "1",
                                                    *(a for n in ("C_in", "t", "C_out") for a in ("--set", f"{n}=(10**40)**9"))],
     None, 2, "a count came out over 400 digits"),
    # -- a size that can never be positive
    ("1 - t", ["show", "mobilenetv2-block", "--set", "C_in=1-t"], None, 2,
     "--set C_in: C_in (input channels) must be a positive integer, got 1 - t, which is never positive"),
    ("-t*k - 2", ["show", "mobilenetv2-block", "--set", "C_out=-t*k-2"], None, 2, "which is never positive"),
    ("t - t", ["show", "mobilenetv2-block", "--set", "C_in=t-t"], None, 2,
     "C_in (input channels) must be a positive integer, got 0"),
    ("2 - t may be positive", ["show", "mobilenetv2-block", "--set", "C_in=2-t"], None, 0, "C_in"),
    ("C_out - C_in may be positive", ["show", "mobilenetv2-block", "--set", "t=C_out-C_in"], None, 0, "C_out"),
    # -- claim files
    ("BOM", ["check", "mobilenetv2-block", *SLIDE, "--claim-file", "a.txt"],
     {"a.txt": "\ufeffexpand: 1x1x3 x18 + 2 x 18\n".encode()}, 0, "expand: 1x1x3 x18 + 2 x 18 = 90"),
    ("trailing comment", ["check", "mobilenetv2-block", *SLIDE, "--claim-file", "a.txt"],
     {"a.txt": "# the forum answer\nexpand: 90 # note\ndepthwise: 198   # #\n"}, 0, "2 of 2 lines right"),
    ("unknown label", ["check", "mobilenetv2-block", *SLIDE, "--claim-file", "a.txt"],
     {"a.txt": "expand: 90\n  squeeze: 12\n"}, 2, "a.txt:2:3: no part or layer 'squeeze'"),
    ("over the limit in a file", ["check", "mobilenetv2-block", "--claim-file", "a.txt"],
     {"a.txt": "expand: 90\ndepthwise: (C_in+t+k+1)**64\n"}, 2,
     "a.txt:2:11: expression of too high a degree (over 8 in the sizes)"),
]


@pytest.mark.parametrize("name,argv,files,status,words", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack(tmp_path, name, argv, files, status, words):
    result = attack(argv, tmp_path, files=files)
    assert_bounded(result)
    assert result.status == status, (result.status, result.err[-500:])
    if status == 2:
        assert result.err.startswith("derive: error: ") and words in result.err, result.err
    else:
        assert words in result.out, result.out[-1000:]


# -- growth: doubling the input at most ×2.5 the time (own work: less the same command on a trivial input)
def _seconds(argv, tmp_path, files=None) -> float:
    times = []
    for i in range(3):
        result = attack(argv, tmp_path / str(i), files=files)
        assert result.status in (0, 1), result.err[-500:]
        times.append(result.seconds)
    return min(times)


def _grows_linearly(trivial: float, small: float, large: float) -> None:
    """`large` (the doubled input) costs at most 2.5 times `small` in own work; below 50 ms of own work
    the difference is start-up noise."""
    own_small, own_large = max(small - trivial, 0.05), large - trivial
    assert own_large <= 2.5 * own_small, (trivial, small, large)


def _grows_linearly_measured(small, large, attempts: int = 3) -> None:
    """`_grows_linearly` on own work measured as a difference of two timings (`small()`, `large()`), whose
    noise adds up: measured again, up to `attempts` times, until one pair is within the bound. A doubled
    input that really costs more than 2.5× (4× for quadratic work) fails every attempt."""
    for attempt in range(attempts):
        pair = small(), large()
        if pair[1] <= 2.5 * max(pair[0], 0.05) or attempt == attempts - 1:
            _grows_linearly(0.0, *pair)
            return


def _claim(n: int) -> str:
    """n distinct monomials of degree at most 4 in C_in, t, C_out, k (70 in all)."""
    symbols = ("C_in", "t", "C_out", "k")
    monomials = [m for d in range(1, 5) for m in itertools.combinations_with_replacement(symbols, d)]
    return " + ".join(f"{i + 2}*{'*'.join(m)}" for i, m in enumerate(monomials[:n]))


def test_claim_growth():
    """A claim of 68 terms costs at most 2.5 times one of 34, less a one-term claim: the judging alone,
    timed in process (a process's start-up would drown it)."""
    def judged(claim):
        return least_time(lambda: check("mobilenetv2-block", claim, C_in=3, t=6, C_out=3))

    _grows_linearly(judged("C_in"), judged(_claim(34)), judged(_claim(68)))


def test_chain_growth_through_spec_defaults(tmp_path):
    """N defaults chained, less the same N defaults unchained (s_i = 3): the cost of following chains,
    timed in process around `bind` from sympy's empty cache (reading the spec, the command's start-up
    and the noise of two processes stay out)."""
    def least(n, chained):
        path = tmp_path / f"chain{n}{chained}.toml"
        path.write_text(chain_spec(n, chained=chained), encoding="utf-8")
        target = load(str(path))
        return least_time(lambda: bind(target.symbols, target.defaults, {}))

    _grows_linearly_measured(lambda: least(1000, True) - least(1000, False), lambda: least(2000, True) - least(2000, False))


CHAINED_SET = """
import sys
from derive.api import load, read_value
from derive.derivation import bind
from tests.helpers.timing import least_time
path, n, chained = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
target = load(path)
given = {f"s{i}": read_value(target, f"s{i}", f"s{i + 1}+1" if chained else "3") for i in range(n)}
given[f"s{n}"] = read_value(target, f"s{n}", "3")
print(least_time(lambda: bind(target.symbols, target.defaults, given)))
"""


def test_chain_growth_through_set(tmp_path):
    """N `--set` values chained (s_i = s_{i+1} + 1), less the same N values unchained (s_i = 3): the cost
    of following chains alone, timed around `bind` in a fresh interpreter (the command's start-up and
    argparse, whose own cost per option is quadratic in their number, would drown it in noise; the test
    process's heap, after thousands of tests, made a doubled chain cost 2.6×)."""
    def own(n):
        path = tmp_path / f"chain{n}.toml"
        path.write_text(chain_spec(n, defaults=False), encoding="utf-8")
        return fresh_time(CHAINED_SET, str(path), str(n), "1") - fresh_time(CHAINED_SET, str(path), str(n), "0")

    _grows_linearly_measured(lambda: own(1000), lambda: own(2000))
