"""The rendering layer: static figures, interactive pages, sample grids, and what they share.

- :mod:`.style`: class colours, styles, panel titles (shared by both renderers);
- :mod:`.scatter`: static matplotlib figures (PNG, SVG, PDF);
- :mod:`.page`: the self-contained interactive Plotly page (script and CSS in ``assets/``);
- :mod:`.grids`: per-class sample grids.

Plot functions take arrays (or results), accept an ``ax`` where it fits and
return the Figure. Importing this package imports neither matplotlib nor
plotly; each function imports what it draws with.
"""
