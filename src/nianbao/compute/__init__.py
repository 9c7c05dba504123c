"""Compute stage: indicators from the catalogue evaluated on a dataset, giving facts."""
