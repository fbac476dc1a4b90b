"""The imports domain: external files (own exports, public AML benchmarks, vendor labels) ->
the bronze tables the generator writes, driven by a YAML mapping per file format."""

from fcc.imports._source import ImportFileError
from fcc.imports.mapping import KINDS, MappingError, load_mapping
from fcc.imports.run import FORMATS, import_file

__all__ = ["FORMATS", "KINDS", "ImportFileError", "MappingError", "import_file", "load_mapping"]
