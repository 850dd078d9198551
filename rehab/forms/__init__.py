"""Forms of the rehabilitation pages, one module per feature."""
