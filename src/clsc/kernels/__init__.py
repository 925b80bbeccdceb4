"""Numba kernels: arrays and scalars in, preallocated arrays out. Validation lives in callers."""

from clsc.kernels.loss import (
    LEFTOVER,
    LEFTOVER_SQ,
    SHORTAGE,
    SHORTAGE_SQ,
    loss_sums_brute,
    loss_sums_sorted,
)

__all__ = [
    "LEFTOVER",
    "LEFTOVER_SQ",
    "SHORTAGE",
    "SHORTAGE_SQ",
    "loss_sums_brute",
    "loss_sums_sorted",
]
