# Two commands for everybody:  `make lab` (students) and `make test` (maintainers, CI).
# Both create the virtual environment in .venv on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
# kernels of the course's environment win over any user-wide "python3" kernel
export JUPYTER_PREFER_ENV_PATH := 1

LECTURES := $(notdir $(wildcard solutions/[0-9][0-9]_*))

.PHONY: lab test install release lint format bench clean-venv

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $@

## Students: copy the released notebooks into work/ (never overwriting your own) and open JupyterLab.
lab: $(STAMP)
	$(BIN)/python -m course_lib.workspace sync notebooks work
	$(BIN)/jupyter lab --ServerApp.root_dir=work $(if $(filter 0,$(shell id -u)),--allow-root)

## Maintainers and CI: lint, unit tests, nbgrader round trips, nbval over solutions/.
test: $(STAMP)
	$(BIN)/ruff check course_lib tests solutions benchmarks assets
	$(BIN)/ruff format --check course_lib tests solutions benchmarks assets
	$(BIN)/python -m pytest tests solutions --nbval-lax --nbval-current-env -p no:cacheprovider

## Instructors: regenerate notebooks/ (student versions) from solutions/.
release: $(STAMP)
	$(BIN)/python -m course_lib.release

lint: $(STAMP)
	$(BIN)/ruff check course_lib tests solutions benchmarks assets

format: $(STAMP)
	$(BIN)/ruff format course_lib tests solutions benchmarks assets
	$(BIN)/ruff check --fix course_lib tests solutions benchmarks assets

bench: $(STAMP)
	$(BIN)/python benchmarks/conv_vs_torch.py
	$(BIN)/python benchmarks/notebook_times.py

clean-venv:
	rm -rf $(VENV)
