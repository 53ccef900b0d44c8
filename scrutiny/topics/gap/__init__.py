"""The wellbeing and attainment gap: figures, charts, sentences and tables (see scrutiny/topics/)."""
