# make demo   the slide example, every format, into out/; a class's problems, solutions, key and grades into
#             out/course/; how to start `derive serve`, and the page's screenshots
# make test   the whole test suite (PyTorch and Keras included)
# make bench  timings against the import floor, torchinfo and Keras, and derive exercise for a class of 150,
#             into bench/RESULTS.md; the adversarial corpus's slowest and largest cases into bench/ADVERSARIAL.md;
#             own work from 100 to 1,000 layers of issue 13's inputs into bench/GROWTH.md; derive serve's
#             answers and first paint into bench/SERVE.md
# Each target creates .venv on first use; nothing needs installing by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export KERAS_BACKEND := torch
export PIP_DISABLE_PIP_VERSION_CHECK := 1

SLIDE := mobilenetv2-block --set C_in=3 --set t=6 --set C_out=3
CLASS := mobilenetv2-block --vary C_in=3..32 --vary t=2,4,6 --vary C_out=C_in..2*C_in --students examples/course/roster.csv --seed 2026 -o out/course

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml tests/requirements.txt tests/requirements-nodeps.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,web]' -r tests/requirements.txt
	$(BIN)/pip install --quiet --no-deps -r tests/requirements-nodeps.txt
	touch $@ $(VENV)/.runtime

$(VENV)/.demo: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web]' playwright==1.65.2
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime $(VENV)/.demo
	@mkdir -p out
	$(BIN)/derive list
	$(BIN)/derive show $(SLIDE)
	$(BIN)/derive show $(SLIDE) -o out/mobilenetv2-block.txt
	$(BIN)/derive show $(SLIDE) --format json -o out/mobilenetv2-block.json
	$(BIN)/derive show $(SLIDE) --format markdown -o out/mobilenetv2-block.md
	$(BIN)/derive show $(SLIDE) --format latex -o out/mobilenetv2-block.snippet.tex
	$(BIN)/derive show $(SLIDE) --format tex -o out/mobilenetv2-block.tex
	$(BIN)/derive show $(SLIDE) --format slide -o out/mobilenetv2-block.slide.tex
	$(BIN)/derive show $(SLIDE) --format svg -o out/mobilenetv2-block.svg
	-$(BIN)/derive show $(SLIDE) --format pdf -o out/mobilenetv2-block.pdf   # needs TeX: see README
	$(BIN)/derive show $(SLIDE) --convention keras --option bias=true -o out/mobilenetv2-block-keras-bias.txt
	$(BIN)/derive exercise $(CLASS) || $(BIN)/derive exercise $(CLASS) --no-pdf   # the PDFs need TeX
	$(BIN)/derive grade out/course/key.json examples/course/answers.csv -o out/course/grades \
	  || $(BIN)/derive grade out/course/key.json examples/course/answers.csv -o out/course/grades --no-pdf
	$(BIN)/derive plot mobilenetv2-block --x t=1..8 --series C_in=16,32,64 --set C_out=32 -o out/course/bottleneck-t.tex
	-$(BIN)/derive plot mobilenetv2-block --x t=1..8 --series C_in=16,32,64 --set C_out=32 --format pdf -o out/course/bottleneck-t.pdf
	@echo "the page, in two commands:  pip install -e '.[web]'"
	@echo "                            derive serve     # then open http://127.0.0.1:8000/"
	-$(BIN)/python examples/serve_screenshots.py out/   # needs chromium: see README
	@echo "wrote: $$(ls out | tr '\n' ' ')"

test: $(VENV)/.test
	$(BIN)/python -m pytest -q

$(VENV)/.bench: pyproject.toml bench/requirements.txt tests/requirements.txt tests/requirements-nodeps.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,web]' -r tests/requirements.txt -r bench/requirements.txt
	$(BIN)/pip install --quiet --no-deps -r tests/requirements-nodeps.txt
	touch $@ $(VENV)/.test $(VENV)/.runtime

bench: $(VENV)/.bench
	$(BIN)/python bench/run.py --write bench/RESULTS.md
	$(BIN)/python bench/exercise.py --write bench/RESULTS.md
	$(BIN)/python bench/adversarial.py --write bench/ADVERSARIAL.md
	$(BIN)/python bench/growth.py --write bench/GROWTH.md
	$(BIN)/python bench/serve.py --write bench/SERVE.md

clean:
	rm -rf $(VENV) out/* .pytest_cache
