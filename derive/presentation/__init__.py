"""Presentation: a derivation (or a check's verdict, or the catalog) written out.

`formats` (what each output format shows) → `views` (the model printed into plain data, with
`printing`, `diagram`, `explain`) → `templating` + `escaping` (Jinja, escaped by output format) or
`json` (the one JSON builder) → `render` (the entry points), `pdf` (TeX), `notebook` (Jupyter),
`listing` (`derive list`, without sympy), `verdicts` (the view of `derive check`).

The model (derive.derivation and below) never imports this package.
"""
