#!/usr/bin/env bash
# Run a command inside the converter routes' venv (.venv-converters at the repo root), creating or
# refreshing it first — kept apart from .venv so the main venv stays small (spec/porting.md §17).
#   bash scripts/converters-env.sh python conformance/engines/converters/engine.py tf2onnx-ort
# The venv is (re)installed only when the requirements change: a stamp file holds their sha256.
# tf-keras goes in with --no-deps, as in scripts/keras-env.sh: its metadata asks for the full
# `tensorflow` wheel, which would land over tensorflow-cpu.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="${CONVERTERS_VENV:-$root/.venv-converters}"
stamp="$venv/.converters-env-stamp"
python="${KERAS_ENV_PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3

want="$(cat "$here/requirements-converters.txt" "$here/requirements-legacy.txt" | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"

if [ ! -x "$venv/bin/python" ] || [ "$want" != "$have" ]; then
  echo "converters-env: installing pinned requirements into $(basename "$venv") (first run takes a few minutes)" >&2
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-converters.txt" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$here/requirements-legacy.txt" >&2
  echo "$want" > "$stamp"
fi

export KERAS_BACKEND=tensorflow
export TF_CPP_MIN_LOG_LEVEL=3
export TF_ENABLE_ONEDNN_OPTS=0
export CUDA_VISIBLE_DEVICES=""
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export PATH="$venv/bin:$PATH"
cd "$root"
exec "$@"
