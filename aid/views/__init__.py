"""Pages of the aid module: programmes and budgets, proposals and decrees (pages.py), hand-overs
(handovers.py) and printable documents and exports (documents.py)."""
