"""Static and interactive export of figures (kaleido with the system Chromium) and a CLI."""
