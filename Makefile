# Shortcuts; the README's two commands are scripts/run.sh and scripts/test.sh.
.PHONY: run test bench lint

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

lint:
	.venv/bin/ruff check tierdesk bench

bench:
	bash scripts/bench.sh
