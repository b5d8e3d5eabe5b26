# Quick start: `make serve` runs the service, `make test` runs the tests. Both do all set-up first.
SWIFT ?= swift
RELEASE_BIN = .build/release/warden
DEBUG_BIN = .build/debug/warden

.PHONY: setup model test serve release bench clean

setup:
	./scripts/setup.sh

release: setup
	$(SWIFT) build -c release --product warden

# Both bases: the tests check the multilingual tokenizer and encoder against golden cases (skipped outside CI
# when the base is absent, failures under CI=true).
model: setup
	$(SWIFT) build --product warden
	$(DEBUG_BIN) model fetch
	$(DEBUG_BIN) model fetch --base multilingual-e5-small

test: model
	$(SWIFT) test

# The default deployment, which `warden serve` runs when no model is named: 1.4.0 for English, the multilingual
# bundle for the seven other Llama Guard 3 languages (Docs/multilingual.md; the rule that made it the default is in
# Docs/training.md).
serve: release
	$(RELEASE_BIN) model fetch
	$(RELEASE_BIN) model fetch --base multilingual-e5-small
	$(RELEASE_BIN) serve

bench: release
	$(RELEASE_BIN) model fetch
	$(RELEASE_BIN) bench encoder

clean:
	rm -rf .build
