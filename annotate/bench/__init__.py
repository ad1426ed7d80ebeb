"""Step 6 of the loop: extractors scored against gold.

- :mod:`annotate.bench.run`: run an extractor or read its predictions, score, keep a leaderboard;
- :mod:`annotate.bench.score`: the scores of each layer and of every attribute its schema declares;
- :mod:`annotate.bench.leaderboard`: the leaderboard file, read and appended.
"""
