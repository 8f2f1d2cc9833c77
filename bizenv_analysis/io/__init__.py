"""Reading and writing: the corpus's sources.csv and raw files, the all-or-nothing writer of the
output folder, and built tables read back. Modules here may import `base` only."""
