"""Report: notebook Markdown, figure style and saving, and the figures themselves. Modules here may
import every layer below (`base`, `io`, `rules`, `text`, `analysis`)."""
