"""Step 5 of the loop: the gold Hugging Face dataset, written by one engine.

- :mod:`annotate.dataset.run`: the one engine (``ExportRun``, for the CLI, the Python API,
  ``--review`` and the gold build): batches of tasks through worker processes
  (:mod:`annotate.dataset.worker`, :mod:`annotate.dataset.parallel`), adjudicated, into
  the writer;
- :mod:`annotate.dataset.build`: a batch of tasks → adjudicated rows and counts;
- :mod:`annotate.dataset.tokens`: tokens and BIO tags;
- :mod:`annotate.dataset.writer`: parquet files written atomically, and read back;
- :mod:`annotate.dataset.card`: the dataset card.
"""
