"""The fictional Wealdshire extract and its generator (``python -m sample_data.generate``)."""
