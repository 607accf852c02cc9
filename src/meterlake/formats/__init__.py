"""Raw input formats: one module per layout, plus sniffing that picks one from a file's content."""

from meterlake.formats.layout import CsvLayout
from meterlake.formats.sniff import sniff_layout

__all__ = ["CsvLayout", "sniff_layout"]
