"""How good is an embedding: every measure as a pure function of arrays (nothing here loads, caches or draws).

- :mod:`.metrics`: trustworthiness, k-NN accuracy, neighbourhood preservation, explained variance, tables;
- :mod:`.pointwise`: the same questions point by point (disagreement with the neighbours' labels, preservation);
- :mod:`.align`: Procrustes alignment of one method's layout onto another's.

:mod:`fmnist_viz.pipeline.measure` applies them to results, cached beside each embedding.
"""
