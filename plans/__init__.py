"""Shipped inside casekit as ``casekit.assets.plans`` (see ``casekit/assets/__init__.py``)."""
