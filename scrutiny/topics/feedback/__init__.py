"""Consultation feedback: the codebook and the coder (codebook, coding, sentiment, masking), the
figures through the disclosure plan, and the charts, sentences and tables the Feedback page and the
evidence pack share (see scrutiny/topics/)."""
