"""Steps 3 and 4 of the loop: from converted tasks to gold.

- :mod:`annotate.gold.validate`: every problem of an export, located; invalid annotations kept;
- :mod:`annotate.gold.agreement`: inter-annotator agreement per layer, label and attribute;
- :mod:`annotate.gold.adjudicate`: the gold annotation of each task, and reviews folded in.
"""
