"""The course kit: a problem per student and its worked solution (`derive exercise`), grading of the
students' answers (`derive grade`), and figures for slides (`derive plot`).

`ranges` reads `--vary` / `--x` / `--series` ranges with the safe parser and draws the variants; `tables`
reads and writes the CSV files (bounded, and safe to open in a spreadsheet). Each command is one module,
imported only when it runs.
"""
