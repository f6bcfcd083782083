.PHONY: run test lint setup

run:  ## Set up, start Redis if none answers, load a demo archive, start API + worker
	scripts/run.sh

test:  ## Set up, then run the tests (they start their own Redis and workers)
	scripts/setup.sh
	.venv/bin/python -m pytest

lint:
	.venv/bin/ruff check .

setup:
	scripts/setup.sh
