"""Shared basics: the project's folders, the build's errors and signals, and the workers that run a
stage on every core or on a Dask cluster. Modules here import nothing of the package outside `base`."""
