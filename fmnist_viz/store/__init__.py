"""The store: everything fmnist-viz keeps on disk between runs, and how it writes files.

- :mod:`.cache`: computed arrays by kind (prepared data, graphs, embeddings, quality, image sheets, held-out
  placements), each entry checked when read, and the decoded data sets;
- :mod:`.atomic`: writes through a temporary file and a rename, so nothing half-written is left behind;
- :mod:`.unchanged`: the records of the files written, so a rerun leaves identical files be;
- :mod:`.paths`: where the cache and the default output folder are.
"""
