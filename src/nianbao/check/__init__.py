"""Check stage: rules from the catalogue applied to a dataset, giving findings."""
