"""Compose your own figure: draw an embedding into an Axes of your own layout."""

import matplotlib.pyplot as plt

import fmnist_viz as fv

(result,) = fv.run(["tsne"], ["fashion"], n=5_000, seed=0)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5))
fv.plot_embedding(result.embedding, result.labels, result.class_names, ax=left, title="t-SNE, 5,000 points")
right.hist(result.embedding[:, 0], bins=50)
right.set_title("first coordinate")
fig.savefig("tsne_panel.png", dpi=150, bbox_inches="tight")
