"""The tolerance every gradient case's `tolerance` field is written from (spec/gradients.md §6.3).

The numbers are the forward policy's (tolerance.py, spec/tolerance.md §4), measured separately for
gradients (spec/gradients.md §6.2); if either measurement moves, this is where the two policies part.
Read by the gradient rule: |g - e| <= atol * max(1, max |e| over that tensor) + rtol * |e| (mirrored by
conformance/gradients/tolerance.ts).
"""
from __future__ import annotations

from .tolerance import policy

__all__ = ["policy"]
