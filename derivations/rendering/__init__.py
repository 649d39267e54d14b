"""The generated documents: the derivations and the errata, printed from the verified claims.

* :mod:`derivations.rendering.content` — runs every proof and seed verdict and refuses to go
  on unless SymPy confirmed them all; the renderers print from its objects and nothing else;
* :mod:`derivations.rendering.latex` — the LaTeX printer for the claims' SymPy objects;
* :mod:`derivations.rendering.prose` — Unicode prose to LaTeX and to Markdown;
* :mod:`derivations.rendering.common` — wording shared by the two renderers;
* :mod:`derivations.rendering.tex` — ``derivations.tex``, a standalone LaTeX article;
* :mod:`derivations.rendering.markdown` — ``derivations.md`` and ``errata.md`` for GitHub;
* :mod:`derivations.rendering.mistakes` — ``mistakes.md``, the known mistakes with their proofs;
* :mod:`derivations.rendering.documents` — every generated file's text, and the PDF compiled
  with ``pdflatex`` (``verified-backprop docs``, :mod:`impl.commands.docs`, writes them).

Dependencies run one way: this package imports the proof side of :mod:`derivations`
(engine, verdicts, claims, sources, notation, and the runner :mod:`derivations.verification`
for the census's verdicts and the lookup of a name); nothing there imports it.  It never
imports :mod:`impl`.
"""
