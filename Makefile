.PHONY: run test check-ops lint setup bench bench-load bench-archive bench-backfill bench-replication eval eval-date-libraries train-ner train-ner-encoder train-consequence train-category-head train-categories train-dates train-topics build-encoder drills

run:  ## Set up, start Redis if none answers, load a demo archive, start API + worker
	scripts/run.sh

test:  ## Set up, check the ops files (promtool, compose), then run the tests (they start their own Redis and workers)
	scripts/setup.sh
	scripts/check_ops.sh
	.venv/bin/python -m pytest

check-ops:  ## Only the ops files: Prometheus rules (promtool check and unit tests), its config, docker-compose.yml
	scripts/check_ops.sh

bench:  ## Set up, then benchmark a private stack (own Redis, worker, API) against baselines
	scripts/setup.sh
	.venv/bin/python scripts/bench_service.py

bench-load:  ## Set up, then load-test the API with wrk and soak 10,000 articles through the stack
	scripts/setup.sh
	command -v wrk >/dev/null || apt-get install -y wrk
	.venv/bin/python scripts/bench_load.py --json docs/bench-load.json

bench-archive:  ## Set up, then the archive store at 1,000,000 articles: memory, index writes/s, lookup latency (one Redis and a cluster)
	scripts/setup.sh
	.venv/bin/python scripts/bench_archive.py --json docs/bench-archive.json

bench-backfill:  ## Set up, then time a CLI import of 3,000 gva_news articles with one and two worker processes
	scripts/setup.sh
	.venv/bin/python scripts/bench_backfill.py --json docs/bench-backfill.json

bench-replication:  ## Set up, then what REDIS_WAIT_REPLICAS=1 costs an accepted POST (master, replica, three sentinels)
	scripts/setup.sh
	.venv/bin/python scripts/bench_replication.py --json docs/bench-replication.json

eval:  ## Quality and speed of the system beside its baselines on ../shared/data (one table)
	scripts/setup.sh
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python -m evaluation --json docs/eval-results.json

eval-date-libraries:  ## PyPI date taggers beside ours on TempEval-3 (installs the optional [dates] extra)
	scripts/setup.sh
	.venv/bin/python -m pip install --quiet -e '.[dates]'
	.venv/bin/python -m evaluation.date_libraries

train-ner:  ## Retrain the CoNLL-2003 NER model and rebuild its wheel (about 10 minutes)
	scripts/setup.sh
	.venv/bin/python -m pip install --quiet wheel
	bash training/ner/train.sh

train-ner-encoder:  ## Fine-tune the encoder's name tagger on CoNLL-2003 and rebuild its wheel (own venv with PyTorch; ~20 min)
	bash training/ner_encoder/train.sh

train-consequence:  ## Retrain the consequence model (causal, look-ahead and category heads) and rebuild its wheel (own venv with PyTorch; ~25 min)
	bash training/consequence/train.sh

train-category-head:  ## Refit the category head of the consequence model and rebuild its wheel (own venv with PyTorch; ~5-15 min)
	bash training/categories/encoder_head.sh

train-categories:  ## Retrain the stem category classifier, the category head's baseline (own venv with PyTorch; ~10 min)
	bash training/categories/train.sh

train-dates:  ## Refit the timeline date model on Timeline17's dev stories (enrich/date_ranker.json; seconds with the eval cache)
	scripts/setup.sh
	.venv/bin/python -m training.dates.train

train-topics:  ## Refit the IPTC Media Topics classifier (enrich/topic_weights.json.gz; ~4 min, embeddings cached in .cache/topics)
	scripts/setup.sh
	OMP_NUM_THREADS=2 .venv/bin/python -m training.topics.train

build-encoder:  ## Rebuild the encoder's wheel (all-MiniLM-L6-v2 as ONNX int8; own venv with PyTorch)
	bash training/encoder/build.sh

drills:  ## Only the fault drills (they also run in make test; see README: Tests)
	scripts/setup.sh
	.venv/bin/python -m pytest -m drill

lint:
	.venv/bin/ruff check .

setup:
	scripts/setup.sh
