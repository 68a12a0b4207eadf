"""`derive serve`: a local web page and a JSON API over the same derivations as the command line.

An optional extra (`pip install 'derive[web]'`: Starlette and uvicorn); the core never imports this
package. The page is `templates/web/page.html.j2` with its styles inlined (`page.css.j2`), its script (and the
vendored KaTeX and markdown-it) under `static/`; no build step, nothing fetched from elsewhere.
"""
