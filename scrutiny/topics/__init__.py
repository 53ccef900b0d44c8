"""One package per topic, each with the same shape, so a newcomer who has learnt one knows them all.

    scrutiny/topics/<topic>/figures.py    named queries in, frames out (through the disclosure plan)
    scrutiny/topics/<topic>/charts.py     plotly figures from those frames, in the look of scrutiny/charts.py
    scrutiny/topics/<topic>/sentences.py  the words: headline, answer first, captions
    scrutiny/topics/<topic>/tables.py     tables as shown and as downloaded

A page (pages/<topic>.py) reads the filters, asks its topic for figures, draws them with the
topic's charts and writes its sentences, one section per figure. The evidence pack draws the
same charts with the same functions.
"""
