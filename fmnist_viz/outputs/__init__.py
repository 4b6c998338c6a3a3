"""Writers: results, pages, sweeps, held-out tables and image maps as files, each written atomically and named
by what differs from the defaults (:mod:`fmnist_viz.naming`).

Writers are handed what they draw: the aligned, measured copies come from :mod:`fmnist_viz.pipeline.measure`,
so no writer computes a quality number. :mod:`.embeddings` (:func:`save_results`), :mod:`.explorer` (the
interactive page), :mod:`.sweeps`, :mod:`.heldout`, :mod:`.image_maps`, and :mod:`.files`, what they share.
"""
