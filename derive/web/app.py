"""The server of `derive serve`: the routes (Starlette), the checks every request passes, and uvicorn.

Routes: `GET /` the page (templates/web/page.html.j2, rendered once when the server starts), `/static/`
its script, styles and fonts (read once, answered from memory), `GET /healthz`, `GET /api/list` (the
catalog, also rendered once), and the jobs `POST /api/show`, `/api/check`, `/api/page`, `/api/list`, each
answered by a worker (pool.py, jobs.py). Every request passes, outermost first: the Host check (only the
names this server is meant to be reached by: no DNS rebinding; 400), the body limit (`MAX_BODY` bytes,
declared or streamed; 413), and gets the security headers (a strict content security policy: no inline
script). A body that is not a JSON object of UTF-8 text is answered 422 here, before any worker sees it.
Errors are JSON, `{"error": "derive: error: …"}`, one line as the command prints it. Nothing a client
sends is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import mimetypes
import socket
import sys
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..commands import printable
from ..conventions import CONVENTIONS
from ..errors import InputError, ToolError
from .answers import Answer, failed
from .pool import MEMORY_MIB, Pool

MAX_BODY = 256 * 1024  # bytes of a request's body
LOCAL = ("127.0.0.1", "localhost", "[::1]")  # always allowed in the Host header
ANY = ("0.0.0.0", "::", "")  # --host values that name no host
STATIC = Path(__file__).resolve().parent / "static"
PAGE = "web/page.html.j2"
HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
                                 b"base-uri 'none'; frame-ancestors 'none'; form-action 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
JOBS = ("show", "check", "page", "list")


def send(answer: Answer) -> Response:
    return Response(answer.body, answer.status, media_type=answer.media)


def error(line: str, status: int) -> Response:
    return send(failed(line, status))


def request_error(what: str, status: int = 422) -> Response:
    return error(f"derive: error: request: {printable(what)}", status)


def tex() -> tuple[bool, str]:
    """Can this server compile PDFs, and if not what to install (the words of the command's exit-3 error)."""
    from ..presentation.pdf import MISSING, tex_available

    available = tex_available()
    return available, "" if available else MISSING


def page(tex_state: tuple[bool, str], listing: str) -> str:
    from ..presentation.templating import get_template

    available, hint = tex_state
    return get_template(PAGE, "html").render(version=__version__, targets=json.loads(listing),
                                             conventions=list(CONVENTIONS), tex=available, tex_hint=hint)


def create_app(pool: Pool, hosts: tuple[str, ...] = LOCAL) -> "Guard":
    """The ASGI application: the routes behind the Host check, the body limit and the headers."""
    from ..presentation.listing import render_list

    listing = render_list("json")
    tex_state = tex()
    html = page(tex_state, listing)

    async def index(request: Request) -> Response:
        return HTMLResponse(html)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True, "version": __version__, "tex": tex_state[0], "tex_hint": tex_state[1]})

    async def builtins(request: Request) -> Response:
        return Response(listing, media_type="application/json")

    async def job(endpoint: str, request: Request) -> Response:
        data = await request.body()
        try:
            body = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as problem:
            return request_error(f"not UTF-8 text (byte {problem.start})")
        except json.JSONDecodeError as problem:
            return request_error(f"not JSON ({problem.msg}: line {problem.lineno} column {problem.colno})")
        except RecursionError:
            return request_error("JSON nested too deeply")
        if not isinstance(body, dict):
            return request_error("a JSON object is expected")
        key = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return send(await pool.run(endpoint, body, key, request.is_disconnected))

    @contextlib.asynccontextmanager
    async def lifespan(app):  # the pool is started before the server listens (serve); ended with it
        try:
            yield
        finally:
            await pool.close()

    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/api/list", builtins, methods=["GET"]),
        *(Route(f"/api/{name}", partial(job, name), methods=["POST"]) for name in JOBS),
        Route("/static/{path:path}", static_route(STATIC)),
    ]

    async def refused(request: Request, problem: HTTPException) -> Response:  # 404, 405: JSON like every error
        return request_error(f"{request.method} {request.url.path}: {str(problem.detail).lower()}", problem.status_code)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: refused})
    return Guard(BodyLimit(app), hosts)


def static_route(folder: Path):
    """`/static/<path>`: the files under `folder` (the page's script, styles, KaTeX and its fonts: 800 KB),
    read once when the server starts and answered from memory: a page's first load asks for six at once, and
    answering each from a thread of its own (Starlette's StaticFiles) took 100-400 ms on a busy machine.
    Only the files found there are answered (a path is a key, never joined to the folder); each with its
    ETag, revalidated (`no-cache`), so that a reload after an upgrade gets the new files."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            media = mimetypes.guess_type(path.name)[0] or "text/plain"
            if media.startswith("text/") or media == "application/javascript":
                media += "; charset=utf-8"
            files[path.relative_to(folder).as_posix()] = (data, media, f'"{hashlib.sha256(data).hexdigest()[:20]}"')

    async def static(request: Request) -> Response:
        found = files.get(request.path_params["path"])
        if found is None:
            return request_error(f"{request.method} {request.url.path}: not found", 404)
        data, media, tag = found
        headers = {"ETag": tag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=media, headers=headers)

    return static


class Guard:
    """The Host check and the security headers on every answer (pure ASGI)."""

    def __init__(self, app, hosts: tuple[str, ...]) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def headed(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        host = hostname(dict(scope["headers"]).get(b"host", b"").decode("latin-1"))
        if host not in self.hosts:
            answer = request_error(f"the Host {host!r} is not this server's (derive serve --allow-host NAME)", 400)
            return await answer(scope, receive, headed)
        await self.app(scope, receive, headed)


def hostname(header: str) -> str:
    """The name in a Host header, without the port: `[::1]:8000` → `[::1]`, `Localhost:80` → `localhost`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[:header.find("]") + 1] if "]" in header else header
    return header.partition(":")[0]


class BodyLimit:
    """At most `MAX_BODY` bytes of body, by its Content-Length or as it streams in (chunked); more is 413.
    The body is read whole before the route sees it (so a refusal is always this one answer)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        too_large = error(f"derive: error: request: larger than {MAX_BODY:,} bytes", 413)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            return await too_large(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return await too_large(scope, receive, send)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        given = False

        async def replay():
            nonlocal given
            if not given:
                given = True
                return whole
            return await receive()

        await self.app(scope, replay, send)


def allowed_hosts(host: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    """Who may be named in the Host header: the local names, `--host` when it names one, `--allow-host`."""
    named = () if host in ANY else (f"[{host}]" if ":" in host and not host.startswith("[") else host,)
    return (*LOCAL, *named, *(hostname(h) or h for h in extra))


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, allow: tuple[str, ...] = (),
          workers: int = 2, job_seconds: float = 2.0, worker_mib: int | None = None) -> None:
    """Run the server until Ctrl-C: the listening line on standard error once the socket is bound."""
    import uvicorn

    sock = bound_socket(host, port)
    pool = Pool(workers, job_seconds, worker_mib or MEMORY_MIB)
    try:
        pool.start()
    except (RuntimeError, OSError, EOFError) as problem:
        sock.close()
        raise ToolError(f"the workers did not start: {problem or type(problem).__name__}", "serve") from None
    app = create_app(pool, allowed_hosts(host, allow))
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, http="h11",
                            ws="none", lifespan="on", server_header=False)

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            if self.should_exit or not self.servers:
                return
            address = url(host, self.servers[0].sockets[0].getsockname()[1])
            print(f"derive: serving on {address}", file=sys.stderr, flush=True)
            if open_browser:
                import webbrowser

                asyncio.get_running_loop().run_in_executor(None, webbrowser.open, address)

    Server(config).run(sockets=[sock])


def bound_socket(host: str, port: int) -> socket.socket:
    """A socket bound to the address (uvicorn listens on it), or one error line: in use, not an address."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except (OSError, UnicodeError) as problem:
        raise InputError(f"cannot listen there: {getattr(problem, 'strerror', None) or problem}",
                         f"--host {host} --port {port}") from None
    sock.set_inheritable(True)
    return sock
