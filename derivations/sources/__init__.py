"""The source documents' claims: their verbatim statements and the verdicts they should get.

:mod:`derivations.sources.catalogue` quotes every mathematical claim of the two source
documents (“Deriving Backpropagation with Cross-Entropy Loss” and “Neural
Networks: Core Concepts and Backpropagation Derivations”, named in
:mod:`derivations.sources.documents`), writes it in the suite's notation and states the verdict
SymPy is expected to compute for it (proven, proven under an assumption, or refuted), plus
the counterexamples beyond the sources.  :mod:`derivations.sources.findings` computes what
is not an equality (float64 arithmetic, shapes), and :mod:`derivations.sources.census` lists
every other statement of both documents, each with what decides it, and judges it from the
typed results the runner (:mod:`derivations.verification`) gives it.

Dependencies run one way: this package imports :mod:`derivations.kernel.engine`,
:mod:`derivations.kernel.verdicts`, :mod:`derivations.notation` and :mod:`derivations.claims`;
none of those imports it, and it imports nothing above it (the runner, the report, the
documents import it).
"""
