"""The source documents' claims: their verbatim statements and the verdicts they should get.

:mod:`derivations.sources.catalogue` quotes every mathematical claim of the two source
documents (“Deriving Backpropagation with Cross-Entropy Loss” and “Neural
Networks: Core Concepts and Backpropagation Derivations”, named in
:mod:`derivations.sources.documents`), writes it in the suite's notation and states the verdict
SymPy is expected to compute for it (proven, proven under an assumption, or refuted), plus
the counterexamples beyond the sources.

Dependencies run one way: this package imports :mod:`derivations.kernel.engine`,
:mod:`derivations.kernel.verdicts`, :mod:`derivations.notation` and :mod:`derivations.claims`;
none of those imports it.
"""
