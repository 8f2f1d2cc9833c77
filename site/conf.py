"""Sphinx configuration of the study's site (`make site`; sources staged by tools/build_site.py).

The notebooks are shown as committed, with their outputs: myst-nb never executes them here.
"""

project = "bizenv-analysis"
author = "bizenv-analysis contributors"
copyright = "the bizenv-analysis contributors"
html_title = "营商环境改革比较 · bizenv-analysis"
html_favicon = "_static/favicon.svg"
language = "en"
# Chinese search words are cut by jieba (Sphinx's zh search), which the study already installs.
html_search_language = "zh"

extensions = ["myst_nb"]
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["colon_fence"]
suppress_warnings = ["myst.header"]  # the notebooks' markdown outputs start below the page title

html_theme = "furo"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_extra_path = ["_extra"]  # figures/, thumbnails and the zips, copied as they are
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_last_updated_fmt = None  # no dates: the same inputs give the same pages
exclude_patterns = ["_extra", "_build", "**.ipynb_checkpoints"]
