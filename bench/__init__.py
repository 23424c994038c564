"""Benchmarks for Alliance Lab: ``make bench`` (``python -m bench``)."""
