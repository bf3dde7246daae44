PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
# The MCP Bundle CLI, pinned; npx fetches it from the npm registry on first use.
MCPB ?= npx --yes @anthropic-ai/mcpb@2.1.2
# What Claude Desktop needs to run the bundle with uv: the manifest and the project itself.
BUNDLE_FILES := manifest.json pyproject.toml README.md LICENSE sinch_provisioning_mcp
BUNDLE_STAGE ?= build/bundle
BUNDLE ?= dist/sinch-provisioning-mcp-$(VERSION).mcpb

.PHONY: demo test bench install bundle clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sinch-provisioning-mcp demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# One table of ratios to comparisons measured in the same run (also in build/bench.json);
# fails when a target is missed. Under 5 minutes on 2 cores.
bench: $(STAMP)
	$(BIN)/python -m pytest -q benchmarks

# The Claude Desktop bundle (.mcpb), packed from an explicit list so nothing else slips in.
bundle:
	rm -rf $(BUNDLE_STAGE)
	mkdir -p $(BUNDLE_STAGE) $(dir $(BUNDLE))
	cp -R $(BUNDLE_FILES) $(BUNDLE_STAGE)/
	find $(BUNDLE_STAGE) -name __pycache__ -prune -exec rm -rf {} +
	$(MCPB) pack $(BUNDLE_STAGE) $(BUNDLE)

clean:
	rm -rf $(VENV) build dist *.egg-info
