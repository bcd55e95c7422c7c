#!/usr/bin/env python3
"""Keras gradient fixture generator (spec/gradients.md §5). Run through scripts/keras-env.sh (pinned venv).

  generate [--cell lstm]   the gradient corpus -> fixtures/keras3/gradients/<cell>.json (+ manifest)
  verify [--strict]        regenerate the first and last case of every family and compare with fixtures/
  measure                  the TF-vs-JAX gradient spread against sequence length (spec/gradients.md §6.2)
"""
from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="generate_gradients.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="regenerate the gradient corpus into fixtures/")
    g.add_argument("--out", default=None, help="fixtures directory (default: <repo>/fixtures)")
    g.add_argument("--cell", action="append", choices=["lstm", "gru", "simple_rnn"], help="only these cells (repeatable)")
    g.add_argument("--no-jax", action="store_true", help="skip the JAX comparison run")
    v = sub.add_parser("verify", help="regenerate a sample and compare with the committed gradient corpus")
    v.add_argument("--fixtures", default=None)
    v.add_argument("--strict", action="store_true", help="fail on any float difference, even within the noise bound")
    sub.add_parser("measure", help="print the TF-vs-JAX gradient spread for T = 1 .. 1000")
    args = parser.parse_args(argv)
    if os.environ.get("KERAS_BACKEND") != "tensorflow":
        print("error: the canonical run needs KERAS_BACKEND=tensorflow (spec/gradients.md §5)", file=sys.stderr)
        return 2
    from keras_fixtures import gradient_corpus
    if args.command == "generate":
        return gradient_corpus.generate(args.out, args.cell, with_jax=not args.no_jax)
    if args.command == "verify":
        return gradient_corpus.verify(args.fixtures, args.strict)
    return gradient_corpus.measure()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
