"""Numbers and names the whole study shares: the significance level, the seeds, the number of
resamples, and the source id reserved for "every source"."""

ALPHA = 0.05  # a finding is supported when its test's p (or BH q) is below this
CONFIDENCE = 0.95  # of every interval
N_RESAMPLES = 2000  # shuffles of a permutation test, draws of a bootstrap
RESAMPLE_SEED = 20261130  # of the shuffles and the bootstrap draws
CLUSTER_SEED = 20261122  # of the clusterings and their stability check
SAMPLE_SEED = 20261122  # of the validation sample drawn for hand coding
# The source_id that names every source together in the tables ("all" rows); sources.csv may not use it.
RESERVED_ID = "all"
