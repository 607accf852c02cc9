"""Answers to the questions the API asks of the lake, as plain data (no HTTP here)."""
