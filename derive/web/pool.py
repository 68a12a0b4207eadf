"""The worker processes of `derive serve`, and the cache of their answers.

Every job (jobs.py) runs in a worker process of its own, never in the server's: N workers (`--workers`)
forked from multiprocessing's fork server, which imports derive once (`PRELOAD`), so that a new worker
starts in well under a second. Each worker bounds its own address space (`MEMORY_MIB`, `RLIMIT_AS`),
derives the slide block and MobileNetV2 once (`jobs.warm`) and then freezes what it has
(`gc.freeze()`: the collector no longer walks sympy's and the templates' objects on every pass), and
answers jobs from a pipe, one at a time.

The server sends a job down the pipe and waits for its answer without blocking its event loop (the
pipe's descriptor is watched by the loop). A job that takes longer than `job_seconds` (wall clock) has
its worker killed (SIGKILL) and replaced, and is answered 422 with the one-line error; so is a worker
that dies (out of memory, a crash). Finished answers are kept in an LRU cache keyed by the endpoint and
the canonical JSON of the request, bounded in bytes: the page asks the same thing again and again. A
PDF's TeX is compiled here, beside the workers, with TeX's own time limit (presentation/pdf.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import resource
import signal
import sys
import traceback
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .. import budget
from .answers import failed

PRELOAD = ["derive.web.jobs", "derive.presentation.views", "derive.presentation.verdicts",
           "derive.presentation.listing", "derive.readers.code", "derive.readers.spec", "derive.checking"]
JOB_SECONDS = 2.0  # wall clock per job
MEMORY_MIB = budget.MEMORY_MIB  # a worker's address space, as the command's: a warm worker maps ~80 MiB, ~86 after
# the hostile corpus and the largest networks' pages (bench/SERVE.md); beyond, the command's own memory line
STARTUP_SECONDS = 60.0  # a new worker's import and warm-up (about 0.5 s)
CACHE_BYTES = 64 * 1024 * 1024  # the answers kept
COMPILING = 1  # PDFs compiled at once


def work(conn, memory_mib: int) -> None:
    """A worker's life: limit, warm, freeze, then answer `(endpoint, body)` jobs until the pipe closes.
    Each answer goes back as `(answer, alive)`; after running out of memory the worker exits (its state
    is not trusted), and says so."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's: it ends its workers itself
    _limit_memory(memory_mib)
    from .. import memo
    from . import jobs

    try:
        memo.remember()  # formulas' closed forms and printing kept across jobs (memo.py)
        jobs.warm()
        gc.collect()
        gc.freeze()
    except Exception as error:  # noqa: BLE001 - out of memory, or what CPython says short of it (SystemError)
        _limit_memory(None)  # room to say so (the worker ends)
        with contextlib.suppress(OSError):
            conn.send(budget.over_memory(memory_mib) if isinstance(error, (MemoryError, SystemError))
                      else f"{type(error).__name__}: {error}")
        return
    try:
        conn.send("ready")
    except OSError:  # the server is gone already (Ctrl-C while the workers started)
        return
    while True:
        try:
            endpoint, body = conn.recv()
        except (EOFError, OSError):
            return
        alive = True
        try:
            answer = jobs.answer(endpoint, body)
        except MemoryError as error:
            _limit_memory(None)  # room to say so: the worker ends after this answer (its state is not trusted)
            answer, alive = failed(jobs.commands.error_line(error, memory_mib)), False
        except Exception as error:  # a bug: said in one line to the client, in full in the server's log
            traceback.print_exc(file=sys.stderr)
            answer = failed(f"derive: error: internal error ({type(error).__name__}); see the server's log", 500)
        try:
            conn.send((answer, alive))
        except OSError:  # the server is gone, or killed this worker's job
            return
        if not alive:
            os._exit(1)


def _limit_memory(mib: int | None) -> None:
    """The address space limited to `mib` MiB (None: as far as the system lets it go)."""
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = hard if mib is None else mib * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (AttributeError, ValueError, OSError):  # no RLIMIT_AS here: the time limit still holds
        pass


@dataclass(eq=False)
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: object  # multiprocessing.connection.Connection


@dataclass
class Cache:
    """Finished answers by (endpoint, canonical body), least recently used dropped first, at most `limit`
    bytes of bodies and keys."""

    limit: int = CACHE_BYTES
    size: int = 0
    items: OrderedDict = field(default_factory=OrderedDict)

    def get(self, key):
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key, answer) -> None:
        cost = len(answer.body) + len(key[1]) + 200
        if cost > self.limit // 8 or key in self.items:
            return
        self.items[key] = answer
        self.size += cost
        while self.size > self.limit:
            (_, body), old = self.items.popitem(last=False)
            self.size -= len(old.body) + len(body) + 200


class Pool:
    """`size` workers, each job bounded by `job_seconds`; `run` is the only way in."""

    def __init__(self, size: int = 2, job_seconds: float = JOB_SECONDS, memory_mib: int = MEMORY_MIB,
                 cache_bytes: int = CACHE_BYTES) -> None:
        self.size = size
        self.job_seconds = job_seconds
        self.memory_mib = memory_mib
        self.cache = Cache(cache_bytes)
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.workers: set[Worker] = set()
        self.idle: asyncio.Queue = asyncio.Queue()  # bound to the server's event loop when first used
        self.compiling = asyncio.Semaphore(COMPILING)
        self.tasks: set[asyncio.Task] = set()
        self.closed = False

    def start(self) -> None:
        """The workers started and warm, before the server listens; a `RuntimeError` saying why not."""
        with ThreadPoolExecutor(self.size) as starting:
            started = [starting.submit(self._spawn) for _ in range(self.size)]
        problems = [future.exception() for future in started if future.exception() is not None]
        if problems:
            for worker in list(self.workers):
                self._kill(worker)
            raise RuntimeError(str(problems[0]))
        for future in started:
            self.idle.put_nowait(future.result())

    async def run(self, endpoint: str, body: object, key: str, gone=None):
        """The answer to a job: from the cache, or from the next free worker (answers.Answer). What a worker
        answered and lived through is kept in the cache; a job that ran out of time or lost its worker is not.
        `gone()` (awaited once a worker is free): the client has gone away meanwhile, and the job is dropped
        (the page sends a request per keystroke and drops those it no longer wants)."""
        cached = self.cache.get((endpoint, key))
        if cached is not None:
            return cached
        worker = await self.idle.get()
        while not worker.process.is_alive():  # died while idle (killed from outside): replaced, not asked
            self._replace(worker)
            worker = await self.idle.get()
        if gone is not None and await gone():
            self.idle.put_nowait(worker)
            return failed("derive: error: request: the client went away before a worker was free", 499)
        keep = False
        try:
            answer, keep = await self._ask(worker, endpoint, body)
        finally:
            if keep:
                self.idle.put_nowait(worker)
            else:
                self._replace(worker)
        if answer is None:
            return failed(f"derive: error: {budget.over_time(f'{self.job_seconds:g} s')}")
        kept = keep and answer.status != 500  # not a bug's answer
        if answer.compile:
            answer = await self._compile(answer)
            kept = kept and answer.status == 200  # nor a compilation that failed (TeX missing, say)
        if kept:
            self.cache.put((endpoint, key), answer)
        return answer

    async def _ask(self, worker: Worker, endpoint: str, body: object):
        """(answer, the worker can go on); None for the answer when the time ran out."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            worker.conn.send((endpoint, body))
            await asyncio.wait_for(ready, self.job_seconds)
        except TimeoutError:
            return None, False
        except (OSError, EOFError):
            pass  # a worker gone before the job reached it: said below
        finally:
            loop.remove_reader(fd)
        try:
            answer, alive = worker.conn.recv()
        except (OSError, EOFError):
            await asyncio.to_thread(worker.process.join, 5)
            code = worker.process.exitcode
            return failed(f"derive: error: the worker stopped ({_how(code)}) and was replaced "
                          "(the input is too large or too complex)"), False
        return answer, alive

    async def _compile(self, answer):
        from ..presentation.pdf import compile_tex
        from ..commands import error_line
        from ..errors import DeriveError

        async with self.compiling:
            try:
                pdf = await asyncio.to_thread(compile_tex, answer.body.decode("utf-8"))
            except DeriveError as error:
                return failed(error_line(error))
        return answer._replace(body=pdf, compile=False)

    def _replace(self, worker: Worker) -> None:
        """Kill the worker (it may be running a job) and start another in its place, in the background."""
        self._kill(worker)
        if not self.closed:
            task = asyncio.get_running_loop().create_task(self._add())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _add(self) -> None:
        while not self.closed:
            try:
                worker = await asyncio.to_thread(self._spawn)
            except (OSError, RuntimeError, EOFError) as error:
                print(f"derive: warning: serve: a worker did not start ({error}); trying again", file=sys.stderr)
                await asyncio.sleep(1.0)
                continue
            if self.closed:
                self._kill(worker)
                return
            self.idle.put_nowait(worker)
            return

    def _spawn(self) -> Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=work, args=(child, self.memory_mib), name="derive-worker", daemon=True)
        process.start()
        child.close()
        worker = Worker(process, parent)
        self.workers.add(worker)
        try:
            said = parent.recv() if parent.poll(STARTUP_SECONDS) else f"no answer within {STARTUP_SECONDS:g} s"
        except (EOFError, OSError):
            process.join(5)
            said = f"it stopped ({_how(process.exitcode)})"
        if said != "ready":
            self._kill(worker)
            raise RuntimeError(said)
        return worker

    def _kill(self, worker: Worker) -> None:
        self.workers.discard(worker)
        try:
            worker.process.kill()
            worker.process.join(5)
        except (OSError, ValueError, AssertionError):
            pass
        worker.conn.close()

    async def close(self) -> None:
        """Every worker ended (the fork server ends with the server)."""
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        for worker in list(self.workers):
            self._kill(worker)


def _how(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"
