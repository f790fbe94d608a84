"""The walk-forward replay: the product's own advice, orders, fills, costs and French taxes, day by day.

Pure parts: :mod:`.data` (the bars, cut at the replay's day), :mod:`.simulator` (fills),
:mod:`.books` (cash, PMP, P&L, PFU), :mod:`.statistics`; composition: :mod:`.model` (mlcore's
training, promotion, gate and scoring in memory), :mod:`.advice` (the optimiser's targets),
:mod:`.strategies` (the registry), :mod:`.engine` (the session loop); :mod:`.services` stores runs.
See docs/replay.md.
"""
