"""annotate: gold datasets of entities, claims and dated events, built with Label Studio.

The JSON Schemas in ``schemas/`` define the annotation layers; everything else (the Label
Studio config, the validators, the Hugging Face features) is derived from them.
"""

import typing as _typing
from importlib import import_module as _import_module

if _typing.TYPE_CHECKING:
    from annotate.bench import BenchReport, bench, run_extractor
    from annotate.corpus import load_corpus
    from annotate.dataset import export_dataset, read_gold
    from annotate.errors import (
        AnnotateError,
        ConfigChangeError,
        CorpusError,
        ExportFileError,
        ExtractorError,
        InvalidInputError,
        LabelStudioError,
        OutputExistsError,
        PredictionsError,
        SchemaError,
        ServerError,
    )
    from annotate.features import document_features, token_features
    from annotate.labelconfig import labeling_config
    from annotate.predictions import Prediction, load_predictions, write_predictions
    from annotate.problems import Location, Problem
    from annotate.records import Annotation, Claim, Document, Entity, Event, Submission, Task
    from annotate.schema import SchemaSet
    from annotate.validate import ValidationReport, validate_export

__version__ = "0.1.0"

__all__ = [
    "AnnotateError",
    "Annotation",
    "BenchReport",
    "Claim",
    "ConfigChangeError",
    "CorpusError",
    "Document",
    "Entity",
    "Event",
    "ExportFileError",
    "ExtractorError",
    "InvalidInputError",
    "LabelStudioError",
    "Location",
    "OutputExistsError",
    "Prediction",
    "PredictionsError",
    "Problem",
    "SchemaError",
    "SchemaSet",
    "ServerError",
    "Submission",
    "Task",
    "ValidationReport",
    "bench",
    "document_features",
    "export_dataset",
    "labeling_config",
    "load_corpus",
    "load_predictions",
    "read_gold",
    "run_extractor",
    "token_features",
    "validate_export",
    "write_predictions",
]

# Where each public name lives. Imported on first use, so a process that needs only a
# part of annotate (a conversion worker, the CLI's --help) does not load datasets.
_HOMES = {
    "BenchReport": "bench",
    "bench": "bench",
    "run_extractor": "bench",
    "load_corpus": "corpus",
    "export_dataset": "dataset",
    "read_gold": "dataset",
    "document_features": "features",
    "token_features": "features",
    "labeling_config": "labelconfig",
    "Prediction": "predictions",
    "load_predictions": "predictions",
    "write_predictions": "predictions",
    "Location": "problems",
    "Problem": "problems",
    "SchemaSet": "schema",
    "ValidationReport": "validate",
    "validate_export": "validate",
}
_HOMES.update(dict.fromkeys(("Annotation", "Claim", "Document", "Entity", "Event"), "records"))
_HOMES.update(dict.fromkeys(("Submission", "Task"), "records"))
_HOMES.update({name: "errors" for name in __all__ if name.endswith("Error")})


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'annotate' has no attribute {name!r}")
    module = _import_module(f"annotate.{home}")
    if _HOMES.get(home) == home:  # the function bench, not the module annotate.bench
        globals()[home] = getattr(module, home)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
