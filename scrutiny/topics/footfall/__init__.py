"""The Footfall topic: is busy the same as effective? (see scrutiny/topics/__init__.py for the shape)."""
