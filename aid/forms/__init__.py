"""Forms of the aid pages: proposals, decrees and programmes (proposals.py), hand-overs and
follow-up visits (handovers.py)."""
