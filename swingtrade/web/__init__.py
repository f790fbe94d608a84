"""The top layer: server-rendered pages of every app, their charts and filters, and the bootstrap command.

It may import every domain app; no domain app imports it (``.importlinter``, docs/architecture.md).
"""
