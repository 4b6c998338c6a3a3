"""The built-in embedders: PCA, t-SNE (openTSNE or scikit-learn), UMAP and PyMDE, a module each.

Each takes the shared :class:`~fmnist_viz.embed.prepare.Prepared` data and uses its
PCA and its k-NN graph instead of recomputing them; each imports its library
only when it runs, and places new points into its fitted layout through its
library's own mechanism (:mod:`fmnist_viz.embed.place`).
"""

from .pca import PCAEmbedder
from .pymde import PyMDEEmbedder
from .tsne import TSNEEmbedder
from .umap import UMAPEmbedder

__all__ = ["PCAEmbedder", "TSNEEmbedder", "UMAPEmbedder", "PyMDEEmbedder"]
