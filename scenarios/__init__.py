"""Shipped inside casekit as ``casekit.assets.scenarios`` (see ``casekit/assets/__init__.py``)."""
