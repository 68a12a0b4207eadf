"""TeX to PDF: latexmk (or pdflatex twice; or once, for a document without cross-references) in a
temporary directory, locked down, with a time limit.

No shell escape, no interaction, stop at the first error; kpathsea's `openin_any=p` / `openout_any=p`
(paranoid: no absolute paths, parent directories or dot files) so that even a TeX source that slipped
through escaping reads and writes nothing outside its own directory; no latexmkrc is read. A missing
TeX, a failure or a timeout is a `ToolError` (exit status 3) naming the Debian packages, or quoting
the relevant lines of TeX's log.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import ToolError

PACKAGES = "texlive-latex-recommended texlive-pictures latexmk lmodern"
WHERE = "--format pdf"
TIMEOUT = 120.0  # seconds, for the whole compilation
FLAGS = ("-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error")


MISSING = f"TeX is not installed (no pdflatex); on Debian or Ubuntu: apt-get install {PACKAGES}"


def tex_available() -> bool:
    return shutil.which("pdflatex") is not None


def compile_tex(source: str, timeout: float = TIMEOUT, passes: int | None = None, where: str = WHERE) -> bytes:
    """The PDF of the LaTeX document `source` (bytes), or a `ToolError`. `passes`: run pdflatex that many
    times rather than latexmk (1 for a document with no cross-reference, page count or table of contents
    to settle: `derive exercise`'s sheets of 150 pages, in half the time); `where`, what errors name."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise ToolError(MISSING, where)
    latexmk = shutil.which("latexmk")
    with tempfile.TemporaryDirectory(prefix="derive-tex-") as tmp:
        directory = Path(tmp)
        (directory / "main.tex").write_text(source, encoding="utf-8")
        env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f",
               "TEXMFOUTPUT": tmp}
        if passes is not None:
            commands = [[pdflatex, *FLAGS, "main.tex"]] * passes
        elif latexmk:
            commands = [[latexmk, "-norc", "-pdf", "-silent", *FLAGS, "main.tex"]]
        else:
            once = [pdflatex, *FLAGS, "main.tex"]
            commands = [once, once]
        for command in commands:
            _run(command, directory, env, timeout, where)
        pdf = directory / "main.pdf"
        if not pdf.is_file():
            raise ToolError("TeX made no PDF" + _log_excerpt(directory), where)
        return pdf.read_bytes()


def _run(command: list[str], directory: Path, env: dict, timeout: float, where: str = WHERE) -> None:
    name = Path(command[0]).name
    try:
        process = subprocess.Popen(command, cwd=directory, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as error:
        raise ToolError(f"cannot run {name}: {error.strerror}", where) from None
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise ToolError(f"{name} took longer than {timeout:g} s and was stopped", where) from None
    except BaseException:
        _kill(process)
        raise
    if process.returncode != 0:
        excerpt = _log_excerpt(directory) or _tail(output.decode("utf-8", "replace"))
        raise ToolError(f"{name} failed (exit status {process.returncode}){excerpt}", where)


def _kill(process: subprocess.Popen) -> None:
    """The tool and everything it started (latexmk runs pdflatex)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    process.wait()


ERROR_LINE = re.compile(r"^(?:!|\S+\.\w+:\d+: )")
CONTEXT_LINE = re.compile(r"^l\.\d+ ")
NOISE = ("==> Fatal error occurred", "Emergency stop", "No pages of output")


def _log_excerpt(directory: Path, context: int = 4, limit: int = 12) -> str:
    """Each error of main.log with TeX's context up to its `l.<n>` line, indented, one line per line."""
    log = directory / "main.log"
    if not log.is_file():
        return ""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    picked: list[str] = []
    for i, line in enumerate(lines):
        if not ERROR_LINE.match(line) or any(noise in line for noise in NOISE):
            continue
        picked.append(line)
        for extra in lines[i + 1:i + 1 + context]:
            if not extra.strip() or ERROR_LINE.match(extra):
                break
            picked.append(extra)
            if CONTEXT_LINE.match(extra):
                break
        if len(picked) >= limit:
            break
    return "".join(f"\n  {line}" for line in picked[:limit])


def _tail(output: str, count: int = 8) -> str:
    lines = [line for line in output.splitlines() if line.strip()][-count:]
    return "".join(f"\n  {line}" for line in lines)
