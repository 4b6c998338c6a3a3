"""An interactive page of UMAP on a 10,000-point subsample, for a quick look in a browser."""

import fmnist_viz as fv

results = fv.run(["umap"], ["fashion", "mnist"], n=10_000, seed=0)
print(*fv.save_results(results, "umap-10k", "html"), sep="\n")
