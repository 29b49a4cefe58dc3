"""The newsledger benchmark: gRPC vs the `eventsourcing` library vs the raw database.

Run it with ``.venv/bin/python -m bench`` from the repository root (see ``bench/run.py``).
"""
