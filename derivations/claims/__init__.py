"""The claims, one module per topic; each module's ``claims()`` builds its :class:`Claim`\\ s.

:mod:`derivations.catalog` collects them by name, in presentation order.

Dependencies run one way: the claim modules import :mod:`derivations.kernel.engine`,
:mod:`derivations.notation`, :mod:`derivations.matrix_form` and each other (``shared`` first);
the catalogue, the source documents' verdicts, the report, the documents and the lambdify
bridge import them, never the reverse.
"""
