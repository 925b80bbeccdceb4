"""Analyses built on the models and the sweep engine (sensitivity: Sobol and Morris indices)."""
