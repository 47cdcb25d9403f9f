"""Synthetic published child-safeguarding review reports with ground truth.

For the demo library, extraction evaluation and search benchmarks.

Everything is invented: people, places, partnerships, schools and identifiers (see `lexicon`). Use
`generate_report` for one report in memory and `write_corpus` to write files with their truth JSON.
"""

from extraction.corpus.generate import FORMATS, GeneratedReport, generate_report, load_truth, write_corpus

__all__ = ["FORMATS", "GeneratedReport", "generate_report", "load_truth", "write_corpus"]
