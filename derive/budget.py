"""The `derive` command's budget, a backstop behind the readers' own step limits: CPU time, wall-clock
time and memory, each turned into one error line rather than a hang or a machine out of memory.

`limit()` is called once by the command (`cli.entry`), never by the library: `derive.show` in a
notebook and the tests that run `cli.main` in-process are not limited. CPU time is the process's own
(TeX runs in a child and is not counted; its own timeout is in `presentation/pdf.py`); the wall clock
covers waiting, e.g. for standard input; memory is the address space (`RLIMIT_AS`), where the system
has it. Over a limit: `OverBudget` (or `MemoryError`), which `cli.main` prints as one line, exit 2.
"""

from __future__ import annotations

import resource
import signal

CPU_SECONDS = 2.5  # CPU time of the whole process, start-up (0.5-0.9 s, by the machine) included; built-ins take 0.6-1.6 s
CPU_SECONDS_PER_100KB = 2.0  # more for a large target file: the 5,000-module bench file (135 KB) takes 1.4-2.2 s
WALL_SECONDS = 300  # waiting included (standard input, TeX: at most 2 × 120 s); never a hang
MEMORY_MIB = 280  # address space (≈ resident: no threads); an ordinary run maps 65-100 MiB


class OverBudget(BaseException):
    """Raised from a timer signal: a BaseException so that no `except Exception` on the way swallows it."""


_armed = False
_cpu_limit = CPU_SECONDS


def limit() -> None:
    """Arm the three limits for this process (what the system does not have is skipped)."""
    global _armed
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    if hasattr(signal, "setitimer"):
        _armed = True
        signal.signal(signal.SIGPROF, _cpu)
        signal.setitimer(signal.ITIMER_PROF, max(CPU_SECONDS - used, 0.05))
        signal.signal(signal.SIGALRM, _wall)
        signal.setitimer(signal.ITIMER_REAL, WALL_SECONDS)
    _memory()


def allow(size: int) -> None:
    """More CPU time for a target file of `size` bytes (its reader calls this); nothing when not armed."""
    if size > 0:
        allow_seconds(CPU_SECONDS_PER_100KB * size / 100_000)


def allow_seconds(extra: float) -> None:
    """`extra` more seconds of CPU time, for a command whose work grows with what it was asked
    (`derive exercise`: per variant; `derive grade`: per answer); nothing when not armed."""
    global _cpu_limit
    if not _armed or extra <= 0:
        return
    left, _ = signal.getitimer(signal.ITIMER_PROF)
    if left > 0:
        _cpu_limit += extra
        signal.setitimer(signal.ITIMER_PROF, left + extra)


def over_time(limit: str) -> str:
    """What is said when a derivation ran out of time (`limit`: "2.5 s of CPU time", or `derive serve`'s "2 s")."""
    return f"took longer than {limit} and was stopped (the input is too large or too complex)"


def over_memory(mib: int = MEMORY_MIB) -> str:
    """What is said when a derivation ran out of memory (the command's `mib`, or a server worker's)."""
    return f"needed more than the {mib} MiB of memory derive allows itself (the input is too large or too complex)"


def lift() -> None:
    """Disarm `limit()` (for `derive serve`, which lives long and bounds each job in a worker of its own:
    web/pool.py): no timers, and the address space as it was before."""
    global _armed
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _armed = False
    if _saved_memory is not None:
        try:
            resource.setrlimit(resource.RLIMIT_AS, _saved_memory)
        except (ValueError, OSError):
            pass


def _cpu(signum, frame) -> None:
    raise OverBudget(over_time(f"{_cpu_limit:.1f} s of CPU time"))


def _wall(signum, frame) -> None:
    raise OverBudget(f"took longer than {WALL_SECONDS:g} s and was stopped")


_saved_memory: tuple[int, int] | None = None  # RLIMIT_AS before `limit()`, for `lift()`


def _memory() -> None:
    global _saved_memory
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        _saved_memory = (soft, hard)
        wanted = MEMORY_MIB * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        if soft == resource.RLIM_INFINITY or soft > wanted:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (AttributeError, ValueError, OSError):  # no RLIMIT_AS here (macOS refuses it): the other limits hold
        pass
