"""The measuring behind ``verified-backprop bench``; nothing here is imported by the implementation.

* :mod:`impl.bench.runner` — one run: the presets (full, quick, tiny) and every section in turn;
* :mod:`impl.bench.timing` — interleaved repeats, medians and min-max ranges;
* :mod:`impl.bench.training` — training throughput against the per-example loop and PyTorch,
  and the hardware limit (GFLOP/s, the compute-bound ceiling, the step breakdown);
* :mod:`impl.bench.peers` — the PyTorch and JAX programs measured beside impl;
* :mod:`impl.bench.gradcheck` — the cost of checking every parameter's gradient;
* :mod:`impl.bench.symbolic` — the time of every proof, lambdified vs hand-written deltas;
* :mod:`impl.bench.targets` — the speeds aimed for and each one's verdict;
* :mod:`impl.bench.profiling` — profiles of the code behind missed targets;
* :mod:`impl.bench.machine` — the machine description (CPU, load, BLAS, peers, kernels);
* :mod:`impl.bench.blas_environment` — the re-run without the OpenBLAS variables;
* :mod:`impl.bench.units` — figures as text (rates, durations, ratios, shares);
* :mod:`impl.bench.results` — everything one run measured, in one record;
* :mod:`impl.bench.report` — that record as Markdown.

The command itself (options, writing the report, the exit status) is
:mod:`impl.commands.bench`.

Dependencies run one way: ``runner -> profiling, machine, targets, results, training,
gradcheck, symbolic, peers``, ``report -> results -> targets -> units -> timing``, and this
package imports the implementation (:mod:`impl.network`, :mod:`impl.gradcheck`,
:mod:`impl.losses`, :mod:`impl.per_example`, ...); the implementation never imports it.
:mod:`impl.bench.symbolic` is the one module that imports :mod:`derivations` (the proofs it
times and the lambdified deltas), inside its functions. PyTorch is optional and imported only
when installed.
"""
