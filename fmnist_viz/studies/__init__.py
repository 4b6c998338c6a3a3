"""Studies built on the pipeline: many embeddings planned as one, run, and compared.

- :mod:`.sweeps`: one method over a grid of parameter values and seeds (:func:`sweep`), checked before any work;
- :mod:`.heldout`: fit on the training images, place the test images, score them (:func:`heldout`).

Their files are written by :mod:`fmnist_viz.outputs`.
"""
