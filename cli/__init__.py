"""The click command line: thin commands that parse, call ladder/, and format output."""
