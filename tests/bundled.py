"""The bundled lexicon, loaded and checked once per test process, as the build loads it: tests hand
its parsed rules to the stages, which never read a rule file themselves."""

from bizenv_analysis.rules.lexicon import Lexicon

LEX = Lexicon.load()
