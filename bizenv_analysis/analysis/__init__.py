"""Analysis: clusters, the policy-instrument coder, comparisons with their uncertainty, inference,
validation, networks, the PMC index and the findings. Modules here may import `base`, `io`, `rules` and
`text`."""
