"""Small helpers for notebook prose: computed numbers in Markdown, tables without noise."""

from __future__ import annotations


def md(text: str) -> None:
    """Show Markdown in a notebook (text/markdown only, so nbval compares just the prose)."""
    from IPython.display import display

    display({"text/markdown": text}, raw=True)


def pct(x: float, digits: int = 0) -> str:
    """0.4567 → '45.7%' style (digits after the point)."""
    return f"{100 * x:.{digits}f}%"
