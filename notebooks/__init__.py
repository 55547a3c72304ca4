"""Shipped inside casekit as ``casekit.assets.notebooks`` (see ``casekit/assets/__init__.py``)."""
