"""The measuring behind ``verified-backprop bench``; nothing here is imported by the implementation.

* :mod:`impl.bench.timing` — interleaved repeats, medians and min-max ranges;
* :mod:`impl.bench.training` — training throughput against the per-example loop and PyTorch,
  and the hardware limit (GFLOP/s, the compute-bound ceiling, the step breakdown);
* :mod:`impl.bench.gradcheck` — the cost of checking every parameter's gradient;
* :mod:`impl.bench.symbolic` — the time of every proof, lambdified vs hand-written deltas;
* :mod:`impl.bench.report` — the results, the targets' verdicts and their Markdown.

The command itself (options, presets, the run, the machine description) is
:mod:`impl.commands.bench`.

Dependencies run one way: this package imports the implementation (:mod:`impl.network`,
:mod:`impl.gradcheck`, :mod:`impl.losses`, :mod:`impl.per_example`, ...); the implementation
never imports it. :mod:`impl.bench.symbolic` is the one module that imports
:mod:`derivations` (the proofs it times and the lambdified deltas), inside its functions.
PyTorch is optional and imported only when installed.
"""
