"""Fact finders: the coding frame of a read report, each value with the passages that state it.

All finders read one `TextIndex` (the document folded for matching, split into sentences once) and
return values with evidence; `extraction.extract.extract_record` puts them into an `ExtractionRecord`.
Nothing here loads a language model: phrases, a NegEx-style negation check and a few rules about whom a
phrase is attached to keep ingestion nearly free.
"""
