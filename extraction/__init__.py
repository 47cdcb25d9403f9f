"""The extraction pipeline: plain Python with no Django imports (DESIGN.md).

Read a report into a `Document` (`extraction.readers`), find its sections (`extraction.sections`),
extract the coding frame with evidence (`extraction.facts`) and scan for personal data
(`extraction.pii`). Each stage can be tested, benchmarked and run from the command line on its own.
"""
