"""One module per feature: screening, assessment, register, eligibility."""
