.PHONY: run test lint setup bench

run:  ## Set up, start Redis if none answers, load a demo archive, start API + worker
	scripts/run.sh

test:  ## Set up, then run the tests (they start their own Redis and workers)
	scripts/setup.sh
	.venv/bin/python -m pytest

bench:  ## Set up, then benchmark a private stack (own Redis, worker, API) against baselines
	scripts/setup.sh
	.venv/bin/python scripts/bench_service.py

lint:
	.venv/bin/ruff check .

setup:
	scripts/setup.sh
