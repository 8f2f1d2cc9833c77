"""Report: notebook Markdown, the findings in words, figure style and saving, the rows a figure draws,
and the figures themselves. Modules here may import every layer below (`base`, `io`, `rules`, `text`,
`analysis`)."""
