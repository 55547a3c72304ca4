"""Shipped inside casekit as ``casekit.assets.rubrics`` (see ``casekit/assets/__init__.py``)."""
