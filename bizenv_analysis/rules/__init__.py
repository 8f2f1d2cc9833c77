"""Rules: the lexicon that finds, checks and parses every rule file, the bound on a regex's
backtracking, and the names set aside from vocabulary comparisons. Modules here may import `base` and
`io`; the lexicon's imports of the stages it parses for are known exceptions (tests/test_architecture.py)."""
