#!/usr/bin/env python3
"""Keras fixture generator (spec/fixture-format.md). Run through scripts/keras-env.sh (pinned venv).

  generate                      whole corpus -> fixtures/ (+ manifest, worked example, model files)
  verify                        regenerate a sample of every family and compare with fixtures/ (§7)
  cases --cases FILE --out DIR  fixtures for a user's own case list (scripts/README.md)
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
    parser = argparse.ArgumentParser(prog="generate_fixtures.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="regenerate the whole corpus into fixtures/")
    g.add_argument("--out", default=None, help="fixtures directory (default: <repo>/fixtures)")
    g.add_argument("--family", action="append", help="only these families (repeatable, e.g. masking, gru/masking, "
                   "simple_rnn/legacy); the manifest is rebuilt")
    g.add_argument("--models", action="store_true", help="with --family: also the model files and models.json "
                   "(an unchanged file is kept)")
    v = sub.add_parser("verify", help="regenerate a sample and compare with the committed corpus")
    v.add_argument("--fixtures", default=None)
    v.add_argument("--strict", action="store_true", help="fail on any float difference, even within the noise bound")
    c = sub.add_parser("cases", help="fixtures for a user case list")
    c.add_argument("--cases", required=True, help="JSON case list (scripts/README.md)")
    c.add_argument("--out", required=True, help="output directory")
    c.add_argument("--no-jax", action="store_true", help="skip the JAX comparison run")
    args = parser.parse_args(argv)

    if args.command == "cases":
        from keras_fixtures.user_cases import main_cases
        return main_cases(args.cases, args.out, with_jax=not args.no_jax)

    if os.environ.get("KERAS_BACKEND") != "tensorflow":
        print("error: the canonical run needs KERAS_BACKEND=tensorflow (spec/fixture-format.md §1)", file=sys.stderr)
        return 2
    if args.command == "generate":
        from keras_fixtures.corpus import generate
        return generate(args.out, args.family, models=args.models)
    from keras_fixtures.verify import verify
    return verify(args.fixtures, strict=args.strict)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
