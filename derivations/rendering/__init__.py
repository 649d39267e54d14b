"""The generated documents: the derivations and the errata, printed from the verified claims.

* :mod:`derivations.rendering.content` — runs every proof and seed verdict and refuses to go
  on unless SymPy confirmed them all; the document is built from its objects and nothing else;
* :mod:`derivations.rendering.model` — the document model, a small tree of blocks, no format;
* :mod:`derivations.rendering.build` — builds the model once from the content (with
  :mod:`~derivations.rendering.common`, what the documents say,
  :mod:`~derivations.rendering.outline`, their parts, and
  :mod:`~derivations.rendering.algorithm`, the backward pass line by line);
* :mod:`derivations.rendering.markdown`, :mod:`derivations.rendering.tex`,
  :mod:`derivations.rendering.html` — the renderers that walk the model: ``derivations.md``
  and ``errata.md`` for GitHub, ``derivations.tex`` (a standalone LaTeX article), the web site;
* :mod:`derivations.rendering.latex` — the LaTeX printer for the claims' SymPy objects;
* :mod:`derivations.rendering.prose` — Unicode prose to LaTeX and to Markdown;
* :mod:`derivations.rendering.mistakes` — ``mistakes.md``, the known mistakes with their proofs;
* :mod:`derivations.rendering.documents` — every generated file's text, and the PDF compiled
  with ``pdflatex`` (``verified-backprop docs``, :mod:`impl.commands.docs`, writes them);
* :mod:`derivations.rendering.notebook` — a claim's display in a notebook (its section of the
  model, printed by the Markdown and LaTeX renderers), :mod:`derivations.rendering.terminal`
  — what ``verified-backprop show`` prints.

Dependencies run one way: this package imports the proof side of :mod:`derivations`
(engine, verdicts, claims, sources, notation, and the runner :mod:`derivations.verification`
for the census's verdicts and the lookup of a name); nothing there imports it.  It never
imports :mod:`impl`.
"""
