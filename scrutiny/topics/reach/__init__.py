"""Reach: who is reached, who is missed, against the Ofsted thresholds (figures, charts, sentences, tables)."""
