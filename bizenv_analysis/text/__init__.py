"""The text stages: cleaning, measures, tokens, the codebook coder, and the extraction of targets,
references and formulas. Modules here may import `base`, `io` and `rules`."""
